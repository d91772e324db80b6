# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from ..engine.rehearsal.rehearse import DEFAULT_TIMEOUT_S
from ..engine.rule_guard import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S
from ..engine.rehearsal.sandbox import DEFAULT_ROLE, save_role_password
from ..engine.rehearsal.scratch import TEMPLATE_PREFIX, DatabaseError, DatabaseServer, setup_sandbox_role
from .deployment_common import ENVIRONMENT_SELECTION
from .module_validator_rule import LEVEL_SELECTION, SEVERITY_SELECTION


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    validator_waiver_max_days = fields.Integer(
        string="Longest waiver (days)", default=180,
        config_parameter="module_validator.waiver_max_days",
        help="A waiver must expire within this many days of its creation.",
    )
    validator_failed_build_minutes = fields.Integer(
        string="Minutes a failed build costs", default=15,
        config_parameter="module_validator.failed_build_minutes",
        help="Used to turn failures avoided into time saved on the dashboard.",
    )
    validator_environment = fields.Selection(
        ENVIRONMENT_SELECTION, string="This database's environment", default="development",
        config_parameter="module_validator.environment",
        help="The environment recorded on deployments this database records by itself.",
    )
    # -- validation defaults and rehearsals ------------------------------------
    validator_default_level = fields.Selection(
        LEVEL_SELECTION, string="Default level", default="static",
        config_parameter="module_validator.default_level",
        help="The level the Validate Modules wizard proposes, and the one odoo-bin validate -d "
        "runs when neither --level nor ODOO_VALIDATION_LEVEL chooses it.",
    )
    validator_default_fail_on = fields.Selection(
        SEVERITY_SELECTION[:2], string="Default fail on", default="error",
        config_parameter="module_validator.default_fail_on",
        help="What fails a run started from the Validate Modules wizard, unless changed there.",
    )
    validator_rule_time_limit = fields.Integer(
        string="Rule time limit (s)", config_parameter="module_validator.rule_time_limit",
        help="Seconds one rule may take on one module before it is stopped and reported as an "
        f"internal error (MV001) of that module; the other rules run. 0 means {DEFAULT_TIME_LIMIT_S}.",
    )
    validator_rule_memory_limit = fields.Integer(
        string="Rule memory limit (MiB)", config_parameter="module_validator.rule_memory_limit_mb",
        help="How much the server process may grow while one rule checks one module before the "
        f"rule is stopped (MV001 for that module). 0 means {DEFAULT_MEMORY_LIMIT_MB} MiB.",
    )
    validator_rehearsal_timeout = fields.Integer(
        string="Rehearsal timeout (s)", config_parameter="module_validator.rehearsal_timeout",
        help="Seconds one install or upgrade rehearsal may take at the bulletproof level. "
        f"0: the ODOO_VALIDATION_TIMEOUT environment variable, else {DEFAULT_TIMEOUT_S}.",
    )
    validator_item_timeout = fields.Integer(
        string="Work item timeout (s)", config_parameter="module_validator.item_timeout",
        help="How long a worker may hold one module of a background run before another worker "
        "takes it over, when the first cannot be seen to have died (it runs on another host). "
        "0 means 3600 seconds. Keep it above the rehearsal timeout.",
    )
    validator_cron_workers = fields.Integer(
        string="Parallel cron workers",
        help="Modules of background runs validated at once by the scheduled actions (one "
        "scheduled action per worker). The server needs as many cron threads or workers "
        "(--max-cron-threads). With queue_job, its channel capacity applies instead.",
    )
    validator_rehearsal_parallel = fields.Integer(
        string="Parallel rehearsals", config_parameter="module_validator.rehearsal_parallel",
        help="Modules rehearsed at once at the bulletproof level; each one runs its own Odoo "
        "process and databases. 0: the ODOO_VALIDATION_PARALLEL environment variable, else "
        "one per processor core.",
    )
    validator_template_count = fields.Integer(string="Cached template databases", readonly=True)
    # -- validation API (controllers/api.py) --------------------------------------
    validator_api_bulletproof_uploads = fields.Boolean(
        string="Bulletproof for uploads", config_parameter="module_validator.api_bulletproof_uploads",
        help="Let API clients validate uploaded addons at the bulletproof level, which installs "
        "them (runs their code) in scratch databases. Off: static and dynamic only.",
    )
    validator_api_max_upload_mb = fields.Integer(
        string="Largest upload (MiB)", config_parameter="module_validator.api_max_upload_mb",
        help="Size of an uploaded zip. 0 means 20 MiB.",
    )
    validator_api_max_unpacked_mb = fields.Integer(
        string="Largest unpacked upload (MiB)", config_parameter="module_validator.api_max_unpacked_mb",
        help="Size of an uploaded zip's files once unpacked. 0 means 100 MiB.",
    )
    validator_api_max_files = fields.Integer(
        string="Most files per upload", config_parameter="module_validator.api_max_files",
        help="Entries in an uploaded zip. 0 means 5000.",
    )
    validator_api_max_ratio = fields.Integer(
        string="Highest compression ratio", config_parameter="module_validator.api_max_ratio",
        help="How many times a file, or the whole upload, may inflate (zip bombs). 0 means 100.",
    )
    validator_api_runs_per_key = fields.Integer(
        string="Runs at once per API key", config_parameter="module_validator.api_runs_per_key",
        help="An API key's runs validated at the same time; later ones wait. 0 means 2.",
    )
    validator_api_queue_per_key = fields.Integer(
        string="Waiting runs per API key", config_parameter="module_validator.api_queue_per_key",
        help="Runs of one API key that may wait for a slot; past this the API answers 429. 0 means 20.",
    )

    @api.model
    def get_values(self):
        values = super().get_values()
        values["validator_template_count"] = len(self._validator_templates() or [])
        values["validator_cron_workers"] = len(self.env["module.validator.run"]._queue_crons())
        return values

    validator_sandbox_role = fields.Char(
        string="Sandbox role", config_parameter="module_validator.sandbox_role", readonly=True,
        help="The PostgreSQL role bulletproof rehearsals connect as, once set up.",
    )

    def action_validator_setup_sandbox(self):
        """Create (or reset) the rehearsals' PostgreSQL role and lock it out of other databases."""
        self.env["module.validator.run"].check_access("write")
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only administrators set up the rehearsal sandbox."))
        server = DatabaseServer.scratch_from_odoo_config(config)
        role = self.env["ir.config_parameter"].sudo().get_param("module_validator.sandbox_role") or DEFAULT_ROLE
        try:
            password = setup_sandbox_role(server, role)
        except psycopg2.Error as error:
            raise UserError(self.env._(
                "The sandbox role could not be set up (the server's PostgreSQL role needs CREATEROLE): "
                "%(error)s", error=str(error).strip()[:300])) from error
        save_role_password(server.data_dir, role, password)
        self.env["ir.config_parameter"].sudo().set_param("module_validator.sandbox_role", role)
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "success", "title": self.env._("Rehearsal sandbox ready"),
            "message": self.env._("Rehearsals now connect as the PostgreSQL role %(role)s.", role=role)}}

    def set_values(self):
        super().set_values()
        self.env["module.validator.run"]._set_cron_workers(self.validator_cron_workers)

    @staticmethod
    def _validator_templates():
        """Names of the cached rehearsal template databases, or None when the server cannot tell."""
        try:
            return DatabaseServer.scratch_from_odoo_config(config).databases(TEMPLATE_PREFIX)
        except Exception:  # noqa: BLE001 - a settings page must open whatever the server says
            return None

    def action_validator_drop_templates(self):
        """Drop the cached template databases; the next rehearsals build them again."""
        self.ensure_one()
        if not self.env.user.has_group("module_validator.group_module_validator_manager"):
            raise UserError(self.env._("Only Module Validator managers can drop template databases."))
        if self.env["module.validator.run"].sudo().search_count([("state", "in", ("queued", "running"))]):
            raise UserError(self.env._(
                "A validation is in progress and may be using the templates: try again when it ends."
            ))
        server = DatabaseServer.scratch_from_odoo_config(config)
        try:
            names = server.databases(TEMPLATE_PREFIX)
            for name in names:
                server.drop(name)
        except DatabaseError as error:
            raise UserError(str(error)) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s template databases dropped.", count=len(names)),
                "next": {"type": "ir.actions.client", "tag": "reload"},
            },
        }
