# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .module_validator_result import raise_if_finished
from .module_validator_rule import IMPACT_HELP, IMPACT_SELECTION, SEVERITY_SELECTION


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
    impact = fields.Selection(IMPACT_SELECTION, readonly=True, index=True, help=IMPACT_HELP)
    module_name = fields.Char(string="Module", required=True, readonly=True, index=True)
    path = fields.Char(string="File", readonly=True, help="Relative to the module folder.")
    # Never summed: a total of line numbers means nothing.
    line = fields.Integer(readonly=True, aggregator=None, help="0 when the finding has no line.")
    message = fields.Text(required=True, readonly=True)
    excerpt = fields.Text(
        string="Log excerpt", readonly=True,
        help="Bulletproof findings: the log lines (tracebacks) behind the message, "
        "paths relative to the addons path.",
    )
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
    rule_name = fields.Char(related="rule_id.name", string="Rule title")
    rule_severity = fields.Selection(
        related="rule_id.severity", string="Rule severity",
        help="The severity the rule gives its findings today.",
    )
    severity_note = fields.Char(
        compute="_compute_severity_note",
        help="Why this finding's severity differs from its rule's.",
    )
    # The run's level, not the rule's (a rule's level is the lowest that runs it).
    level = fields.Selection(related="run_id.level", string="Run level", store=True)
    date = fields.Datetime(related="run_id.date_start", store=True)

    @api.depends("waiver_id")
    def _compute_waived(self):
        for finding in self:
            finding.waived = bool(finding.waiver_id)

    @api.depends("severity", "rule_id.severity")
    def _compute_severity_note(self):
        labels = dict(SEVERITY_SELECTION)
        order = [value for value, _label in SEVERITY_SELECTION]
        for finding in self:
            rule_severity = finding.rule_id.severity
            if not rule_severity or not finding.severity or rule_severity == finding.severity:
                finding.severity_note = False
            elif order.index(finding.severity) < order.index(rule_severity):
                impact = dict(self._fields["impact"]._description_selection(self.env)).get(finding.impact)
                finding.severity_note = self.env._(
                    "Raised from %(rule)s: the rule reports this case as more serious than "
                    "its usual findings%(impact)s. Changing the rule's severity applies to every case.",
                    rule=labels[rule_severity],
                    impact=self.env._(" (impact: %(impact)s)", impact=impact) if impact else "",
                )
            else:
                finding.severity_note = self.env._(
                    "Lower than the rule's %(rule)s: the rule reports this case as less serious, "
                    "or its severity was changed after this run.",
                    rule=labels[rule_severity],
                )

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
