# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError

from .module_validator_run import VERDICT_SELECTION


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
    level = fields.Selection(related="run_id.level", store=True)

    def write(self, vals):
        raise_if_finished(self.mapped("run_id"))
        return super().write(vals)


def raise_if_finished(runs):
    # Results and findings are written once, with their run; afterwards the
    # run's audit protection covers them too.
    if any(run.state in ("done", "failed") for run in runs):
        raise UserError(runs.env._("A finished validation run is an audit record and cannot be changed."))
