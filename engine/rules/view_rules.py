# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""View rules (VIEW): each view's arch, as Odoo validates it when the view is created."""

import re

from lxml import etree

from ..index import PERCENT_REF_RE, full_xmlid
from .auto_installed import auto_installed_source, through_auto_install
from .expression_names import expression_names
from .field_origin import foreign_field_modules
from .registry import Issue, data_severity, rule
from .view_combine import ViewCombiner

# Root tags of the view types Odoo 18 community registers (ir.ui.view type).
VIEW_ROOTS = {
    "list", "form", "graph", "pivot", "calendar", "kanban", "search", "qweb",
    "activity", "hierarchy", "gantt", "map", "cohort", "grid",
}
POSITIONS = {"inside", "after", "before", "replace", "attributes", "move"}
# A "tree" step in an xpath: //tree, /tree[...], field[@name='x']/tree
TREE_STEP_RE = re.compile(r"(?:^|/)\s*tree\s*(?=$|[/\[])")
FIELD_STEP_RE = re.compile(r"field\[@name\s*=\s*['\"]([\w.]+)['\"]\]")
MAX_INHERITANCE_DEPTH = 20
# Modifier attributes whose names Odoo checks against the model's fields; not
# column_invisible, which reads the parent record's context in sub-views.
MODIFIERS = ("invisible", "readonly", "required")
# Names a modifier may use besides fields (tools/view_validation.py IGNORED_IN_EXPRESSION).
MODIFIER_NAMES = frozenset((
    "True", "False", "None", "self", "uid", "context", "context_today",
    "allowed_company_ids", "current_company_id", "time", "datetime", "relativedelta",
    "current_date", "today", "now", "abs", "len", "bool", "float", "str", "unicode", "set",
    "parent", "id",
))
# Elements (the node itself included) whose text or an attribute names tree_view_ref.
MENTIONS_TREE_VIEW_REF = etree.XPath(
    "descendant-or-self::*[@*[contains(., 'tree_view_ref')] or contains(text(), 'tree_view_ref')]"
)


def _resolve_view(ctx, view, depth=0):
    """``(model, type)`` of a view, following inherit_id through the closure."""
    model = view.model
    view_type = view.type or ("qweb" if view.qweb else None)
    if view.inherit_ref is None:
        if view_type is None and view.root is not None and view.root.tag in VIEW_ROOTS:
            view_type = view.root.tag
        return model, view_type
    if (model and view_type) or depth > MAX_INHERITANCE_DEPTH:
        return model, view_type
    parent = _parent_view(ctx, view)
    if parent is None:
        return model, view_type
    parent_model, parent_type = _resolve_view(ctx, parent, depth + 1)
    return model or parent_model, view_type or parent_type


def _parent_view(ctx, view):
    if not view.inherit_ref:
        return None
    xmlid = full_xmlid(ctx.module.name, view.inherit_ref)
    return ctx.facts.closure_view(ctx.module.name, xmlid)


def _is_inheriting(view):
    return view.inherit_ref is not None


def _arch_views(ctx):
    """``(view, model, type)`` of the module's views that have an arch, qweb excluded;
    resolved once per module for the many view rules."""
    return ctx.facts.memo(("arch_views", ctx.module.name), lambda: list(_resolved_arch_views(ctx)))


def _resolved_arch_views(ctx):
    for view in ctx.index.views:
        if view.qweb or view.arch is None or view.root is None:
            continue
        model, view_type = _resolve_view(ctx, view)
        if view_type is None or view_type == "qweb":
            continue  # QWeb, or a parent the static level cannot see
        yield view, model, view_type


def _specs(view):
    """The inheritance specs of an inheriting view's arch."""
    root = view.root
    if root is None:
        return []
    if root.tag == "data":
        return [spec for spec in root if isinstance(spec.tag, str)]
    return [root]


@rule(
    "VIEW001",
    title="No <tree> views in Odoo 18 (renamed <list>)",
    category="view", level="static", severity="error", impact="install",
    rationale="Odoo 17.5 renamed the list view: the root tag is <list>, the view "
    "type 'list'. A <tree> root gives a view type Odoo 18 does not know, and an "
    "inheriting view whose xpath looks for 'tree' no longer finds its target; "
    "both abort the install.",
    bad='<list string="Orders"> ... </list>  ->  written as <tree string="Orders">; '
    '<xpath expr="//tree" position="inside">',
    good='<list string="Orders"> ... </list>; <xpath expr="//list" position="inside">',
    remedy="Rename <tree> to <list>, type 'tree' to 'list', //tree to //list "
    "(Odoo's upgrade_code/17.5-01-tree-to-list.py script does it).",
    prevents="ValueError: Wrong value for ir.ui.view.type: 'tree' / Element "
    "'<xpath expr=\"//tree\">' cannot be located in parent view",
)
def check_tree_views(ctx):
    for view in ctx.index.views:
        record = view.record
        if view.type == "tree":
            yield Issue(record.path, record.get_field("type").line,
                        "The view type 'tree' no longer exists; use 'list'.",
                        severity=data_severity(record), key=f"{record.xmlid}:type")
        if view.qweb or view.arch is None or view.root is None:
            continue
        root = view.root
        if not _is_inheriting(view):
            if root.tag == "tree":
                yield Issue(record.path, root.sourceline,
                            "<tree> views no longer exist in Odoo 18; use <list>.",
                            severity=data_severity(record), key=f"{record.xmlid}:root")
            continue
        for spec in _specs(view):
            if spec.tag == "xpath" and TREE_STEP_RE.search(spec.get("expr") or ""):
                yield Issue(record.path, spec.sourceline,
                            f"The xpath {spec.get('expr')!r} looks for <tree>; the parent "
                            "view now has <list>.", severity=data_severity(record),
                            key=f"{record.xmlid}:{spec.get('expr')}")
            elif spec.tag == "tree":
                yield Issue(record.path, spec.sourceline,
                            "The spec <tree> cannot be located; use <list>.",
                            severity=data_severity(record), key=f"{record.xmlid}:spec")


@rule(
    "VIEW002",
    title="No attrs or states attributes in views",
    category="view", level="static", severity="error", impact="install",
    rationale="Since 17.0 Odoo refuses any view (other than QWeb) whose combined "
    "arch still has an 'attrs' or 'states' attribute, also when an inheriting "
    "view sets it through <attribute name=\"attrs\">.",
    bad="<field name=\"date\" attrs=\"{'invisible': [('state', '=', 'draft')]}\"/>",
    good="<field name=\"date\" invisible=\"state == 'draft'\"/>",
    remedy="Write the condition as a Python expression in invisible=, readonly=, "
    "required= (and column_invisible= in lists); replace states= by invisible=.",
    prevents='ValidationError: Since 17.0, the "attrs" and "states" attributes are '
    "no longer used.",
)
def check_attrs_states(ctx):
    for view, _model, _type in _arch_views(ctx):
        record = view.record
        for node in view.root.iter():
            if not isinstance(node.tag, str):
                continue
            names = [a for a in ("attrs", "states") if a in node.attrib]
            if node.tag == "attribute" and node.get("name") in ("attrs", "states"):
                names.append(node.get("name"))
            for name in names:
                yield Issue(record.path, node.sourceline,
                            f"'{name}' is no longer supported (since 17.0); use "
                            "invisible/readonly/required expressions.",
                            severity=data_severity(record),
                            key=f"{record.xmlid}:{node.sourceline}:{name}")


@rule(
    "VIEW003",
    title="Views are of models the closure defines",
    category="view", level="static", severity="error", impact="install",
    rationale="A view's model must exist when the view is created: defined by the "
    "module or a module it depends on.",
    bad='<field name="model">sale.order</field>   # without depending on sale',
    good="'depends': ['sale']",
    remedy="Fix the model name or depend on the module that defines it.",
    prevents="ValidationError: Model not found: X",
)
def check_view_models(ctx):
    models = None
    for view in ctx.index.views:
        if view.model is None or view.qweb:
            continue
        if models is None:
            if not ctx.facts.closure_models_complete(ctx.module.name):
                return
            models = ctx.facts.closure_models(ctx.module.name)
        if view.model not in models:
            field = view.record.get_field("model")
            if through := auto_installed_source(ctx, view.model):
                yield through_auto_install(view.record.path, field.line, f"The model {view.model!r}", through,
                                           f"{view.record.xmlid}:{view.model}")
                continue
            yield Issue(view.record.path, field.line,
                        f"No model {view.model!r} in the module or its dependencies.",
                        key=f"{view.record.xmlid}:{view.model}")


def _x2many_comodels(ctx, model, depth=2):
    """Models of the x2many fields of ``model`` (sub-view contexts), None if unknown."""
    models = ctx.facts.closure_python_models(ctx.module.name)
    found, frontier = set(), {model}
    for _level in range(depth):
        following = set()
        for current in frontier:
            names = models.fields(current)
            if names is None:
                return None
            for name in names:
                field = models.field(current, name)
                if field is None:
                    continue
                if field.type in ("One2many", "Many2many"):
                    if field.comodel is None:
                        return None
                    following.add(field.comodel)
        following -= found
        found |= following
        frontier = following
    return found


def _comodel(ctx, model, name):
    if model is None:
        return None
    field = ctx.facts.closure_python_models(ctx.module.name).field(model, name)
    return field.comodel if field is not None else None


def _walk(ctx, node, model):
    """``(element, model)`` for every element under ``node``, in its model's context.

    Children of a <field> are its sub-views, on the field's comodel; children of
    a <groupby> are on the comodel of the grouped field. None: unknown context.
    """
    for child in node:
        if not isinstance(child.tag, str):
            continue
        yield child, model
        name = child.get("name")
        if child.tag in ("field", "groupby") and name:
            yield from _walk(ctx, child, _comodel(ctx, model, name))
        else:
            yield from _walk(ctx, child, model)


def _field_known(ctx, model, name):
    fields = ctx.facts.closure_model_fields(ctx.module.name, model) if model else None
    return None if fields is None else name in fields


def _method_known(ctx, model, name):
    if model is None:
        return None
    models = ctx.facts.closure_python_models(ctx.module.name)
    methods = models.methods(model)
    if methods is None:
        return None
    # getattr(model, name) also finds fields; only a name that is neither is missing.
    return name in methods or bool(_field_known(ctx, model, name))


def _view_problems(ctx, view, model, select, known):
    """``(element, name, model)`` for names ``select`` picks that ``known`` says are missing.

    ``select(element)`` returns the names an element uses (an iterable).

    In an inheriting view, where a spec puts its content (main view or a one2many
    sub-view) depends on the parent's combined arch: a name is reported only
    when it exists on none of the models it could land on.
    """
    if not _is_inheriting(view):
        for element, element_model in _walk(ctx, view.arch, model):
            for name in select(element):
                if known(ctx, element_model, name) is False:
                    yield element, name, element_model
        return
    candidates = None
    for spec in _specs(view):
        if spec.get("position") in ("attributes", "move"):
            continue
        context = model
        for step in FIELD_STEP_RE.findall(spec.get("expr") or ""):
            context = _comodel(ctx, context, step) or context
        for element, element_model in _walk(ctx, spec, context):
            for name in select(element):
                if known(ctx, element_model, name) is not False:
                    continue
                if element_model != context:
                    yield element, name, element_model  # inside a sub-view the spec writes
                    continue
                if candidates is None:
                    candidates = _x2many_comodels(ctx, model)
                    if candidates is None:
                        return
                    candidates.add(model)
                if all(known(ctx, other, name) is False for other in candidates):
                    yield element, name, element_model


def _field_name(element):
    name = element.get("name") if element.tag == "field" else None
    return (name,) if name else ()


def _object_button_name(element):
    if element.tag == "button" and element.get("type") == "object" and not element.get("special"):
        name = element.get("name")
        return (name,) if name else ()
    return ()


def _modifier_source(expression):
    """The Python Odoo evaluates for a modifier, or "" for a constant.

    convert.py replaces %(xmlid)d by a record id first; Odoo takes 0/1/true/false
    in any case as constants.
    """
    expression = PERCENT_REF_RE.sub("1", (expression or "").strip())
    return "" if expression.lower() in ("", "0", "1", "true", "false") else expression


def _modifier_names(element):
    """Root names the modifiers of ``element`` read (fields, for Odoo); unparsable: none."""
    names = set()
    get = element.get
    for attribute in MODIFIERS:
        value = get(attribute)
        expression = _modifier_source(value) if value else None
        if expression:
            # A syntax error is reported by check_view_modifiers; its names are none.
            names |= expression_names(expression)[1]
    return sorted(names - MODIFIER_NAMES)


@rule(
    "VIEW004",
    title="Fields in views exist on their model",
    category="view", level="static", severity="error", impact="install",
    rationale="Odoo validates every <field name> a view adds against the model (or "
    "the comodel, inside a one2many's sub-view) when it creates the view. A field "
    "that only exists because another module is installed locally, or that was "
    "renamed, aborts the install.",
    bad='<field name="partner_shipping_id"/>   # on a model without that field',
    good='<field name="partner_id"/>',
    remedy="Fix the field name, add the field, or depend on the module that defines it.",
    prevents='ParseError: Field "x" does not exist in model "y"',
)
def check_view_fields(ctx):
    for view, model, _type in _arch_views(ctx):
        if not model:
            continue
        record = view.record
        for node, name, node_model in _view_problems(ctx, view, model, _field_name, _field_known):
            if foreign_field_modules(ctx, node_model, name):
                continue  # present here through a module outside the closure: DEP006
            yield Issue(record.path, node.sourceline,
                        f"Field {name!r} does not exist on model {node_model!r}.",
                        severity=data_severity(record), key=f"{record.xmlid}:{node_model}:{name}")


def _button_action_problem(ctx, xmlid):
    """Why a type="action" button naming ``xmlid`` fails at view creation, or None."""
    module = ctx.module.name
    if not ctx.facts.in_scope(module, xmlid.partition(".")[0]):
        return f"The button's action '{xmlid}' belongs to a module outside the dependencies."
    if ctx.facts.xmlid_exists(module, xmlid) is False:
        return f"The button's action '{xmlid}' does not exist."
    model = ctx.facts.closure_record_model(module, xmlid)
    if model and not model.startswith("ir.actions."):
        return f"The button's action '{xmlid}' is a {model} record, not an action."
    return None


@rule(
    "VIEW008",
    title="Buttons call public methods of their model and existing actions",
    category="view", level="static", severity="error", impact="install",
    rationale="When it creates a view, Odoo checks that each type=\"object\" button "
    "names a method of the model (or of the comodel, in a sub-view) that is public "
    "(no leading underscore), that a type=\"action\" button names an existing action, "
    "and that special= is cancel, save or add (unless a module of the closure "
    "overrides ir.ui.view's _validate_tag_button to accept its own value).",
    bad='<button name="action_confirmed" type="object"/>   # the method is action_confirm',
    good='<button name="action_confirm" type="object"/>',
    remedy="Fix the method name, define the method, or depend on the module that does.",
    prevents="ParseError: action_x is not a valid action on model.y / action_x on "
    "model.y is private and cannot be called from a button",
)
def check_view_buttons(ctx):
    for view, model, _type in _arch_views(ctx):
        record = view.record
        for element in view.arch.iter("button"):
            special = element.get("special")
            if (special and special not in ("cancel", "save", "add")
                    and not _special_allowed_by_override(ctx, special)):
                yield Issue(record.path, element.sourceline, f"Invalid special {special!r} "
                            "(cancel, save or add).", severity=data_severity(record),
                            key=f"{record.xmlid}:special:{special}")
            action = element.get("name") or ""
            if (element.get("type") == "action" and "." in action and "%(" not in action
                    and not special):
                problem = _button_action_problem(ctx, action)
                if problem:
                    yield Issue(record.path, element.sourceline, problem,
                                severity=data_severity(record),
                                key=f"{record.xmlid}:{action}:action")
            name = next(iter(_object_button_name(element)), None)
            if name and name.startswith("_"):
                yield Issue(record.path, element.sourceline,
                            f"The button calls {name!r}, a private method.",
                            severity=data_severity(record), key=f"{record.xmlid}:{name}:private")
        if not model:
            continue
        problems = _view_problems(ctx, view, model, _object_button_name, _method_known)
        for node, name, node_model in problems:
            if name.startswith("_"):
                continue
            yield Issue(record.path, node.sourceline,
                        f"{name!r} is not a method of model {node_model!r}.",
                        severity=data_severity(record), key=f"{record.xmlid}:{node_model}:{name}")


def _special_allowed_by_override(ctx, special):
    """True when a module of the scope overrides ir.ui.view's _validate_tag_button
    and its Python names ``special``: Odoo then runs that override, which accepts
    its own special values before calling super() (the stock list is cancel,
    save, add)."""
    def overriding_modules():
        return [name for name in ctx.facts.scope(ctx.module.name)
                if ctx.facts.catalog.get(name) is not None
                and any("ir.ui.view" in (model.inherit or []) and "_validate_tag_button" in model.methods
                        for model in ctx.facts.index(name).models)]

    modules = ctx.facts.memo(("VIEW008:button-validators", ctx.module.name), overriding_modules)
    return any(ctx.facts.index(name).python_mentions(f'"{special}"')
               or ctx.facts.index(name).python_mentions(f"'{special}'") for name in modules)


@rule(
    "VIEW005",
    title="Inheriting views extend a view of the closure, with valid specs",
    category="view", level="static", severity="error", impact="install",
    rationale="inherit_id is resolved when the view is created: the parent view must "
    "come from a dependency, or from the module itself earlier in load order. Each "
    "spec needs a valid xpath and position, and must find its element in the parent "
    "as a fresh install builds it: the parent's arch with the extensions of the "
    "dependencies and of the module's earlier views applied (an element added by a "
    "module outside the dependencies, or removed by one of them, is not there).",
    bad='<field name="inherit_id" ref="sale_stock.view_order_form_inherit"/>   # not a dependency',
    good='<field name="inherit_id" ref="sale.view_order_form"/>   # sale in depends',
    remedy="Depend on the module that owns the parent view; fix the xmlid, xpath or position.",
    prevents="External ID not found in the system / Invalid position attribute / "
    "XPathSyntaxError: Invalid expression / Element '<xpath expr=\"...\">' cannot be "
    "located in parent view",
)
def check_inherited_views(ctx):
    module = ctx.module.name
    scope = ctx.facts.scope(module)
    views = None  # the views a fresh install meets, built on first need
    for view in ctx.index.views:
        if not _is_inheriting(view):
            continue
        record = view.record
        reported = False  # one problem at a time: locating specs needs a sound view
        xmlid = full_xmlid(module, view.inherit_ref)
        parent_module = xmlid.partition(".")[0]
        line = next((r.line for r in record.refs if r.via == "inherit_id"), record.line)
        if parent_module not in scope and parent_module in ctx.facts.auto_installed_before(module):
            # Odoo installs that module with the dependencies (auto_install) and loads it
            # first: the install works (19.0's google_address_autocomplete and base_setup).
            reported = True  # its specs are not checked against views outside the closure
            yield Issue(record.path, line,
                        f"The parent view '{view.inherit_ref}' belongs to {parent_module!r}, which "
                        "is not in the dependencies: the install works only because Odoo "
                        f"auto-installs {parent_module!r} with them. Add it to 'depends'.",
                        severity="warning", impact="hygiene", key=f"{xmlid}:closure")
        elif parent_module not in scope:
            reported = True
            yield Issue(record.path, line,
                        f"The parent view '{view.inherit_ref}' belongs to {parent_module!r}, "
                        "which is not in the dependencies.", key=f"{xmlid}:closure")
        elif parent_module == module:
            definitions = ctx.index.xmlid_definitions.get(xmlid)
            reported = not definitions or definitions[0].seq >= record.seq
            if not definitions:
                yield Issue(record.path, line, f"The parent view '{view.inherit_ref}' is "
                            "not defined by the module.", key=f"{xmlid}:missing")
            elif definitions[0].seq >= record.seq:
                yield Issue(record.path, line, f"The parent view '{view.inherit_ref}' is "
                            f"defined later ({definitions[0].path}:{definitions[0].line}); "
                            "a fresh install fails here.", key=f"{xmlid}:order")
        elif ctx.facts.xmlid_exists(module, xmlid) is False:
            reported = True
            yield Issue(record.path, line, f"No view '{view.inherit_ref}' in module "
                        f"{parent_module!r}.", key=f"{xmlid}:missing")
        if view.qweb or view.arch is None:
            continue
        for spec in _specs(view):
            position = spec.get("position", "inside")
            if position not in POSITIONS:
                reported = True
                yield Issue(record.path, spec.sourceline,
                            f"Invalid position {position!r}; use one of "
                            f"{', '.join(sorted(POSITIONS))}.", severity=data_severity(record),
                            key=f"{record.xmlid}:{position}")
            if spec.tag == "xpath":
                # convert.py replaces %(xmlid)d by the record id before Odoo sees the arch.
                expr = PERCENT_REF_RE.sub("1", spec.get("expr") or "")
                try:
                    etree.XPath(expr)
                except etree.XPathSyntaxError as error:
                    reported = True
                    yield Issue(record.path, spec.sourceline,
                                f"Invalid xpath {spec.get('expr')!r}: {error}.",
                                severity=data_severity(record), key=f"{record.xmlid}:{spec.get('expr')}")
        if reported or any(spec.tag == "tree" or TREE_STEP_RE.search(spec.get("expr") or "")
                           for spec in _specs(view)):
            continue  # a <tree> locator is VIEW001's
        # Each spec must find its element in the parent as a fresh install builds it.
        if views is None:
            combiner = ViewCombiner.of(ctx.facts)
            views = combiner.scope(module) or False
        found = views and combiner.locate(views, record)
        if found:
            spec, message = found
            yield Issue(record.path, spec.sourceline,
                        f"{message} (the parent '{view.inherit_ref}' as a fresh install builds "
                        "it: the extensions of the dependencies and of the module's earlier "
                        "views applied).", severity=data_severity(record),
                        key=f"{record.xmlid}:unlocated:{spec.tag}:"
                        f"{spec.get('expr') or spec.get('name') or ''}")


@rule(
    "VIEW006",
    title="Modifiers are Python expressions on existing fields",
    category="view", level="static", severity="error", impact="install",
    rationale="Since 17.0, invisible=, readonly= and required= are Python expressions "
    "that Odoo parses when it creates the view; every name they use must be a field "
    "of the model (or parent, context, uid, today...). JavaScript operators (&&, !) "
    "do not parse.",
    bad='<field name="date" invisible="state == \'draft\' && !active"/>',
    good='<field name="date" invisible="state == \'draft\' and not active"/>',
    remedy="Write the condition in Python with field names of the model.",
    prevents="ParseError: Invalid domain / field \"x\" does not exist in model \"y\"",
)
def check_view_modifiers(ctx):
    for view, model, _type in _arch_views(ctx):
        record = view.record
        for element in view.arch.iter():
            if not isinstance(element.tag, str):
                continue
            expressions = [(a, value) for a in MODIFIERS if (value := element.get(a))]
            if element.tag == "attribute" and element.get("name") in MODIFIERS:
                expressions.append((element.get("name"), element.text or ""))
            for attribute, expression in expressions:
                error = expression_names(_modifier_source(expression) or "False")[0]
                if error:
                    yield Issue(record.path, element.sourceline,
                                f"{attribute}={expression!r:.80} is not a Python expression: "
                                f"{error}.", severity=data_severity(record),
                                key=f"{record.xmlid}:{element.sourceline}:{attribute}")
        if not model:
            continue
        problems = _view_problems(ctx, view, model, _modifier_names, _field_known)
        for node, name, node_model in problems:
            yield Issue(record.path, node.sourceline,
                        f"A modifier uses {name!r}, which is not a field of {node_model!r}.",
                        severity=data_severity(record),
                        key=f"{record.xmlid}:{node.sourceline}:{name}")


@rule(
    "VIEW007",
    title="No tree_view_ref in contexts",
    category="view", level="static", severity="warning", impact="runtime",
    rationale="Odoo 18's web client knows list_view_ref, not tree_view_ref: a context "
    "that still names tree_view_ref is ignored without a word and the default list "
    "view is shown instead of the one the module chose.",
    bad="<field name=\"line_ids\" context=\"{'tree_view_ref': 'x.view_line_list'}\"/>",
    good="<field name=\"line_ids\" context=\"{'list_view_ref': 'x.view_line_list'}\"/>",
    remedy="Rename tree_view_ref to list_view_ref.",
    prevents="The wrong list view, silently",
)
def check_tree_view_ref(ctx):
    # The file's text, then one search of its tree, find the few files that mention
    # it at all; only their records' fields are searched one by one.
    mentioning = set()
    for data_file in ctx.index.data_files:
        if (data_file.problem is None and data_file.path.lower().endswith(".xml")
                and ctx.index.xml_mentions(data_file.path, b"tree_view_ref")):
            if MENTIONS_TREE_VIEW_REF(ctx.index.xml(data_file.path).getroot()):
                mentioning.add(data_file.path)
    for record in ctx.index.records:
        if record.tag != "record" or record.path not in mentioning:
            continue
        for data_field in record.fields:
            node = data_field.node
            if node is None:
                continue
            for element in MENTIONS_TREE_VIEW_REF(node):
                yield Issue(record.path, element.sourceline,
                            "tree_view_ref is ignored by Odoo 18; use list_view_ref.",
                            severity=data_severity(record),
                            key=f"{record.xmlid}:{element.sourceline}")


@rule(
    "VIEW012",
    title="Groups named in views exist",
    category="view", level="static", severity="warning", impact="warning-log",
    rationale="groups= on a view element restricts it to those groups. When it "
    "validates the view, Odoo 18 looks up every group named (also after '!'): a "
    "group of a module outside the dependencies, or a misspelt xmlid, logs a "
    "WARNING (the install goes on, proven by odoo-bin -i) and the element's "
    "restriction is not what was meant.",
    bad='<field name="margin" groups="sale.group_margin"/>   # no such group',
    good='<field name="margin" groups="base.group_user"/>',
    remedy="Fix the group xmlid, or depend on the module that defines it.",
    prevents="WARNING The group \"x\" defined in view does not exist!",
)
def check_view_groups(ctx):
    module = ctx.module.name
    for view, _model, _type in _arch_views(ctx):
        record = view.record
        for element in view.arch.iter():
            if not isinstance(element.tag, str):
                continue
            groups = element.get("groups")
            if element.tag == "attribute" and element.get("name") == "groups":
                groups = element.text
            for group in (groups or "").split(","):
                group = group.strip().lstrip("!")
                if not group:
                    continue
                xmlid = full_xmlid(module, group)
                if not ctx.facts.in_scope(module, xmlid.partition(".")[0]) or (
                        ctx.facts.xmlid_exists(module, xmlid) is False):
                    yield Issue(record.path, element.sourceline,
                                f"The group '{group}' does not exist in the module's closure.",
                                severity=data_severity(record),
                                key=f"{record.xmlid}:{element.sourceline}:{group}")
