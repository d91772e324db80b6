# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Action rules (ACT001-ACT004): window, server and scheduled actions."""

import ast

from ..index import full_xmlid
from .auto_installed import auto_installed_source, through_auto_install
from .registry import Issue, data_severity, rule

CRON_INTERVALS = ("minutes", "hours", "days", "weeks", "months")


@rule(
    "ACT001",
    title="Window actions open models of the closure, with views of the right kind",
    category="action", level="static", severity="error", impact="install",
    rationale="Odoo checks when it creates an ir.actions.act_window that res_model is "
    "a model of the registry. The model must come from the module or its "
    "dependencies; view_id and search_view_id must be views (ir.ui.view records).",
    bad='<field name="res_model">sale.order</field>   # without depending on sale',
    good="'depends': ['sale']  +  <field name=\"res_model\">sale.order</field>",
    remedy="Depend on the module that defines the model; fix the model or view xmlid.",
    prevents="ValidationError: Invalid model name \"x\" in action definition.",
)
def check_window_actions(ctx):
    module = ctx.module.name
    models = None
    for record in ctx.index.records:
        if record.tag != "record" or record.model != "ir.actions.act_window":
            continue
        res_model = record.get_field("res_model")
        if res_model is not None and not res_model.node.get("eval") and res_model.text.strip():
            if models is None:
                if not ctx.facts.closure_models_complete(module):
                    models = set()
                else:
                    models = ctx.facts.closure_models(module)
            name = res_model.text.strip()
            if models and name not in models and (through := auto_installed_source(ctx, name)):
                yield through_auto_install(record.path, res_model.line, f"res_model {name!r}", through,
                                           f"{record.xmlid}:res_model")
            elif models and name not in models:
                yield Issue(record.path, res_model.line,
                            f"res_model {name!r} is not a model of the module or its "
                            "dependencies.", severity=data_severity(record),
                            key=f"{record.xmlid}:res_model")
        for field_name in ("view_id", "search_view_id"):
            view_field = record.get_field(field_name)
            if view_field is None or not view_field.node.get("ref"):
                continue
            target = ctx.facts.closure_record_model(
                module, full_xmlid(module, view_field.node.get("ref")))
            if target and target not in ("ir.ui.view", "theme.ir.ui.view"):
                yield Issue(record.path, view_field.line,
                            f"{field_name} '{view_field.node.get('ref')}' is a {target} "
                            "record, not a view.", severity=data_severity(record),
                            key=f"{record.xmlid}:{field_name}")


@rule(
    "ACT002",
    title="Window actions use view modes that exist (no 'tree')",
    category="action", level="static", severity="warning", impact="runtime",
    rationale="Odoo 17.5 renamed the 'tree' view type to 'list'. Odoo installs an "
    "action whose view_mode still says 'tree' (in XML, or in an action dict returned "
    "by Python), and a view_mode with spaces, but the web client refuses to open "
    "them. Odoo refuses the install itself for an ir.actions.act_window.view with "
    "view_mode 'tree' (a selection) and for a view_mode that repeats a mode (a "
    "constraint): those findings are errors.",
    bad="<field name=\"view_mode\">tree,form</field>   /   'view_mode': 'tree,form'",
    good="<field name=\"view_mode\">list,form</field>   /   'view_mode': 'list,form'",
    remedy="Replace 'tree' by 'list' in every view_mode; remove spaces and duplicates.",
    prevents="View types not defined tree found in act_window action (when the action "
    "is opened) / ValidationError: The modes in view_mode must not be duplicated / "
    "ValueError: Wrong value for ir.actions.act_window.view.view_mode: 'tree'",
)
def check_view_modes(ctx):
    for record in ctx.index.records:
        if record.tag != "record" or record.model not in (
                "ir.actions.act_window", "ir.actions.act_window.view"):
            continue
        field = record.get_field("view_mode")
        if field is None or field.node.get("eval") or field.node.get("ref"):
            continue
        value = field.text.strip()
        modes = value.split(",")
        if "tree" in (mode.strip() for mode in modes):
            if record.model == "ir.actions.act_window.view":
                # A selection field: 'tree' is not one of its values.
                yield Issue(record.path, field.line, f"view_mode {value!r} is not a view type "
                            "of Odoo 18 ('tree' is now 'list'): the install fails.",
                            severity=data_severity(record) or "error", impact="install",
                            key=f"{record.xmlid}:tree")
            else:
                yield Issue(record.path, field.line,
                            f"view_mode {value!r} uses 'tree'; Odoo 18 calls it 'list': the "
                            "action installs, but the web client refuses to open it.",
                            key=f"{record.xmlid}:tree")
        if record.model == "ir.actions.act_window":
            if len(set(modes)) != len(modes):
                yield Issue(record.path, field.line, f"view_mode {value!r} repeats a mode: "
                            "the install fails.", severity=data_severity(record) or "error",
                            impact="install", key=f"{record.xmlid}:duplicate")
            elif " " in value:
                yield Issue(record.path, field.line, f"view_mode {value!r} contains spaces: "
                            "the web client cannot open the action.",
                            key=f"{record.xmlid}:spaces")
    for relative, summary in ctx.index.python.items():
        for line in summary.view_mode_tree:
            yield Issue(relative, line, "An action's view_mode uses 'tree'; Odoo 18 calls "
                        "it 'list' and the web client refuses the action.",
                        key=f"{relative}:{line}")


@rule(
    "ACT004",
    title="Scheduled actions are complete and use the 18.0 schema",
    category="action", level="static", severity="error", impact="install",
    rationale="A new ir.cron record is also a server action: it needs a name and a "
    "model_id (NOT NULL columns) unless ir_actions_server_id links an existing server "
    "action, which brings them; interval_type must be one of minutes, hours, "
    "days, weeks, months. (Fields removed in 17.3/18.0, such as numbercall and doall, "
    "are DAT005's.)",
    bad='<record id="cron_x" model="ir.cron"><field name="interval_type">day</field></record>',
    good='<record id="cron_x" model="ir.cron">\n    <field name="name">X</field>\n'
    '    <field name="model_id" ref="model_x_thing"/>\n    <field name="state">code</field>\n'
    '    <field name="code">model._cron_x()</field>\n'
    '    <field name="interval_type">days</field>\n</record>',
    remedy="Give name, model_id, state/code and a valid interval_type.",
    prevents="ValueError: Wrong value for ir.cron.interval_type / psycopg2 "
    "NotNullViolation: null value in column \"model_id\"",
)
def check_crons(ctx):
    module = ctx.module.name
    for record in ctx.index.records:
        if record.tag != "record" or record.model != "ir.cron":
            continue
        interval = record.get_field("interval_type")
        if (interval is not None and not interval.node.get("eval")
                and interval.text.strip() not in CRON_INTERVALS):
            yield Issue(record.path, interval.line,
                        f"interval_type {interval.text.strip()!r} is not one of "
                        f"{', '.join(CRON_INTERVALS)}.", severity=data_severity(record),
                        key=f"{record.xmlid}:interval_type")
        if not _creates(ctx, module, record):
            continue
        if record.get_field("ir_actions_server_id") is not None:
            # ir.cron delegates to ir.actions.server (_inherits): given an existing
            # server action, create() links it and its name and model_id are the cron's.
            continue
        for required in ("name", "model_id"):
            if record.get_field(required) is None:
                yield Issue(record.path, record.line,
                            f"The scheduled action has no {required}; creating it fails.",
                            severity=data_severity(record), key=f"{record.xmlid}:{required}")


def _creates(ctx, module, record):
    """True when loading ``record`` creates a new row rather than updating one."""
    if not record.xmlid:
        return True
    xmlid = full_xmlid(module, record.xmlid)
    if xmlid.partition(".")[0] != module:
        return False
    return ctx.index.xmlid_definitions.get(xmlid, [record])[0] is record


@rule(
    "ACT003",
    title="Server action and scheduled action code passes safe_eval's check",
    category="action", level="static", severity="error", impact="install",
    rationale="Odoo checks the code of every ir.actions.server and ir.cron record when "
    "it creates it (a constraint running safe_eval's test_python_expr): a syntax error, "
    "an import or a dunder name aborts the install.",
    bad='<field name="code">model._cron_cleanup(</field>',
    good='<field name="code">model._cron_cleanup()</field>',
    remedy="Fix the Python in the code field.",
    prevents="ValidationError: SyntaxError ... (in the code of a server action)",
)
def check_action_code(ctx):
    for record in ctx.index.records:
        if record.tag != "record" or record.model not in ("ir.actions.server", "ir.cron"):
            continue
        code = record.get_field("code")
        if code is None or code.node.get("eval") or code.node.get("ref"):
            continue
        try:
            compile(code.text.strip(), f"{record.path}:{code.line}", "exec", ast.PyCF_ONLY_AST)
        except SyntaxError as error:
            yield Issue(record.path, code.line, f"The code does not compile: {error.msg} "
                        f"(line {error.lineno} of the code).", severity=data_severity(record),
                        key=f"{record.xmlid}:code")
            continue
        refused = _refused_by_safe_eval(code.text.strip())
        if refused:
            yield Issue(record.path, code.line, f"Odoo's safe_eval refuses the code: {refused}",
                        severity=data_severity(record), key=f"{record.xmlid}:code")


def _refused_by_safe_eval(code):
    """The message of Odoo's own check (ir.actions.server._check_python_code), or None.

    It compiles the code and walks its opcodes (no import, no dunder names);
    nothing is run. Without Odoo importable the compile check above stands alone.
    """
    try:
        from odoo.tools.safe_eval import test_python_expr  # noqa: PLC0415 - Odoo's code, not the target's
    except ImportError:
        return None
    message = test_python_expr(expr=code, mode="exec")
    return message.strip().splitlines()[0][:300] if message else None
