# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine import compat
from ..service.validation import ValidationRequest
from .deployment_common import ENVIRONMENT_SELECTION
from .module_validator_rule import LEVEL_SELECTION, SEVERITY_SELECTION

SELECTION_KINDS = [
    ("list", "Listed modules"),
    ("installed", "Installed non-Odoo modules"),
    ("custom", "All non-Odoo modules"),
    ("pattern", "Name pattern"),
    ("folder", "Addons folder"),
]
INTERVAL_SELECTION = [("hours", "Hours"), ("days", "Days"), ("weeks", "Weeks")]


@compat.sql_constraints(
    ("name_unique", "unique(name)", "A profile name must be unique."),
    ("budget_positive", "check(time_budget >= 0)", "The time budget cannot be negative."),
    ("interval_positive", "check(interval_number > 0)", "The interval must be positive."),
)
class ModuleValidatorProfile(models.Model):
    """What to validate, how, how often, and who hears about it."""

    _name = "module.validator.profile"
    _inherit = ["mail.thread"]
    _description = "Module Validator - Validation Profile"
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    environment = fields.Selection(
        ENVIRONMENT_SELECTION, required=True, default="development", tracking=True,
        help="The environment this profile guards; deployments to it are measured "
        "against its runs.",
    )
    company_id = fields.Many2one(
        "res.company", string="Company", index=True, default=lambda self: self.env.company,
        help="Only users of this company see the profile and its runs; empty: every company.",
    )
    module_selection = fields.Selection(
        SELECTION_KINDS, required=True, default="custom", tracking=True,
    )
    module_names = fields.Char(
        string="Modules", tracking=True,
        help="Listed modules: comma-separated technical names. Name pattern: a glob "
        "such as acme_*. Addons folder: the folder's path on the server.",
    )
    level = fields.Selection(LEVEL_SELECTION, required=True, default="dynamic", tracking=True)
    fail_on = fields.Selection(
        SEVERITY_SELECTION[:2], string="Fail on", required=True, default="error", tracking=True,
    )
    with_tests = fields.Boolean(
        string="Run tests", help="Bulletproof level: also run each module's tests."
    )
    rule_ids = fields.Many2many(
        "module.validator.rule", string="Rules",
        help="Only these rules run; leave empty for every active rule.",
    )
    time_budget = fields.Integer(
        string="Time budget (minutes)", default=0,
        help="Modules still waiting when the budget runs out are reported as not "
        "validated (rule MV002). 0: no budget.",
    )
    notify_user_ids = fields.Many2many(
        "res.users", string="Notify",
        help="These users follow the profile and are notified in Odoo when a run "
        "finds new errors.",
    )
    scheduled = fields.Boolean(
        help="Run this profile on a schedule (its own scheduled action).", tracking=True,
    )
    interval_number = fields.Integer(string="Every", default=1)
    interval_type = fields.Selection(INTERVAL_SELECTION, string="Interval unit", default="days")
    cron_id = fields.Many2one(
        "ir.cron", string="Scheduled action", readonly=True, ondelete="set null", copy=False,
    )
    nextcall = fields.Datetime(related="cron_id.nextcall", string="Next run")
    run_ids = fields.One2many("module.validator.run", "profile_id", string="Runs")
    run_count = fields.Integer(compute="_compute_last_run")
    last_run_id = fields.Many2one("module.validator.run", compute="_compute_last_run")
    last_verdict = fields.Selection(
        [("pass", "Passed"), ("fail", "Failed")], string="Last verdict", compute="_compute_last_run"
    )

    @api.depends("run_ids.state")
    def _compute_last_run(self):
        for profile in self:
            runs = profile.run_ids.filtered(lambda r: r.state == "done").sorted("id", reverse=True)
            profile.last_run_id = runs[:1]
            profile.last_verdict = runs[:1].verdict
            profile.run_count = len(profile.run_ids)

    @api.constrains("module_selection", "module_names")
    def _check_module_names(self):
        for profile in self:
            if profile.module_selection not in ("custom", "installed") and not (profile.module_names or "").strip():
                raise ValidationError(self.env._(
                    "Profile %(name)s: give the modules, the pattern or the folder to validate.",
                    name=profile.name,
                ))

    # -- its own scheduled action, kept in step -----------------------------
    @api.model_create_multi
    def create(self, vals_list):
        profiles = super().create(vals_list)
        profiles._sync_cron()
        profiles._sync_followers()
        return profiles

    def write(self, vals):
        result = super().write(vals)
        if {"name", "active", "scheduled", "interval_number", "interval_type"} & set(vals):
            self._sync_cron()
        if "notify_user_ids" in vals:
            self._sync_followers()
        return result

    def unlink(self):
        crons = self.cron_id
        result = super().unlink()
        crons.sudo().unlink()
        return result

    def _sync_cron(self):
        model = self.env["ir.model"]._get_id(self._name)
        for profile in self:
            values = {
                "name": self.env._("Module Validator: profile %(name)s", name=profile.name),
                "active": profile.active and profile.scheduled,
                "interval_number": profile.interval_number or 1,
                "interval_type": profile.interval_type or "days",
            }
            if profile.cron_id:
                profile.cron_id.sudo().write(values)
                continue
            cron = self.env["ir.cron"].sudo().create(dict(
                values, model_id=model, state="code", user_id=self.env.ref("base.user_root").id,
                code=f"model.browse({profile.id})._run_scheduled()",
            ))
            # Direct write: the cron link is technical and not for tracking.
            super(ModuleValidatorProfile, profile).write({"cron_id": cron.id})

    def _sync_followers(self):
        for profile in self:
            partners = profile.notify_user_ids.partner_id
            if partners:
                profile.message_subscribe(partner_ids=partners.ids)

    # -- running ---------------------------------------------------------------
    def _rule_codes(self):
        """The profile's subset of rules, or None for every active rule."""
        self.ensure_one()
        return frozenset(self.rule_ids.mapped("code")) if self.rule_ids else None

    def _time_budget_seconds(self):
        self.ensure_one()
        return self.time_budget * 60 if self.time_budget else None

    def _validation_request(self):
        """The ValidationRequest this profile describes."""
        self.ensure_one()
        selection = (self.module_names or "").strip()
        return ValidationRequest(
            names=tuple(selection.split(",")) if self.module_selection == "list" else (),
            all_custom=self.module_selection == "custom",
            installed_custom=self.module_selection == "installed",
            pattern=selection if self.module_selection == "pattern" else "",
            folder=selection if self.module_selection == "folder" else "",
            level=self.level, fail_on=self.fail_on,
            with_tests=self.with_tests and self.level == "bulletproof",
            rule_codes=self._rule_codes(), time_budget_s=self._time_budget_seconds(),
        )

    def _launch(self, origin="profile", background=False):
        """Validate this profile's modules; returns ``(run, report)``."""
        self.ensure_one()
        if not self.active:
            raise UserError(self.env._("Profile %(name)s is archived.", name=self.name))
        return self.env["module.validator.run"]._launch_request(
            self._validation_request(), origin=origin, background=background, profile=self,
        )

    def action_run(self):
        """Run the profile now; returns the run.

        From the form, the bulletproof level is queued for the background (a
        real install takes minutes); from code it runs in the foreground.
        """
        self.ensure_one()
        background = bool(self.env.context.get("module_validator_background"))
        run, _report = self._launch(background=background and self.level == "bulletproof")
        return run

    def action_run_open(self):
        """Form button: run and show the run."""
        run = self.with_context(module_validator_background=True).action_run()
        return {
            "type": "ir.actions.act_window",
            "res_model": "module.validator.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    def _run_scheduled(self):
        """Entry point of the profile's scheduled action (the cron worker is the background)."""
        for profile in self.filtered("active"):
            profile._launch(origin="cron")

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_run"
        )
        action["domain"] = [("profile_id", "=", self.id)]
        action["context"] = {"default_profile_id": self.id}
        return action

    # -- the scheduled validation of versions before profiles ---------------
    @api.model
    def _migrate_legacy_cron(self):
        """Turn the old global scheduled validation into the default profile.

        Before profiles, one scheduled action validated the modules of system
        parameter ``module_validator.cron_modules`` (empty: every installed
        non-Odoo module) at level ``module_validator.cron_level``. The default
        profile takes over its modules, level, schedule and on/off state, and
        the old action and parameters are removed.
        """
        profile = self.env.ref("module_validator.profile_default", raise_if_not_found=False)
        params = self.env["ir.config_parameter"].sudo()
        cron = self.env.ref("module_validator.ir_cron_module_validator_validate", raise_if_not_found=False)
        names = ",".join(
            n.strip() for n in (params.get_param("module_validator.cron_modules") or "").split(",") if n.strip()
        )
        level = params.get_param("module_validator.cron_level") or "dynamic"
        values = {
            "module_selection": "list" if names else "installed",
            "module_names": names or False,
            "level": level if level in dict(LEVEL_SELECTION) else "dynamic",
        }
        if cron:
            values.update(scheduled=cron.active, interval_number=cron.interval_number,
                          interval_type=cron.interval_type if cron.interval_type in dict(INTERVAL_SELECTION)
                          else "days")
        if profile:
            profile.write(values)
        else:
            profile = self.create(dict(values, name=self.env._("Scheduled validation")))
        if cron:
            cron.sudo().unlink()
        for key in ("module_validator.cron_modules", "module_validator.cron_level"):
            params.search([("key", "=", key)]).unlink()
        return profile

    # -- notifications -----------------------------------------------------------
    def _notify_run(self, run):
        """Tell the profile's users in Odoo when ``run`` found new errors."""
        self.ensure_one()
        new_errors = run.finding_ids.filtered(
            lambda f: f.state == "new" and f.severity == "error" and not f.waiver_id
        )
        if not new_errors or not self.notify_user_ids:
            return
        modules = sorted(set(new_errors.mapped("module_name")))
        body = self.env._(
            "%(run)s found %(count)s new error(s) in %(modules)s.",
            run=run.name, count=len(new_errors), modules=", ".join(modules),
        )
        # sudo: a user who may only read the profile still triggers the notice.
        self.sudo().message_post(
            body=body, partner_ids=self.notify_user_ids.partner_id.ids,
            subject=self.env._("New validation errors: %(name)s", name=self.name),
            message_type="notification", subtype_xmlid="mail.mt_comment",
        )
