# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deployments: what code went to which environment, how it went, and whether
a validation run had checked exactly that code.

Deployments are recorded three ways: by hand, by ``odoo-bin deployment``, and
by the addon itself when a registry finishes loading modules it has just
installed or upgraded (``_register_hook``), or fails to
(``deployment_failure_hook``). Their figures are in
``module_validator_deployment_metrics``.
"""

import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.modules.module import get_module_path

from ..engine import discovery
from ..engine.code_fingerprint import code_fingerprint
from .deployment_common import (
    DEFAULT_ENVIRONMENT,
    ENVIRONMENT_PARAM,
    ENVIRONMENT_SELECTION,
    FAILED_OUTCOMES,
    ORIGIN_SELECTION,
    OUTCOME_SELECTION,
    deployment_name,
    full_version,
    matching_run_id,
)

_logger = logging.getLogger(__name__)


class ModuleValidatorDeployment(models.Model):
    _name = "module.validator.deployment"
    _inherit = ["mail.thread"]
    _description = "Module Validator - Deployment"
    _order = "date_start desc, id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    environment = fields.Selection(
        ENVIRONMENT_SELECTION, required=True, tracking=True, index=True,
        default=lambda self: self._default_environment(),
    )
    target = fields.Char(tracking=True, help="The database or branch deployed to.")
    line_ids = fields.One2many(
        "module.validator.deployment.line", "deployment_id", string="Modules", copy=True,
    )
    module_names = fields.Char(
        string="Module names", compute="_compute_module_names", store=True,
    )
    outcome = fields.Selection(
        OUTCOME_SELECTION, required=True, default="success", tracking=True, index=True,
    )
    error_message = fields.Text(tracking=True)
    date_start = fields.Datetime(
        string="Started", required=True, default=fields.Datetime.now, tracking=True, index=True,
    )
    date_end = fields.Datetime(string="Ended", tracking=True)
    user_id = fields.Many2one(
        "res.users", string="Deployed by", default=lambda self: self.env.user,
        tracking=True, index=True,
    )
    origin = fields.Selection(ORIGIN_SELECTION, required=True, default="manual", readonly=True)
    run_id = fields.Many2one(
        "module.validator.run", string="Validation run", compute="_compute_run_id", store=True,
        ondelete="set null", index=True,
        help="The latest finished run that validated every module of this deployment at "
        "the same code fingerprint, before the deployment started.",
    )
    run_level = fields.Selection(related="run_id.level", string="Validation level")
    run_verdict = fields.Selection(related="run_id.verdict", string="Validation verdict")
    validated = fields.Boolean(
        compute="_compute_validated", store=True,
        help="False when no finished run validated this exact code: the deployment "
        "went out unvalidated.",
    )
    passed_but_failed = fields.Boolean(
        string="Passed but failed", compute="_compute_validated", store=True,
        help="Validation passed but the deployment failed or was rolled back: a "
        "failure the validator missed, to turn into a rule.",
    )

    @api.model
    def _default_environment(self):
        value = self.env["ir.config_parameter"].sudo().get_param(ENVIRONMENT_PARAM, DEFAULT_ENVIRONMENT)
        if value not in dict(ENVIRONMENT_SELECTION):
            _logger.warning("%s=%r is not an environment; using %s", ENVIRONMENT_PARAM, value,
                            DEFAULT_ENVIRONMENT)
            return DEFAULT_ENVIRONMENT
        return value

    @api.depends("line_ids.module_name")
    def _compute_module_names(self):
        for deployment in self:
            deployment.module_names = ", ".join(sorted(deployment.line_ids.mapped("module_name")))

    @api.depends("line_ids.module_name", "line_ids.code_fingerprint", "date_start")
    def _compute_run_id(self):
        self.env["module.validator.result"].flush_model(["name", "code_fingerprint", "run_id"])
        self.env["module.validator.run"].flush_model(["state", "date_start"])
        Run = self.env["module.validator.run"]
        for deployment in self:
            pairs = [(line.module_name, line.code_fingerprint) for line in deployment.line_ids]
            deployment.run_id = Run.browse(matching_run_id(self.env.cr, pairs, deployment.date_start))

    @api.depends("run_id", "run_id.state", "run_id.verdict", "outcome")
    def _compute_validated(self):
        for deployment in self:
            deployment.validated = bool(deployment.run_id)
            deployment.passed_but_failed = (
                deployment.run_id.verdict == "pass" and deployment.outcome in FAILED_OUTCOMES
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for deployment in self:
            if deployment.date_end and deployment.date_end < deployment.date_start:
                raise ValidationError(self.env._(
                    "Deployment %(name)s cannot end before it starts.", name=deployment.name,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        deployments = super().create(vals_list)
        for deployment in deployments:
            if deployment.name == "/":
                deployment.name = deployment_name(deployment.id)
        return deployments

    # -- actions -----------------------------------------------------------
    def action_match_run(self):
        """Look again for the run that validated this code (e.g. after a later
        run stored its results with an earlier start)."""
        self.env.add_to_compute(self._fields["run_id"], self)
        self._recompute_recordset(["run_id"])
        return True

    def action_fill_from_addons_path(self):
        """Fill empty versions and fingerprints from this server's addons path."""
        for deployment in self:
            lines = deployment.line_ids.filtered(lambda line: not line.code_fingerprint)
            if not lines:
                continue
            values = {vals["module_name"]: vals for vals in self._module_lines(lines.mapped("module_name"))}
            for line in lines:
                line.write({
                    "version": line.version or values[line.module_name]["version"],
                    "code_fingerprint": values[line.module_name]["code_fingerprint"],
                })
        return True

    def action_create_rule(self):
        """Open a new custom rule prefilled from this missed failure."""
        self.ensure_one()
        modules = self.module_names or self.env._("(no module)")
        first_line = next((line.strip() for line in (self.error_message or "").splitlines()
                           if line.strip()), "")
        title = self.env._("Missed by validation: %(error)s", error=first_line or modules)
        rationale = self.env._(
            "Validation passed (run %(run)s) but deployment %(name)s to %(environment)s "
            "failed.\nModules: %(modules)s\n\nError:\n%(error)s",
            run=self.run_id.name or "-", name=self.name,
            environment=dict(ENVIRONMENT_SELECTION)[self.environment], modules=modules,
            error=self.error_message or self.env._("(no error text recorded)"),
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New rule from %(name)s", name=self.name),
            "res_model": "module.validator.rule",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "current",
            "context": {
                "default_is_custom": True,
                "default_name": title[:120],
                "default_rationale": rationale,
            },
        }

    # -- recording -----------------------------------------------------------
    @api.model
    def _module_lines(self, names, extra_paths=(), given=None):
        """Line values (module, version, fingerprint) for ``names`` as found on
        ``extra_paths`` and this server's addons path; unknown names raise.

        ``given`` maps names to ``(version, fingerprint)`` the caller knows (a
        deployment made elsewhere, reported over the API): they win over the
        addons path, and such modules need not be on it."""
        given = given or {}
        addons_paths, core_paths = discovery.odoo_paths()
        catalog = discovery.discover([*extra_paths, *addons_paths], core_paths=core_paths)
        modules, unknown = discovery.select(catalog, names)
        unknown = [name for name in unknown if name not in given]
        if unknown:
            raise UserError(self.env._(
                "Modules not found on the addons path: %(names)s", names=", ".join(unknown),
            ))
        found = {module.name: module for module in modules}
        lines = []
        for name in sorted(set(found) | (set(names) & set(given))):
            version, fingerprint = given.get(name, ("", ""))
            module = found.get(name)
            lines.append({
                "module_name": name,
                "version": full_version(version or (module.version if module else "")),
                "code_fingerprint": fingerprint or (code_fingerprint(module.path) if module else ""),
            })
        return lines

    @api.model
    def _record_deployment(self, names, *, outcome="success", environment=None, target=None,
                           error_message=None, extra_paths=(), origin="cli", given=None):
        """Record a deployment of ``names`` with the code on the addons path
        (or as ``given``, see ``_module_lines``); returns the deployment. Bad
        input raises a UserError that says why."""
        names = [name.strip() for name in names if name and name.strip()]
        if not names:
            raise UserError(self.env._("Give at least one module."))
        if outcome not in dict(OUTCOME_SELECTION):
            raise UserError(self.env._("Unknown outcome %(outcome)r: use %(choices)s.", outcome=outcome,
                                       choices=", ".join(dict(OUTCOME_SELECTION))))
        if environment and environment not in dict(ENVIRONMENT_SELECTION):
            raise UserError(self.env._("Unknown environment %(environment)r: use %(choices)s.",
                                       environment=environment,
                                       choices=", ".join(dict(ENVIRONMENT_SELECTION))))
        lines = self._module_lines(list(dict.fromkeys(names)), extra_paths, given=given)
        now = fields.Datetime.now()
        return self.create({
            "environment": environment or self._default_environment(),
            "target": target or self.env.cr.dbname,
            "outcome": outcome,
            "error_message": error_message or False,
            "date_start": now,
            "date_end": now,
            "origin": origin,
            "line_ids": [fields.Command.create(values) for values in lines],
        })

    def _register_hook(self):
        """Record the modules this registry load installed or upgraded, once per
        registry, when their version or code differs from the last successful
        automatic record."""
        super()._register_hook()
        registry = self.env.registry
        if getattr(registry, "_module_validator_deployment_seen", False):
            return
        registry._module_validator_deployment_seen = True
        names = list(dict.fromkeys(registry.updated_modules))
        if not names:
            return
        try:
            with self.env.cr.savepoint():
                self.sudo()._record_loaded_modules(names)
        except Exception:  # noqa: BLE001 - never stop a server from starting
            _logger.exception("could not record the deployment of %s", ", ".join(names))

    @api.model
    def _record_loaded_modules(self, names):
        """Record a successful automatic deployment of the installed ``names``
        whose (version, fingerprint) is new; returns it (or an empty recordset)."""
        modules = self.env["ir.module.module"].sudo().search(
            [("name", "in", list(names)), ("state", "=", "installed")], order="name",
        )
        Line = self.env["module.validator.deployment.line"]
        lines, started = [], []
        for module in modules:
            path = get_module_path(module.name, display_warning=False)
            values = {
                "module_name": module.name,
                "version": module.latest_version or "",
                "code_fingerprint": code_fingerprint(path) if path else "",
            }
            last = Line.search([
                ("module_name", "=", module.name),
                ("deployment_id.origin", "=", "auto"),
                ("deployment_id.outcome", "=", "success"),
            ], order="date_start desc, id desc", limit=1)
            if last and (last.version or "", last.code_fingerprint or "") == (
                values["version"], values["code_fingerprint"]
            ):
                continue
            lines.append(values)
            started.append(module.write_date)
        if not lines:
            return self.browse()
        now = fields.Datetime.now()
        deployment = self.create({
            "environment": self._default_environment(),
            "target": self.env.cr.dbname,
            "outcome": "success",
            # The modules' records were written as each one finished loading.
            "date_start": min([date for date in started if date] + [now]).replace(microsecond=0),
            "date_end": now,
            "origin": "auto",
            "user_id": _requesting_uid() or SUPERUSER_ID,
            "line_ids": [fields.Command.create(values) for values in lines],
        })
        _logger.info("deployment %s recorded: %s", deployment.name, deployment.module_names)
        return deployment


def _requesting_uid():
    """The user behind the current HTTP request (an install from the Apps menu), if any."""
    try:
        from odoo.http import request  # noqa: PLC0415
        return request.session.uid if request and request.session else None
    except Exception:  # noqa: BLE001 - no request, no session: unknown user
        return None
