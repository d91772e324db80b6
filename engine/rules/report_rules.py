# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Report rules (ACT005): ir.actions.report records name things that exist."""

from ..index import VIEW_MODELS, full_xmlid
from .registry import Issue, data_severity, rule
from .settings_rules import selection_values
from .xmlid_rules import defined_in_unlisted_file

REPORT_MODEL = "ir.actions.report"
# base/models/ir_actions_report.py report_type; modules may add more with selection_add.
BASE_REPORT_TYPES = frozenset(("qweb-html", "qweb-pdf", "qweb-text"))


def _literal_field(record, name):
    """Text of a plain ``<field name=...>value</field>``, or None (absent, eval, ref...)."""
    data_field = record.get_field(name)
    if data_field is None or data_field.node is None:
        return None
    if any(data_field.node.get(attribute) for attribute in ("eval", "ref", "search")):
        return None
    return data_field


def _template_known(ctx, name):
    """True/None when the closure has/may have a template ``name``; False if it surely has not."""
    module = ctx.module.name
    owner = name.partition(".")[0]
    exists = ctx.facts.xmlid_exists(module, name)
    if exists is not False:
        return exists
    # _get_view_id looks a view up by key before its xmlid; a key may be given explicitly.
    for other in ctx.facts.scope(module):
        for record in ctx.facts.index(other).records:
            if record.model in VIEW_MODELS and record.tag == "record":
                key = record.get_field("key")
                if key is not None and key.text.strip() == name:
                    return True
    if defined_in_unlisted_file(ctx.facts, owner, name):
        return None
    return False


@rule(
    "ACT005",
    title="Report actions name existing models, templates and paper formats",
    category="action", level="static", severity="warning", impact="runtime",
    rationale="An ir.actions.report record is created without looking at what it "
    "names: a model that is not in the module's dependencies, a report_name that is "
    "no QWeb template of the closure (Odoo looks it up by key, then by xmlid), or a "
    "paperformat_id that is not a report.paperformat record installs fine and fails "
    "when a user prints. A report_type that is not a value of the selection fails "
    "at once, when the record is created.",
    bad='<record id="report_x" model="ir.actions.report">\n'
    '    <field name="model">x.thing</field>\n'
    '    <field name="report_type">pdf</field>\n'
    '    <field name="report_name">x.report_thing_typo</field>\n</record>',
    good='<record id="report_x" model="ir.actions.report">\n'
    '    <field name="model">x.thing</field>\n'
    '    <field name="report_type">qweb-pdf</field>\n'
    '    <field name="report_name">x.report_thing</field>   <!-- <template id="report_thing"> -->\n'
    '</record>',
    remedy="Name a model of the closure, the full xmlid (module.template_id) of a "
    "template the module or its dependencies define, a report.paperformat record, "
    "and a report_type among qweb-pdf, qweb-html, qweb-text (or one a dependency adds).",
    prevents="ValueError: Wrong value for ir.actions.report.report_type: 'pdf' (install) / "
    "ValueError: External ID not found in the system / KeyError: 'x.thing' (at print time)",
)
def check_reports(ctx):
    module = ctx.module.name
    facts = ctx.facts
    scope = set(facts.scope(module))
    models_known = (facts.closure_models_complete(module)
                    and facts.closure_python_models(module).all_named)
    models = facts.closure_models(module) if models_known else set()
    report_types = selection_values(facts, module, REPORT_MODEL, "report_type")
    for record in ctx.index.records:
        if record.tag != "record" or record.model != REPORT_MODEL:
            continue
        what = record.xmlid or "report"
        severity = data_severity(record)
        model_field = _literal_field(record, "model")
        model = model_field.text.strip() if model_field is not None else ""
        if models_known and model and model not in models:
            yield Issue(record.path, model_field.line,
                        f"{what}: the model {model!r} is not a model of the module or its "
                        "dependencies.", severity="warning", key=f"{what}:model")
        type_field = _literal_field(record, "report_type")
        report_type = type_field.text.strip() if type_field is not None else None
        if report_type and report_types is not None and report_type not in report_types:
            yield Issue(record.path, type_field.line,
                        f"{what}: report_type {report_type!r} is not one of "
                        f"{', '.join(sorted(report_types))}.",
                        severity=severity or "error", key=f"{what}:report_type")
        # A record updating another module's report keeps that report's type.
        creates = record.xmlid is None or full_xmlid(module, record.xmlid).startswith(module + ".")
        if report_type is None and creates and record.get_field("report_type") is None:
            report_type = "qweb-pdf"  # the field's default
        name_field = _literal_field(record, "report_name")
        name = name_field.text.strip() if name_field is not None else ""
        if name and report_type in BASE_REPORT_TYPES:
            problem = None
            owner = name.partition(".")[0]
            if "." not in name:
                problem = "is not a full template xmlid (module.template)"
            elif owner not in scope:
                problem = f"belongs to {owner!r}, which is not in the dependencies"
            elif _template_known(ctx, name) is False:
                problem = "is not a QWeb template of the module or its dependencies"
            if problem:
                yield Issue(record.path, name_field.line,
                            f"{what}: report_name {name!r} {problem}.",
                            severity="warning", key=f"{what}:report_name")
        paper = record.get_field("paperformat_id")
        ref = paper.node.get("ref") if paper is not None and paper.node is not None else None
        if ref:
            target = full_xmlid(module, ref)
            target_model = facts.closure_record_model(module, target)
            if target_model and target_model != "report.paperformat":
                yield Issue(record.path, paper.line,
                            f"{what}: paperformat_id '{ref}' is a {target_model} record, not a "
                            "report.paperformat.", severity="warning", key=f"{what}:paperformat")
