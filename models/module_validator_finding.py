# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .module_validator_result import raise_if_finished
from .module_validator_rule import SEVERITY_SELECTION


class ModuleValidatorFinding(models.Model):
    """One problem found by one rule in one module."""

    _name = "module.validator.finding"
    _description = "Module Validator - Finding"
    _order = "run_id desc, module_name, severity, path, line, id"
    _rec_name = "message"

    run_id = fields.Many2one(
        "module.validator.run", required=True, ondelete="cascade", index=True, readonly=True
    )
    result_id = fields.Many2one(
        "module.validator.result", string="Module result", required=True,
        ondelete="cascade", index=True, readonly=True,
    )
    rule_id = fields.Many2one("module.validator.rule", string="Rule", ondelete="set null",
                              index=True, readonly=True)
    rule_code = fields.Char(string="Rule code", required=True, readonly=True, index=True)
    severity = fields.Selection(SEVERITY_SELECTION, required=True, readonly=True, index=True)
    module_name = fields.Char(string="Module", required=True, readonly=True, index=True)
    path = fields.Char(string="File", readonly=True, help="Relative to the module folder.")
    # Never summed: a total of line numbers means nothing.
    line = fields.Integer(readonly=True, aggregator=None, help="0 when the finding has no line.")
    message = fields.Text(required=True, readonly=True)
    fingerprint = fields.Char(
        required=True, readonly=True, index=True,
        help="Identifies the same problem across runs.",
    )
    waiver_id = fields.Many2one(
        "module.validator.waiver", string="Waiver", readonly=True, index=True, ondelete="set null",
        help="The waiver that accepted this finding: it is shown, but counts toward "
        "neither the totals nor the verdict.",
    )
    waived = fields.Boolean(compute="_compute_waived", store=True)
    state = fields.Selection(
        [("new", "New"), ("persisting", "Persisting")], readonly=True, index=True,
        help="For profile runs: new when the profile's previous finished run did not "
        "have this finding's fingerprint.",
    )
    remedy = fields.Text(related="rule_id.remedy")
    level = fields.Selection(related="run_id.level", store=True)
    date = fields.Datetime(related="run_id.date_start", store=True)

    @api.depends("waiver_id")
    def _compute_waived(self):
        for finding in self:
            finding.waived = bool(finding.waiver_id)

    def action_waive(self):
        """Open a new waiver for this finding's rule, module and file."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "module.validator.waiver",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_rule_id": self.rule_id.id,
                "default_module_name": self.module_name,
                "default_path_glob": self.path or False,
            },
        }

    def write(self, vals):
        raise_if_finished(self.mapped("run_id"))
        return super().write(vals)
