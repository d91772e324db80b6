# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..engine.rules import RULES
from ..engine.rules.registry import CATEGORIES, LEVELS

LEVEL_SELECTION = [(level, level.capitalize()) for level in LEVELS]
SEVERITY_SELECTION = [("error", "Error"), ("warning", "Warning"), ("info", "Info")]
# Knowledge-base fields always come from the code; active and severity are
# the users' to tune and are never overwritten after creation.
KNOWLEDGE_FIELDS = {
    "name": "title",
    "category": "category",
    "level": "level",
    "default_severity": "severity",
    "rationale": "rationale",
    "bad_example": "bad_example",
    "good_example": "good_example",
    "remedy": "remedy",
    "prevents": "prevents",
}


class ModuleValidatorRule(models.Model):
    _name = "module.validator.rule"
    _description = "Module Validator - Rule"
    _order = "code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, readonly=True, index=True)
    name = fields.Char(string="Title", required=True, readonly=True)
    category = fields.Selection(list(CATEGORIES.items()), required=True, readonly=True)
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True)
    default_severity = fields.Selection(SEVERITY_SELECTION, required=True, readonly=True)
    severity = fields.Selection(
        SEVERITY_SELECTION,
        required=True,
        help="Severity given to this rule's findings. Errors fail a validation; "
        "warnings fail it only with 'fail on warning'.",
    )
    active = fields.Boolean(default=True)
    rationale = fields.Text(readonly=True)
    bad_example = fields.Text(readonly=True)
    good_example = fields.Text(readonly=True)
    remedy = fields.Text(readonly=True)
    prevents = fields.Text(string="Odoo error prevented", readonly=True)
    finding_ids = fields.One2many("module.validator.finding", "rule_id")
    finding_count = fields.Integer(compute="_compute_finding_count")

    _sql_constraints = [
        ("code_unique", "unique(code)", "A rule code must be unique."),
    ]

    @api.depends("code", "name")
    def _compute_display_name(self):
        for rule in self:
            rule.display_name = f"{rule.code} {rule.name}" if rule.code else rule.name

    def _compute_finding_count(self):
        counts = dict(
            self.env["module.validator.finding"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.finding_count = counts.get(rule, 0)

    @api.model
    def _sync_from_engine(self):
        """Create a record per rule of the engine and refresh its knowledge.

        Called from a data file on every install and upgrade. New records get a
        ``noupdate`` xmlid so that what users tune survives upgrades.
        """
        existing = {
            rule.code: rule for rule in self.with_context(active_test=False).search([])
        }
        to_create = []
        for code, spec in RULES.items():
            values = {field: getattr(spec, attr) for field, attr in KNOWLEDGE_FIELDS.items()}
            if code in existing:
                rule = existing[code]
                changed = {k: v for k, v in values.items() if rule[k] != v}
                if changed:
                    rule.write(changed)
            else:
                to_create.append(dict(values, code=code, severity=spec.severity))
        created = self.create(to_create)
        self.env["ir.model.data"]._update_xmlids([
            {
                "xml_id": f"module_validator.rule_{rule.code.lower()}",
                "record": rule,
                "noupdate": True,
            }
            for rule in created
        ])
        return True

    def _engine_settings(self):
        """``{code: (active, severity)}`` as tuned by users, for the engine."""
        rules = self.sudo().with_context(active_test=False).search([])
        return {rule.code: (rule.active, rule.severity) for rule in rules}

    def action_view_findings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_finding"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        return action
