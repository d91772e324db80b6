# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Data file rules (DAT003, DAT004, DAT005, DAT007): what Odoo's XML loader will do with each record."""

from ..index import full_xmlid
from .auto_installed import auto_installed_source, through_auto_install
from .expression_names import expression_names
from .field_origin import foreign_field_modules
from .registry import Issue, data_severity, rule, translation_only

# What convert.py's safe_eval gives eval/search expressions (tools/safe_eval.py
# _BUILTINS plus convert.py _get_idref), besides the ids of records loaded so far.
EVAL_NAMES = frozenset((
    "True", "False", "None", "bytes", "str", "unicode", "bool", "int", "float",
    "enumerate", "dict", "list", "tuple", "map", "abs", "min", "max", "sum", "reduce",
    "filter", "sorted", "round", "len", "repr", "set", "all", "any", "ord", "chr",
    "divmod", "isinstance", "range", "xrange", "zip", "Exception",
    "Command", "time", "DateTime", "datetime", "timedelta", "relativedelta", "version",
    "ref", "pytz", "obj",
))
# Tags Odoo 17 stopped loading; the 18.0 schema still accepts them, so they vanish silently.
REMOVED_SHORTCUTS = {
    "act_window": "a <record model=\"ir.actions.act_window\">",
    "report": "a <record model=\"ir.actions.report\">",
}
# Fields removed from core models, with what replaces them.
REMOVED_FIELDS = {
    ("ir.cron", "numbercall"): "ir.cron has no repeat count since 17.3; the job "
    "runs until deactivated (a job may deactivate itself)",
    ("ir.cron", "doall"): "missed runs are no longer replayed since 17.3",
    ("ir.cron", "function"): "set model_id, state='code' and code",
    ("ir.cron", "args"): "pass arguments in the code field",
    ("ir.actions.act_window", "view_type"): "view_type was removed in 13.0; drop it",
}


@rule(
    "DAT003",
    title="No removed shortcut tags in data files",
    category="data", level="static", severity="warning", impact="runtime",
    rationale="Odoo 18 loads only <record>, <menuitem>, <template>, <function> and "
    "<delete>. The <act_window> and <report> shortcuts were removed in 17.0 but the "
    "schema still accepts them: they are skipped without a word and every reference "
    "to them then fails with 'External ID not found'.",
    bad='<act_window id="action_x" name="X" res_model="x.model"/>',
    good='<record id="action_x" model="ir.actions.act_window">\n'
    '    <field name="name">X</field><field name="res_model">x.model</field>\n</record>',
    remedy="Rewrite shortcuts as <record> elements.",
    prevents="Records silently missing, then External ID not found / (19.0) The XML file "
    "does not fit the required schema",
    series_note="19.0 removed both tags from its data schema (import_xml.rng): the file "
    "does not fit the schema and the install fails, an error there.",
)
def check_ignored_tags(ctx):
    refused = ctx.facts.series != "18.0"
    for data_file in ctx.index.data_files:
        for tag, line in data_file.ignored_tags:
            advice = REMOVED_SHORTCUTS.get(tag)
            if advice is None:
                continue  # import_xml.rng rejects any other tag: DAT002's error
            if refused:
                yield Issue(data_file.path, line, f"<{tag}> is not in Odoo {ctx.facts.series}'s data "
                            f"schema: the file is refused and the install fails; use {advice}.",
                            severity="error", impact="install", key=f"{tag}:{line}")
            else:
                yield Issue(data_file.path, line, f"<{tag}> is no longer loaded since Odoo 17; "
                            f"use {advice}.", key=f"{tag}:{line}")


VALUE_TYPES = ("char", "int", "float", "list", "tuple", "base64", "file", "xml", "html")


def _value_problem(ctx, node):
    """Why convert.py would fail on this <field>'s value, or None."""
    if node.get("eval") or node.get("ref") or node.get("search"):
        return None
    value_type = node.get("type", "char")
    text = (node.text or "").strip()
    if value_type not in VALUE_TYPES:
        return f"unknown type {value_type!r} (one of {', '.join(VALUE_TYPES)})"
    if node.get("file"):
        module, _slash, relative = node.get("file").partition("/")
        if module in ctx.facts.catalog and not ctx.facts.index(module).exact_case_exists(relative):
            return f"file {node.get('file')!r} does not exist"
        return None
    if value_type == "base64":
        return "type 'base64' needs a file= attribute"
    if value_type == "file" and text and not ctx.index.exact_case_exists(text):
        return f"file {text!r} does not exist in the module"
    if value_type == "int" and text != "None":
        try:
            int(text)
        except ValueError:
            return f"{text!r} is not an integer"
    if value_type == "float":
        try:
            float(text)
        except ValueError:
            return f"{text!r} is not a number"
    return None


@rule(
    "DAT006",
    title="Typed field values parse and files exist",
    category="data", level="static", severity="error", impact="install",
    rationale="convert.py converts a <field>'s text by its type= attribute: int and "
    "float must parse, type must be one Odoo knows, and file= / type=\"file\" paths "
    "must exist (they are read at install; names are case-sensitive on Linux).",
    bad='<field name="sequence" type="int">ten</field>  '
    '<field name="image_1920" type="base64" file="my_module/static/img/Logo.png"/>',
    good='<field name="sequence" type="int">10</field>  '
    '<field name="image_1920" type="base64" file="my_module/static/img/logo.png"/>',
    remedy="Fix the value, the type, or the file path (module/relative/path).",
    prevents="ValueError: invalid literal for int() / Unknown type / FileNotFoundError",
)
def check_field_values(ctx):
    for record in ctx.index.records:
        if record.tag != "record":
            continue
        for data_field in record.fields:
            problem = _value_problem(ctx, data_field.node)
            if problem:
                yield Issue(record.path, data_field.line, f"{data_field.name}: {problem}.",
                            severity=data_severity(record),
                            key=f"{record.xmlid}:{data_field.name}")


@rule(
    "DAT007",
    title="eval, search and context expressions are valid Python",
    category="data", level="static", severity="error", impact="install",
    rationale="Odoo evaluates eval=, search= and context= attributes with safe_eval "
    "while loading. A syntax error, or a name that is neither a builtin, nor one of "
    "ref, obj, time, datetime, timedelta, relativedelta, Command, version, pytz, nor "
    "the id of a record loaded before, aborts the install.",
    bad='<field name="interval_number" eval="1 +"/>  <field name="date" eval="today()"/>',
    good='<field name="date" eval="(DateTime.today() + timedelta(days=1)).strftime(\'%Y-%m-%d\')"/>',
    remedy="Fix the expression; use only the names available to data files.",
    prevents="ERROR Could not eval(...) for X in Y / SyntaxError / NameError",
)
def check_expressions(ctx):
    own_ids = {record.xmlid for record in ctx.index.records if record.xmlid}
    for record in ctx.index.records:
        for expression, line, what in record.expressions:
            error, names = expression_names(expression.strip())
            if error:
                yield Issue(record.path, line, f"{what}: {error} in {expression.strip()!r:.120}.",
                            severity=data_severity(record), key=f"{record.xmlid}:{what}:syntax")
                continue
            if what == "context":
                continue  # evaluated with other names, depending on the caller
            unknown = sorted(names - EVAL_NAMES - own_ids)
            if unknown:
                yield Issue(record.path, line,
                            f"{what}: unknown name(s) {', '.join(unknown)} in "
                            f"{expression.strip()!r:.120}.",
                            severity=data_severity(record), key=f"{record.xmlid}:{what}:names")


@rule(
    "DAT004",
    title="Records are of models the closure defines",
    category="data", level="static", severity="error", impact="install",
    rationale="Each <record model>, <function model> and CSV file names a model that "
    "must exist when the file loads: defined by the module or a module it depends "
    "on. A model that only exists because another module is installed locally makes "
    "the install fail elsewhere.",
    bad='<record id="x" model="sale.order"/>   # without depending on sale',
    good="'depends': ['sale']",
    remedy="Depend on the module that defines the model, or fix its name.",
    prevents="KeyError: 'model.name' (ParseError while parsing the file)",
)
def check_record_models(ctx):
    models = None
    for record in ctx.index.records:
        if record.tag not in ("record", "function") or not record.model:
            continue
        if models is None:
            if not ctx.facts.closure_models_complete(ctx.module.name):
                return
            models = ctx.facts.closure_models(ctx.module.name)
        if record.model not in models and (through := auto_installed_source(ctx, record.model)):
            yield through_auto_install(record.path, record.line, f"The model {record.model!r}", through,
                                       f"{record.model}:{record.xmlid}")
        elif record.model not in models:
            yield Issue(record.path, record.line,
                        f"No model {record.model!r} in the module or its dependencies.",
                        severity=data_severity(record),
                        key=f"{record.model}:{record.xmlid}")


@rule(
    "DAT005",
    title="Record fields exist on the record's model",
    category="data", level="static", severity="error", impact="install",
    rationale="Each <field name> of a <record> must be a field of its model in the "
    "module's closure. Fields removed from Odoo are the classic case after a "
    "migration: ir.cron numbercall, doall, function and args are gone in 18.0, "
    "ir.actions.act_window view_type long before.",
    bad='<record id="cron_x" model="ir.cron"><field name="numbercall">-1</field></record>',
    good='<record id="cron_x" model="ir.cron"><field name="interval_number">1</field></record>',
    remedy="Remove or rename the field; depend on the module that adds it.",
    prevents="ValueError: Invalid field 'numbercall' on model 'ir.cron'",
)
def check_record_fields(ctx):
    module = ctx.module.name
    for record in ctx.index.records:
        if record.tag != "record" or not record.model:
            continue
        known = ctx.facts.closure_model_fields(module, record.model)
        if known is None:
            continue
        for data_field in record.fields:
            name = data_field.name
            if (not name or name in known or translation_only(name, ctx.facts.series)
                    or foreign_field_modules(ctx, record.model, name)):
                continue  # a field present here through a module outside the closure: DEP006
            if through := auto_installed_source(ctx, record.model, name):
                yield through_auto_install(record.path,
                                           data_field.line, f"The field {record.model}.{name}", through,
                                           f"{record.xmlid}:{name}")
                continue
            advice = REMOVED_FIELDS.get((record.model, name))
            yield Issue(record.path, data_field.line,
                        f"{record.model} has no field {name!r}"
                        + (f" ({advice})." if advice else " in the module or its dependencies."),
                        severity=data_severity(record),
                        key=f"{record.xmlid}:{name}")


@rule(
    "DAT016",
    title="Menus point at actions and menus",
    category="data", level="static", severity="error", impact="install",
    rationale="A <menuitem>'s action must be an action record (ir.actions.*) and its "
    "parent a menu; its sequence an integer. Anything else fails when the menu is "
    "created or, for a wrong action model, when the menu is opened.",
    bad='<menuitem id="menu_x" action="view_x_form" sequence="ten"/>',
    good='<menuitem id="menu_x" action="action_x" sequence="10"/>',
    remedy="Point action= at an ir.actions.* record and parent= at a menu; use an "
    "integer sequence.",
    prevents="ValueError: invalid literal for int() / wrong action type on the menu",
)
def check_menus(ctx):
    module = ctx.module.name
    for record in ctx.index.records:
        if record.tag != "menuitem":
            continue
        for ref in record.refs:
            if ref.via not in ("action", "parent"):
                continue
            model = ctx.facts.closure_record_model(module, full_xmlid(module, ref.xmlid))
            if model is None:
                continue
            wrong = (not model.startswith("ir.actions.")) if ref.via == "action" else (
                model != "ir.ui.menu")
            if wrong:
                expected = "an action" if ref.via == "action" else "a menu"
                yield Issue(record.path, ref.line,
                            f"{ref.via} '{ref.xmlid}' is a {model} record, not {expected}.",
                            severity=data_severity(record), key=f"{record.xmlid}:{ref.via}")
        sequence = record.sequence
        if sequence is not None and not sequence.strip().lstrip("-").isdigit():
            yield Issue(record.path, record.line,
                        f"sequence {sequence!r} is not an integer.",
                        severity=data_severity(record), key=f"{record.xmlid}:sequence")


@rule(
    "DAT009",
    title="<function> calls a method of its model",
    category="data", level="static", severity="error", impact="install",
    rationale="A <function model=... name=...> tag calls the method while the file "
    "loads; a method that the model does not have in the module's closure aborts "
    "the install.",
    bad='<function model="res.partner" name="_install_defaults"/>   # no such method',
    good='<function model="res.partner" name="_install_default_partners"/>',
    remedy="Fix the method name, or depend on the module that defines the method.",
    prevents="AttributeError: The method 'x' does not exist on the model 'y'",
)
def check_functions(ctx):
    models = ctx.facts.closure_python_models(ctx.module.name)
    for record in ctx.index.records:
        if record.tag != "function" or not record.model:
            continue
        method = record.method
        methods = models.methods(record.model)
        if method and methods is not None and method not in methods:
            yield Issue(record.path, record.line,
                        f"{record.model} has no method {method!r}.",
                        severity=data_severity(record), key=f"{record.model}:{method}")
