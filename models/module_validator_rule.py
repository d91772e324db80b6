# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from lxml import etree

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval, test_python_expr

from ..engine import compat
from ..engine.rules import RULES
from ..engine.rules import custom_rules
from ..engine.rules.registry import CATEGORIES, IMPACTS, LEVELS

LEVEL_SELECTION = [(level, level.capitalize()) for level in LEVELS]
SEVERITY_SELECTION = [("error", "Error"), ("warning", "Warning"), ("info", "Info")]
IMPACT_SELECTION = [
    ("install", "Install refused"),
    ("build", "Red build"),
    ("warning-log", "Yellow build"),
    ("runtime", "Breaks at use"),
    ("hygiene", "Hygiene"),
]
assert [key for key, _label in IMPACT_SELECTION] == list(IMPACTS)
IMPACT_HELP = "What the findings mean for a deployment, as a real install shows it:\n" + "\n".join(
    f"- {label}: {IMPACTS[key]}" for key, label in IMPACT_SELECTION
)
# Knowledge-base fields always come from the code; active and severity are
# the users' to tune and are never overwritten after creation.
KNOWLEDGE_FIELDS = {
    "name": "title",
    "category": "category",
    "level": "level",
    "default_severity": "severity",
    "impact": "impact",
    "rationale": "rationale",
    "bad_example": "bad_example",
    "good_example": "good_example",
    "remedy": "remedy",
    "prevents": "prevents",
    "series": "series_label",
    "series_note": "series_note",
}
# What defines a custom rule; never written on the engine's rules.
DEFINITION_FIELDS = ("custom_kind", "file_glob", "xpath_scope", "pattern", "time_limit")
# Fields of an engine rule that only its code (``_sync_from_engine``) sets; users
# tune ``active`` and ``severity``.
ENGINE_PROTECTED_FIELDS = {"code", *KNOWLEDGE_FIELDS, *DEFINITION_FIELDS}
# Fields of a custom rule in an exported XML data file, in this order.
EXPORT_FIELDS = (
    "code", "name", "category", "severity", "impact", "active", *DEFINITION_FIELDS,
    "rationale", "bad_example", "good_example", "remedy", "prevents",
)
CUSTOM_KIND_SELECTION = [
    ("regex", "Regular expression"),
    ("xpath", "XPath"),
    ("python", "Python expression"),
]
# Context key of the engine's own writes (_sync_from_engine).
SYNC_CONTEXT_KEY = "module_validator_sync"


def _safe_evaluator(expression, context):
    """How the engine evaluates custom Python expressions: Odoo's safe_eval."""
    return safe_eval(expression, context)


@compat.sql_constraints(
    ("code_unique", "unique(code)", "A rule code must be unique."),
)
class ModuleValidatorRule(models.Model):
    _name = "module.validator.rule"
    _description = "Module Validator - Rule"
    _order = "code"
    _rec_names_search = ["code", "name"]

    # Knowledge fields are read-only for the engine's rules (views, and write())
    # and the manager's to edit on custom rules.
    code = fields.Char(
        required=True, index=True,
        help="Custom rules: 'X-' then upper-case letters, digits, '_', '.' or '-' "
        "(e.g. X-ACME001), so that they never clash with the validator's codes.",
    )
    name = fields.Char(string="Title", required=True)
    category = fields.Selection(list(CATEGORIES.items()), required=True, default="custom")
    level = fields.Selection(LEVEL_SELECTION, string="From level", required=True, default="static",
                             help="The lowest validation level that runs this rule; higher levels "
                             "run it too. Custom rules read files only: they run at every level.")
    default_severity = fields.Selection(SEVERITY_SELECTION, required=True, default="warning")
    severity = fields.Selection(
        SEVERITY_SELECTION,
        required=True,
        default="warning",
        help="Severity given to this rule's findings. Errors fail a validation; "
        "warnings fail it only with 'fail on warning'.",
    )
    impact = fields.Selection(
        IMPACT_SELECTION, required=True, default="hygiene", index=True, help=IMPACT_HELP
        + "\nThe validator's rules state theirs; a custom rule's is its author's claim.",
    )
    active = fields.Boolean(default=True)
    rationale = fields.Text()
    bad_example = fields.Text()
    good_example = fields.Text()
    remedy = fields.Text()
    prevents = fields.Text(string="Odoo error prevented")
    series = fields.Char(
        string="Odoo series",
        help="The Odoo series whose behaviour the rule describes; empty for every series. "
        "A run validates for the running series, or for the one given by --target-series.",
    )
    series_note = fields.Text(string="In other series", help="What differs in the other Odoo series.")
    # -- rules without code ------------------------------------------------
    is_custom = fields.Boolean(
        string="Custom rule", readonly=True, index=True,
        help="Defined by a manager (regular expression, XPath or Python expression) "
        "rather than by the validator's code.",
    )
    custom_kind = fields.Selection(CUSTOM_KIND_SELECTION, string="Kind")
    file_glob = fields.Char(
        string="Files",
        help="Globs of the files to read, relative to the module folder, separated by "
        "commas: '**' crosses folders, '*' does not; a glob without '/' matches the "
        "file name in any folder. E.g. **/*.py, views/*.xml. Required for regular "
        "expressions; XPath rules default to **/*.xml.",
    )
    xpath_scope = fields.Selection(
        [("file", "Whole XML files"), ("arch", "View archs")],
        string="XPath over", default="file",
        help="Whole XML files: the XPath sees each file from its <odoo> root. View archs: "
        "it sees each view's arch alone, so //field finds the fields of that view only.",
    )
    pattern = fields.Text(
        help="The regular expression (Python syntax, multi-line mode), the XPath 1.0 "
        "expression, or the Python expression, depending on the kind.",
    )
    time_limit = fields.Float(
        default=custom_rules.DEFAULT_TIME_LIMIT, digits=(16, 1),
        help="Seconds this rule may take on one module. Past it the rule is stopped and "
        "reported as an internal error (MV001) for that module; the run goes on.",
    )
    finding_ids = fields.One2many("module.validator.finding", "rule_id")
    finding_count = fields.Integer(compute="_compute_finding_count")
    severity_tuned = fields.Boolean(
        string="Tuned", compute="_compute_severity_tuned", search="_search_severity_tuned",
        help="The severity differs from the validator's default.",
    )

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

    @api.depends("severity", "default_severity")
    def _compute_severity_tuned(self):
        for rule in self:
            rule.severity_tuned = rule.severity != rule.default_severity

    def _search_severity_tuned(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on 'Tuned'."))
        rules = self.with_context(active_test=False).search([]).filtered("severity_tuned")
        wanted = (operator == "=") == bool(value)
        return [("id", "in" if wanted else "not in", rules.ids)]

    @api.constrains("is_custom", "code", "custom_kind", "pattern", "file_glob", "time_limit",
                    "xpath_scope", "level")
    def _check_custom_definition(self):
        for rule in self.filtered("is_custom"):
            problem = rule._custom_definition_problem()
            if problem:
                raise ValidationError(self.env._(
                    "Custom rule %(code)s cannot be saved: %(problem)s",
                    code=rule.code or "?", problem=problem,
                ))

    def _custom_definition_problem(self):
        """Why this custom rule cannot run, or None; nothing is run against a module."""
        self.ensure_one()
        try:
            custom_rules.check_code(self.code)
        except custom_rules.DefinitionError as error:
            return str(error)
        if self.code in RULES:
            return self.env._("%(code)s is a code of the validator's own rules.", code=self.code)
        if self.level != "static":
            return self.env._("custom rules read files only; their level is static.")
        if not self.custom_kind:
            return self.env._("choose its kind (regular expression, XPath or Python expression).")
        try:
            custom_rules.check_definition(
                self.custom_kind, self.pattern, self.file_glob or "", self.time_limit,
                self.xpath_scope or "file",
            )
        except custom_rules.DefinitionError as error:
            return str(error)
        if self.custom_kind == "python":
            try:
                message = test_python_expr(self.pattern.strip(), mode="eval")
            except NameError as error:  # a dunder name: test_python_expr lets it through
                message = str(error)
            if message:
                return self.env._("the Python expression is not allowed: %(message)s", message=message)
        return None

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(SYNC_CONTEXT_KEY):
            for vals in vals_list:
                if "is_custom" in vals and not vals["is_custom"]:
                    raise UserError(self.env._(
                        "Only custom rules can be created; the validator's own rules come "
                        "from its code."
                    ))
                vals["is_custom"] = True
                vals["level"] = "static"
                vals.setdefault("category", custom_rules.CUSTOM_CATEGORY)
                vals.setdefault("severity", "warning")
                vals["default_severity"] = vals["severity"]
        return super().create(vals_list)

    def write(self, vals):
        if self.env.context.get(SYNC_CONTEXT_KEY):
            return super().write(vals)
        if "is_custom" in vals and any(rule.is_custom != bool(vals["is_custom"]) for rule in self):
            raise UserError(self.env._("A rule cannot be turned into a custom rule or back."))
        # Superuser code (migrations, tests) may still patch an engine rule;
        # the next _sync_from_engine restores its knowledge from the code.
        protected = set() if self.env.su else set(vals) & ENGINE_PROTECTED_FIELDS
        for rule in self.filtered(lambda r: not r.is_custom):
            changed = [name for name in protected if (rule[name] or False) != (vals[name] or False)]
            if changed:
                raise UserError(self.env._(
                    "Rule %(code)s comes from the validator's code: only whether it is active "
                    "and its severity can be changed (not %(fields)s).",
                    code=rule.code, fields=", ".join(sorted(changed)),
                ))
        if "severity" in vals:
            custom = self.filtered("is_custom")
            if custom:
                super(ModuleValidatorRule, custom).write({"default_severity": vals["severity"]})
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_engine_rule(self):
        engine = self.filtered(lambda rule: not rule.is_custom)
        if engine:
            raise UserError(self.env._(
                "Rule %(code)s comes from the validator's code and cannot be deleted; "
                "archive it to stop it from running.",
                code=engine[0].code,
            ))

    @api.model
    def _sync_from_engine(self):
        """Create a record per rule of the engine and refresh its knowledge.

        Called from a data file on every install and upgrade. New records get a
        ``noupdate`` xmlid so that what users tune survives upgrades.
        """
        self = self.with_context(**{SYNC_CONTEXT_KEY: True})  # noqa: PLW0642
        existing = {
            rule.code: rule
            for rule in self.with_context(active_test=False).search([("is_custom", "=", False)])
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

    @api.model
    def _custom_rule_specs(self):
        """Plain dicts of the active custom rules, as engine/rules/custom_rules.py builds them."""
        rules = self.sudo().search([("is_custom", "=", True)])
        return [
            {
                "code": rule.code, "title": rule.name, "severity": rule.severity,
                "impact": rule.impact,
                "category": rule.category, "kind": rule.custom_kind, "pattern": rule.pattern or "",
                "file_glob": rule.file_glob or "", "xpath_scope": rule.xpath_scope or "file",
                "time_limit": rule.time_limit, "rationale": rule.rationale or "",
                "bad_example": rule.bad_example or "", "good_example": rule.good_example or "",
                "remedy": rule.remedy or "", "prevents": rule.prevents or "",
            }
            for rule in rules
        ]

    @api.model
    def _custom_engine_rules(self):
        """Rule objects of the active custom rules, for ``validate(..., extra_rules=...)``."""
        return custom_rules.build_rules(self._custom_rule_specs(), evaluator=_safe_evaluator)

    # -- sharing custom rules ------------------------------------------------
    def _export_xml(self):
        """An Odoo XML data file (bytes) with one <record> per custom rule of ``self``."""
        root = etree.Element("odoo")
        root.addprevious(etree.Comment(
            " Custom rules of module_validator. Import them with Module Validator > "
            "Configuration > Import Custom Rules, or load this file as data of a module "
            "that depends on module_validator. "
        ))
        for rule in self.filtered("is_custom"):
            xmlid = "custom_rule_" + re.sub(r"[^a-z0-9]+", "_", rule.code.lower()).strip("_")
            record = etree.SubElement(root, "record", id=xmlid, model=self._name)
            etree.SubElement(record, "field", name="is_custom", eval="True")
            for name in EXPORT_FIELDS:
                value = rule[name]
                if self._fields[name].type == "boolean":
                    etree.SubElement(record, "field", name=name, eval=str(bool(value)))
                elif value not in (False, None, ""):
                    etree.SubElement(record, "field", name=name).text = str(value)
        return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True,
                              pretty_print=True)

    def action_export_xml(self):
        """Download the selected custom rules as an XML data file."""
        rules = self.filtered("is_custom")
        if not rules:
            raise UserError(self.env._(
                "Select custom rules to export; the validator's own rules come with it."
            ))
        attachment = self.env["ir.attachment"].create({
            "name": "module_validator_custom_rules.xml",
            "raw": rules._export_xml(),
            "mimetype": "application/xml",
            "res_model": self._name,
            "res_id": rules[0].id,
        })
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_view_findings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_finding"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        return action
