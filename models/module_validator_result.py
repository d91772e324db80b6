# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .module_validator_run import VERDICT_SELECTION, human_duration


class ModuleValidatorResult(models.Model):
    """One module's outcome within a run."""

    _name = "module.validator.result"
    _description = "Module Validator - Module Result"
    _order = "run_id desc, verdict, name"

    run_id = fields.Many2one(
        "module.validator.run", required=True, ondelete="cascade", index=True, readonly=True
    )
    name = fields.Char(string="Module", required=True, readonly=True, index=True)
    origin = fields.Selection(
        [("installed", "Installed"), ("addons_path", "Addons path")],
        string="Found", required=True, readonly=True,
    )
    path = fields.Char(readonly=True)
    version = fields.Char(readonly=True)
    verdict = fields.Selection(VERDICT_SELECTION, required=True, readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    error_count = fields.Integer(string="Errors", readonly=True)
    warning_count = fields.Integer(string="Warnings", readonly=True)
    info_count = fields.Integer(string="Infos", readonly=True)
    waived_count = fields.Integer(string="Waived", readonly=True)
    code_fingerprint = fields.Char(
        readonly=True, index=True,
        help="Hash of the module's files when validated; a deployment of the same "
        "code carries the same fingerprint.",
    )
    finding_ids = fields.One2many("module.validator.finding", "result_id", string="Findings", readonly=True)
    level = fields.Selection(related="run_id.level", string="Run level", store=True)
    date = fields.Datetime(related="run_id.date_start", string="Run date")
    duration_display = fields.Char(string="Duration", compute="_compute_duration_display")
    history_count = fields.Integer(compute="_compute_history_count")

    @api.depends("duration")
    def _compute_duration_display(self):
        for result in self:
            result.duration_display = human_duration(result.duration)

    @api.depends("name")
    def _compute_history_count(self):
        counts = dict(self._read_group([("name", "in", self.mapped("name"))], ["name"], ["__count"]))
        for result in self:
            result.history_count = counts.get(result.name, 0)

    def action_view_history(self):
        """The module's page: its latest verdict and every run that validated it."""
        self.ensure_one()
        module = self.env["module.validator.module"].search([("name", "=", self.name)], limit=1)
        return {
            "type": "ir.actions.act_window",
            "res_model": "module.validator.module",
            "res_id": module.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def write(self, vals):
        raise_if_finished(self.mapped("run_id"))
        return super().write(vals)


def raise_if_finished(runs):
    # Results and findings are written once, with their run; afterwards the
    # run's audit protection covers them too.
    if any(run.state in ("done", "failed", "cancelled") for run in runs):
        raise UserError(runs.env._("A finished validation run is an audit record and cannot be changed."))
