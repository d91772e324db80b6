# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Import custom rules from an XML data file exported by another database.

The uploaded file is hostile input: it is parsed without DTDs, entities or
network access, only ``<record model="module.validator.rule">`` elements with
known ``<field>`` children are accepted, and nothing in it is evaluated
(``eval`` attributes may only hold a literal boolean or number).
"""

import ast
import base64
import binascii

from lxml import etree

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.module_validator_rule import EXPORT_FIELDS

MAX_IMPORT_BYTES = 1024 * 1024
MAX_IMPORT_RECORDS = 500
IMPORT_FIELDS = frozenset((*EXPORT_FIELDS, "is_custom"))
RULE_MODEL = "module.validator.rule"


class RuleFileError(ValueError):
    """An uploaded rule file that cannot be imported; the message says why."""


def _parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True, remove_pis=True,
    )


def parse_rule_file(data, field_types, choices=None):
    """``[vals]`` of the custom rules in an XML data file (bytes).

    ``field_types`` maps each importable field to its Odoo field type, and
    ``choices`` each selection field to its allowed values. Raises
    RuleFileError with a message fit for the user.
    """
    if not data:
        raise RuleFileError("The file is empty.")
    if len(data) > MAX_IMPORT_BYTES:
        raise RuleFileError("The file is larger than 1 MiB.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise RuleFileError(f"The file is not well-formed XML: {error.msg} (line {error.lineno}).") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise RuleFileError("DOCTYPE declarations are not accepted in a rule file.")
    if root.tag not in ("odoo", "openerp"):
        raise RuleFileError(f"The root element must be <odoo>, not <{root.tag}>.")
    records = []
    for element in root:
        if element.tag == "data":
            records.extend(element)
        else:
            records.append(element)
    values = []
    for element in records:
        if element.tag is etree.Entity or not isinstance(element.tag, str):
            raise RuleFileError(f"Line {element.sourceline}: entities are not accepted.")
        if element.tag != "record":
            raise RuleFileError(f"Line {element.sourceline}: only <record> elements are accepted, "
                                f"not <{element.tag}>.")
        if element.get("model") != RULE_MODEL:
            raise RuleFileError(f"Line {element.sourceline}: only records of model {RULE_MODEL} "
                                f"are accepted, not {element.get('model')!r}.")
        if len(values) >= MAX_IMPORT_RECORDS:
            raise RuleFileError(f"The file holds more than {MAX_IMPORT_RECORDS} rules.")
        values.append(_record_values(element, field_types, choices or {}))
    if not values:
        raise RuleFileError(f"The file holds no <record model=\"{RULE_MODEL}\">.")
    return values


def _record_values(record, field_types, choices):
    vals = {}
    for node in record:
        if not isinstance(node.tag, str):
            raise RuleFileError(f"Line {node.sourceline}: entities are not accepted.")
        name = node.get("name")
        if node.tag != "field" or name not in IMPORT_FIELDS:
            raise RuleFileError(
                f"Line {node.sourceline}: unknown field {name or node.tag!r}; a rule record "
                f"accepts only {', '.join(sorted(IMPORT_FIELDS))}."
            )
        if set(node.attrib) - {"name", "eval"} or len(node):
            raise RuleFileError(f"Line {node.sourceline}: field {name} must hold plain text "
                                "(no ref, search, type or child elements).")
        vals[name] = _field_value(node, name, field_types[name])
        if name in choices and vals[name] not in choices[name]:
            raise RuleFileError(f"Line {node.sourceline}: field {name} must be one of "
                                f"{', '.join(choices[name])}, not {vals[name]!r}.")
    if "is_custom" in vals and vals["is_custom"] is not True:
        raise RuleFileError(f"Line {record.sourceline}: only custom rules (is_custom True) "
                            "can be imported.")
    vals.pop("is_custom", None)
    if not vals.get("code"):
        raise RuleFileError(f"Line {record.sourceline}: the rule has no code.")
    return vals


def _field_value(node, name, field_type):
    where = f"Line {node.sourceline}: field {name}"
    if node.get("eval") is not None:
        try:
            value = ast.literal_eval(node.get("eval").strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            raise RuleFileError(f"{where}: eval must be a literal True, False or number.") from None
        if not isinstance(value, bool | int | float):
            raise RuleFileError(f"{where}: eval must be a literal True, False or number.")
    else:
        value = node.text or ""
    if field_type == "boolean":
        if isinstance(value, str):
            if value.strip() not in ("True", "False", "1", "0", ""):
                raise RuleFileError(f"{where}: expected True or False.")
            value = value.strip() in ("True", "1")
        return bool(value)
    if field_type == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise RuleFileError(f"{where}: expected a number.") from None
    if isinstance(value, bool) or not isinstance(value, str):
        raise RuleFileError(f"{where}: expected text.")
    if field_type in ("char", "selection"):
        value = value.strip()
    return value or False


class ModuleValidatorRuleImport(models.TransientModel):
    _name = "module.validator.rule.import"
    _description = "Module Validator - Import Custom Rules"

    file = fields.Binary(string="XML file", required=True, attachment=False)
    filename = fields.Char()
    overwrite = fields.Boolean(
        string="Update existing rules", default=True,
        help="A rule whose code already exists here is updated from the file; "
        "otherwise it is left as it is.",
    )

    def action_import(self):
        """Create or update the custom rules of the file; opens them."""
        self.ensure_one()
        rules = self._import_rules(self._file_bytes(), overwrite=self.overwrite)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_rule_custom"
        )
        action["domain"] = [("id", "in", rules.ids)]
        return action

    def _file_bytes(self):
        try:
            return base64.b64decode(self.file or b"", validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("The uploaded file could not be read.")) from None

    def _import_rules(self, data, overwrite=True):
        """The custom rules created or updated from ``data`` (XML bytes)."""
        Rule = self.env["module.validator.rule"]
        field_types = {name: Rule._fields[name].type for name in IMPORT_FIELDS}
        choices = {
            name: [value for value, _label in Rule._fields[name]._description_selection(self.env)]
            for name in IMPORT_FIELDS if field_types[name] == "selection"
        }
        try:
            values = parse_rule_file(data, field_types, choices)
        except RuleFileError as error:
            raise UserError(self.env._("This rule file cannot be imported: %(reason)s",
                                       reason=str(error))) from None
        codes = [vals["code"] for vals in values]
        if len(set(codes)) != len(codes):
            raise UserError(self.env._("The file defines the same rule code twice."))
        existing = {
            rule.code: rule
            for rule in Rule.with_context(active_test=False).search([("code", "in", codes)])
        }
        imported = Rule
        to_create = []
        for vals in values:
            rule = existing.get(vals["code"])
            if rule and not rule.is_custom:
                raise UserError(self.env._(
                    "Rule %(code)s is one of the validator's own rules; it cannot be imported.",
                    code=rule.code,
                ))
            if rule:
                if overwrite:
                    rule.write(vals)
                imported |= rule
            else:
                missing = [name for name in ("name", "custom_kind", "pattern") if not vals.get(name)]
                if missing:
                    raise UserError(self.env._(
                        "Rule %(code)s in the file has no %(fields)s.",
                        code=vals["code"], fields=", ".join(missing),
                    ))
                to_create.append(dict(vals, is_custom=True))
        return imported | Rule.create(to_create)
