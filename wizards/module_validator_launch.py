# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import compat
from ..models.module_validator_rule import LEVEL_SELECTION, SEVERITY_SELECTION
from ..service import porting


class ModuleValidatorLaunch(models.TransientModel):
    """Choose modules and a level, validate, land on the stored report."""

    _name = "module.validator.launch"
    _description = "Module Validator - Validate Modules"

    scope = fields.Selection(
        [("selected", "Selected modules"), ("custom", "All non-Odoo modules")],
        required=True, default="selected",
        help="All non-Odoo modules: every module on the addons path that is not "
        "part of Odoo itself, installed or not.",
    )
    module_ids = fields.Many2many(
        "ir.module.module", string="Modules",
        domain=[("state", "!=", "uninstallable")],
        help="Installed modules and modules found on the addons path. Modules "
        "added to the addons path since the last scan appear after 'Scan addons path'.",
    )
    level = fields.Selection(
        LEVEL_SELECTION, required=True, default=lambda self: self._default_level(),
        help="Static: files only, nothing is imported or run. Dynamic: also uses this "
        "instance's registry, database and Python environment. Bulletproof: also "
        "installs each module for real in scratch databases (and upgrades a copy of "
        "this database for installed modules), in the background.",
    )
    with_tests = fields.Boolean(
        string="Run tests", help="Bulletproof level: also run each module's tests."
    )
    fail_on = fields.Selection(
        SEVERITY_SELECTION[:2], string="Fail on", required=True,
        default=lambda self: self._default_fail_on(),
        help="Error: the run fails when a module has an error. Warning: warnings fail it too.",
    )

    target_series = fields.Selection(
        selection="_target_series_selection", string="Validate for",
        default=lambda self: compat.series(), required=True,
        help="Another Odoo series runs a porting check: that series' rules, and at the "
        "bulletproof level installs of copies of the modules (their version without the "
        "series prefix) on an Odoo of that series found on this server.",
    )
    porting_available = fields.Boolean(default=lambda self: len(self._target_series_selection()) > 1)
    is_porting = fields.Boolean(compute="_compute_is_porting")

    @api.model
    def _target_series_selection(self):
        """This server's series, and the others whose Odoo is on this machine."""
        this = compat.series()
        return [(this, self.env._("Odoo %(series)s (this server)", series=this))] + [
            (series, self.env._("Odoo %(series)s (porting check)", series=series))
            for series in porting.rehearsable_series()
        ]

    @api.depends("target_series")
    def _compute_is_porting(self):
        for wizard in self:
            wizard.is_porting = bool(porting.other_series(wizard.target_series))

    def _default_level(self):
        value = self.env["ir.config_parameter"].sudo().get_param("module_validator.default_level")
        return value if value in dict(LEVEL_SELECTION) else "static"

    def _default_fail_on(self):
        value = self.env["ir.config_parameter"].sudo().get_param("module_validator.default_fail_on")
        return value if value in ("error", "warning") else "error"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "ir.module.module" and "module_ids" in fields_list:
            values["module_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_run(self):
        self.ensure_one()
        if self.scope == "selected" and not self.module_ids:
            raise UserError(self.env._("Select at least one module to validate."))
        if self.is_porting and self.level == "dynamic":
            raise UserError(self.env._(
                "The dynamic level reads this server's registry and database. To check the "
                "modules for Odoo %(series)s, choose the static or the bulletproof level.",
                series=self.target_series))
        run, _report = self.env["module.validator.run"]._launch(
            self.module_ids.mapped("name") if self.scope == "selected" else (),
            all_custom=self.scope == "custom", level=self.level,
            origin="wizard", fail_on=self.fail_on,
            with_tests=self.with_tests and self.level == "bulletproof",
            # A real install takes minutes: never inside the web request.
            background=self.level == "bulletproof",
            target_series=self.target_series,
        )
        # The runs action (its readable path, /odoo/module-validator/<id>) on
        # the new run, replacing the breadcrumbs: the URL names this run only,
        # and a reload does not stack the run the wizard was opened from.
        action = self.env["ir.actions.act_window"]._for_xml_id("module_validator.action_module_validator_run")
        action.update({
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "main",
        })
        return action

    def action_scan_addons_path(self):
        """Refresh Apps' module list so new modules on disk can be selected."""
        self.ensure_one()
        if not self.env.user.has_group("base.group_system"):
            raise UserError(self.env._("Only administrators can scan the addons path."))
        self.env["ir.module.module"].update_list()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
