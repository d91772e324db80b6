# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Structure rules (VIEW009-VIEW011, VIEW015, DAT002): the shape of view archs and
data files, checked the way Odoo 18 checks them (ir_ui_view.py _check_xml and
_validate_view, tools/view_validation.py, tools/convert.py with import_xml.rng).

The RelaxNG schemas are Odoo's own files, read from the installed ``odoo``
package; when it cannot be found the schema rules report nothing.
"""

import copy
import functools
import importlib.util
import os
import re

from lxml import etree

from ..index import DATA_ROOTS, FileProblem
from .registry import Issue, data_severity, rule
from .view_rules import _arch_views, _is_inheriting, _specs

# <field> children that Odoo validates as sub-views of the comodel (_validate_tag_field).
SUBVIEW_TAGS = ("form", "list", "graph", "kanban", "calendar")
# View types whose arch Odoo turns into an OWL template, so that some QWeb
# directives are allowed (_is_qweb_based_view: kanban in base, activity in mail,
# hierarchy in web_hierarchy; those types exist only with those modules).
QWEB_BASED_VIEWS = ("kanban", "activity", "hierarchy")
# (Sub-)view types whose allowed directives are known. Other modules may make
# their own types QWeb-based (Enterprise's gantt has templates): unknown.
KNOWN_DIRECTIVE_CONTEXTS = (
    *QWEB_BASED_VIEWS, "form", "list", "search", "graph", "pivot", "calendar",
    "groupby", "searchpanel",
)
# _validate_qweb_directive: t-translation everywhere, these in QWeb-based views
# (each is a regular expression matched at the start of the attribute name).
QWEB_VIEW_DIRECTIVES = (
    "t-name", "t-esc", "t-out", "t-set", "t-value", "t-if", "t-else", "t-elif",
    "t-foreach", "t-as", "t-key", "t-att.*", "t-call", "t-debug",
)
# _validate_attributes hands these to the class checks, never to the directive check.
CLASS_ATTRIBUTES = ("class", "t-att-class", "t-attf-class")
TOOLTIP_ATTRIBUTE_RE = re.compile(r"^(t\-att\-|t\-attf\-)?data-tooltip(-template|-info)?$")
COMP_RE = re.compile(r"(^|[^\w])\s*__comp__\s*([^\w]|$)")
# Attributes Odoo translates (tools/translate.py TRANSLATED_ATTRS), per series: an
# inheritance spec may not select on them, the value changes with the language.
_TRANSLATED = (
    "string", "add-label", "help", "sum", "avg", "confirm", "placeholder", "alt", "title",
    "aria-label", "aria-keyshortcuts", "aria-placeholder", "aria-roledescription",
    "aria-valuetext", "value_label", "data-tooltip", "label",
)
# 19.0 no longer lists value and text, and adds the confirmation dialog's labels.
_TRANSLATED_19 = (*_TRANSLATED, "confirm-label", "confirm-title", "cancel-label")
TRANSLATED_ATTRS = {
    "18.0": (*_TRANSLATED, "value", "text", *(f"t-attf-{name}" for name in _TRANSLATED)),
    "19.0": (*_TRANSLATED_19, *(f"t-attf-{name}" for name in _TRANSLATED_19)),
}
TRANSLATED_ATTRS_RE = {
    series: re.compile(r"@({})\b".format("|".join(sorted(names, key=len, reverse=True))))
    for series, names in TRANSLATED_ATTRS.items()
}
# Root tags Odoo validates with addons/base/rng/<tag>_view.rng (view_validation.schema_valid).
RNG_VIEW_TYPES = ("list", "search", "graph", "pivot", "calendar", "activity")
# Field widgets the 17.0 chatter used; Odoo 18 registers none of them.
CHATTER_WIDGETS = ("mail_thread", "mail_followers", "mail_activity")


# -- Odoo's schemas -------------------------------------------------------------

@functools.cache
def _odoo_root():
    """Folder of the ``odoo`` package this interpreter would import, or None."""
    try:
        spec = importlib.util.find_spec("odoo")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.realpath(next(iter(spec.submodule_search_locations)))


@functools.cache
def _schema(relative):
    """Odoo's RelaxNG schema at ``relative`` (in the odoo package), compiled once
    per process; None when it cannot be read."""
    root = _odoo_root()
    path = root and os.path.join(root, relative)
    if not path or not os.path.isfile(path):
        return None
    try:
        return etree.RelaxNG(etree.parse(path))
    except (OSError, etree.LxmlError):
        return None


def _schema_errors(schema, node):
    """``(line, message)`` of each distinct error ``schema`` finds in ``node``,
    the precise ones first (libxml2 also reports where it gave up: "Expecting an
    element header, got nothing", "Element odoo has extra content: record")."""
    if schema.validate(node):
        return []
    errors, seen = [], set()
    for error in schema.error_log:
        if error.message not in seen:
            seen.add(error.message)
            errors.append((error.line, error.message))
    return sorted(errors, key=lambda e: "got nothing" in e[1] or "has extra content" in e[1])


def _summary(errors, limit=3):
    text = "; ".join(message for _line, message in errors[:limit])
    if len(errors) > limit:
        text += f" (and {len(errors) - limit} more)"
    return text


# -- walking an arch the way _validate_view does --------------------------------

def _validated_nodes(root):
    """``(element, view type, scope)`` of every element Odoo validates in an own view.

    ``view type`` is the tag of the innermost (sub-)view, as node_info['view_type'];
    ``scope`` is the element whose NameManager the element reports its names to:
    the sub-views of a <field>, the content of a <groupby> and a <search>'s
    <searchpanel> each get their own.
    """
    stack = [(root, root.tag, root)]
    while stack:
        node, view_type, scope = stack.pop()
        yield node, view_type, scope
        children = [child for child in node if isinstance(child.tag, str)]
        searchpanel = (next((c for c in children if c.tag == "searchpanel"), None)
                       if node.tag == "search" else None)
        for child in reversed(children):
            if node.tag == "field" and child.tag in SUBVIEW_TAGS:
                stack.append((child, child.tag, child))
            elif node.tag == "groupby" and node.get("name"):
                stack.append((child, "groupby", node))
            elif child is searchpanel:
                stack.append((child, "searchpanel", child))
            else:
                stack.append((child, view_type, scope))


def _added_nodes(view):
    """``(element, parent known)`` for the elements an inheriting view inserts,
    which Odoo validates in the combined arch.

    The children of after/before/inside/replace specs and their descendants,
    without the nodes that only move (position="move"). The parent of a spec's
    direct child is in the parent view, so it is not known here.
    """
    for spec in _specs(view):
        if spec.get("position", "inside") not in ("after", "before", "inside", "replace"):
            continue
        for child in spec:
            if isinstance(child.tag, str) and not child.get("position"):
                yield child, False
                yield from ((node, True) for node in child.iterdescendants()
                            if isinstance(node.tag, str))


def _attribute_specs(view):
    """``(attribute element, name, value)`` of the <attribute> a position="attributes" sets."""
    for spec in _specs(view):
        if spec.get("position") != "attributes":
            continue
        for attribute in spec.iterchildren("attribute"):
            if attribute.get("name"):
                yield attribute, attribute.get("name"), (attribute.text or "").strip()


def _own_views(ctx):
    """``(view, view type)`` of the module's own (non-inheriting) views with an arch."""
    for view, _model, view_type in _arch_views(ctx):
        if not _is_inheriting(view):
            yield view, view_type


# -- VIEW009 --------------------------------------------------------------------

def _scope_names(root):
    """``{scope element: names}`` a <label for> may name: the fields (by id, else
    name) and the buttons of each NameManager scope, plus the fields a calendar uses."""
    names = {}
    for node, _view_type, scope in _validated_nodes(root):
        known = names.setdefault(scope, set())
        if node.tag == "field" and (node.get("id") or node.get("name")):
            # NameManager.has_field: a field with an id is known by its id only.
            known.add(node.get("id") or node.get("name"))
        elif node.tag in ("button", "groupby") and node.get("name"):
            known.add(node.get("name"))
        elif node.tag == "calendar":
            for attribute in ("date_start", "date_delay", "date_stop", "color", "all_day"):
                if node.get(attribute):
                    known.add(node.get(attribute).split(".", 1)[0])
    return names


def _structure_problems(node, parent_known=True):
    """Messages for what _validate_tag_label/_validate_tag_page/_validate_attributes
    reject on ``node`` itself (``for`` targets aside)."""
    if node.tag == "label" and not node.get("for"):
        yield "label", ('<label> without for=: Odoo requires a "for" (use '
                        'class="o_form_label" on another tag for a free-standing label).')
    if node.tag == "page" and parent_known:
        parent = node.getparent()
        if parent is None or parent.tag != "notebook":
            where = f"<{parent.tag}>" if parent is not None else "the root"
            yield "page", f"<page> must be a direct child of <notebook>, not of {where}."
    for attribute in ("col", "colspan"):
        value = node.get(attribute)
        if value is not None and not value.isdigit():
            yield attribute, f"{attribute}={value!r} must be an integer."


@rule(
    "VIEW009",
    title="Labels, pages and column counts follow Odoo's structure rules",
    category="view", level="static", severity="error", impact="install",
    rationale="When it creates a view, Odoo checks its structure: every <label> has a "
    "for= naming a field or button of the same view (a one2many's sub-view is a view "
    "of its own), every <page> sits directly in a <notebook>, and col= / colspan= are "
    "integers. Each violation aborts the install.",
    bad='<label for="partner"/> <field name="partner_id"/>\n'
    '<group><page string="Notes"/></group>\n<group col="two"/>',
    good='<label for="partner_id"/> <field name="partner_id"/>\n'
    '<notebook><page string="Notes"/></notebook>\n<group col="2"/>',
    remedy="Point for= at the name of a field (or button) in the same view, wrap pages "
    "in a <notebook>, write col and colspan as whole numbers.",
    prevents='ValidationError: Name or id "x" in <label for="..."> does not exist. / '
    "...must be present in view but is missing. / Page direct ancestor must be "
    'notebook / "colspan" value must be an integer (two) / Label tag must contain a "for"',
)
def check_view_structure(ctx):
    for view, _model, _type in _arch_views(ctx):
        record = view.record
        if _is_inheriting(view):
            # Added content is validated in the combined arch: what the node
            # itself shows is known; its parent is known only inside the content.
            for node, parent_known in _added_nodes(view):
                for what, message in _structure_problems(node, parent_known):
                    yield Issue(record.path, node.sourceline, message,
                                severity=data_severity(record),
                                key=f"{record.xmlid}:{node.tag}:{what}:{node.get(what) or ''}")
            continue
        names = _scope_names(view.root)
        for node, _view_type, scope in _validated_nodes(view.root):
            for what, message in _structure_problems(node):
                yield Issue(record.path, node.sourceline, message, severity=data_severity(record),
                            key=f"{record.xmlid}:{node.tag}:{what}:{node.get(what) or ''}")
            target = node.get("for") if node.tag == "label" else None
            if target and target not in names.get(scope, ()):
                yield Issue(record.path, node.sourceline,
                            f'<label for="{target}">: no field or button named {target!r} '
                            "in this view (or sub-view).", severity=data_severity(record),
                            key=f"{record.xmlid}:label:{target}")


# -- VIEW010 --------------------------------------------------------------------

def _as_odoo_validates(root):
    """Copy of an own view's arch as schema_valid sees it after _validate_view:
    without the <searchpanel>, the sub-views of fields and the content of groupbys
    (Odoo validates those apart and takes them out of the combined arch)."""
    arch = copy.deepcopy(root)
    for node in list(arch.iter()):
        if not isinstance(node.tag, str):
            continue
        if node.tag == "field":
            for child in [c for c in node if c.tag in SUBVIEW_TAGS]:
                node.remove(child)
        elif node.tag == "groupby" and node.get("name"):
            for child in list(node):
                node.remove(child)
    if arch.tag == "search":
        searchpanel = next(arch.iterchildren("searchpanel"), None)
        if searchpanel is not None:
            arch.remove(searchpanel)
    return arch


@rule(
    "VIEW010",
    title="List, search, graph, pivot, calendar and activity views match Odoo's schemas",
    category="view", level="static", severity="error", impact="install",
    rationale="Odoo validates the arch of these view types against its RelaxNG "
    "schemas (odoo/addons/base/rng/<type>_view.rng): an unknown attribute or child "
    "element, or a value of the wrong type (limit=\"ten\"), makes the view invalid and "
    "aborts the install. The check uses the schemas of the Odoo the validator runs on.",
    bad='<list limit="ten"><field name="name"/></list>\n'
    '<search><div><field name="name"/></div></search>',
    good='<list limit="80"><field name="name"/></list>\n'
    '<search><field name="name"/><group><filter name="mine" string="Mine" '
    'domain="[(\'user_id\', \'=\', uid)]"/></group></search>',
    remedy="Remove or fix the element or attribute the schema names; the schema file "
    "lists what each view type accepts.",
    prevents="WARNING Invalid XML: Get RNG validator and validate RNG file. / "
    "ValidationError: Invalid view X definition in Y",
)
def check_view_schemas(ctx):
    for view, _view_type in _own_views(ctx):
        record = view.record
        root = view.root
        # Only a literal arch (type="xml") is known; file= or eval= archs are not.
        if root.tag not in RNG_VIEW_TYPES or view.arch.get("type") != "xml":
            continue
        schema = _schema(os.path.join("addons", "base", "rng", f"{root.tag}_view.rng"))
        if schema is None:
            continue
        errors = _schema_errors(schema, _as_odoo_validates(root))
        if errors:
            yield Issue(record.path, errors[0][0] or root.sourceline,
                        f"The <{root.tag}> view does not match Odoo's {root.tag}_view.rng: "
                        f"{_summary(errors)}.", severity=data_severity(record),
                        key=f"{record.xmlid}:{errors[0][1]}")


# -- VIEW011 --------------------------------------------------------------------

def _directive_allowed(directive, view_type):
    allowed = ["t-translation"]
    if view_type in QWEB_BASED_VIEWS:
        allowed.extend(QWEB_VIEW_DIRECTIVES)
    return any(re.match(pattern, directive) for pattern in allowed)


def _forbidden_attribute(name, value, view_type):
    """Odoo's message for a forbidden attribute (_validate_attributes), or None.

    ``view_type`` None: the (sub-)view the node lands in is unknown, so only what
    no view type allows is reported; a type other modules define: directives
    are not judged.
    """
    if name in CLASS_ATTRIBUTES:
        return None
    if TOOLTIP_ATTRIBUTE_RE.match(name):
        return f"Forbidden attribute used in arch ({name})."
    if not name.startswith("t-"):
        return None
    known = view_type is None or view_type in KNOWN_DIRECTIVE_CONTEXTS
    if known and not _directive_allowed(name, view_type or QWEB_BASED_VIEWS[0]):
        return f"Forbidden owl directive used in arch ({name})."
    if COMP_RE.search(value or ""):
        return "Forbidden use of `__comp__` in arch."
    return None


@rule(
    "VIEW011",
    title="No OWL directives, __comp__ or tooltip attributes in view archs",
    category="view", level="static", severity="error", impact="install",
    rationale="Odoo 17+ compiles form, list and kanban archs to OWL templates itself and "
    "refuses archs that reach into that machinery: t-* directives (only t-translation, "
    "and the QWeb directives of kanban cards), the reserved __comp__ name, and "
    "data-tooltip* attributes. An inheriting view may not locate nodes by an attribute "
    "Odoo translates (string, placeholder, help...), since its value depends on the "
    "language. Each aborts the install.",
    bad='<button name="action_x" type="object" t-on-click="onClick"/>\n'
    '<xpath expr="//button[@string=\'Confirm\']" position="after">',
    good='<button name="action_x" type="object" string="Confirm"/>\n'
    '<xpath expr="//button[@name=\'action_confirm\']" position="after">',
    remedy="Remove the directive or attribute (write a field widget or a JS view when "
    "behaviour is needed); locate nodes by name= or another untranslated attribute.",
    prevents="ValidationError: Forbidden owl directive used in arch (t-on-click). / "
    "Forbidden use of `__comp__` in arch. / Forbidden attribute used in arch "
    "(data-tooltip). / View inheritance may not use attribute 'string' as a selector.",
)
def check_forbidden_content(ctx):
    translated = TRANSLATED_ATTRS[ctx.facts.series]
    translated_re = TRANSLATED_ATTRS_RE[ctx.facts.series]
    for path, xmlid, arch in _inheriting_archs(ctx):
        for node in arch.iterdescendants():
            if not isinstance(node.tag, str) or node.get("position") is None:
                continue
            if node.tag == "xpath":
                match = translated_re.search(node.get("expr") or "")
                name = match.group(1) if match else None
            else:
                name = next((name for name in translated if node.get(name)), None)
            if name:
                yield Issue(path, node.sourceline,
                            f"View inheritance may not use attribute {name!r} as a selector.",
                            key=f"{xmlid}:selector:{name}")
    for view, _model, view_type in _arch_views(ctx):
        record = view.record
        if _is_inheriting(view):
            # Where added content lands (a kanban sub-view of a form...) is not
            # known: only what no community view type accepts is reported.
            context = None if view_type in KNOWN_DIRECTIVE_CONTEXTS else view_type
            items = [(node, context, node.items()) for node, _known in _added_nodes(view)]
            items += [(element, context, [(name, value)])
                      for element, name, value in _attribute_specs(view)]
        else:
            items = [(node, node_type, node.items())
                     for node, node_type, _scope in _validated_nodes(view.root)]
        for node, node_type, attributes in items:
            for name, value in attributes:
                message = _forbidden_attribute(name, value, node_type)
                if message:
                    yield Issue(record.path, node.sourceline, message,
                                severity=data_severity(record),
                                key=f"{record.xmlid}:{node.tag}:{name}")


def _inheriting_archs(ctx):
    """``(path, xmlid, element)`` of each inheriting view's arch, QWeb templates included.

    Odoo checks the specs of every view with an inherit_id (_valid_inheritance)
    before it knows the view's type. The index keeps no element for <template>,
    so their elements are taken from the file.
    """
    for view in ctx.index.views:
        if view.arch is not None and _is_inheriting(view):
            yield view.record.path, view.record.xmlid, view.arch
    for data_file in ctx.index.data_files:
        if not any(r.tag == "template" for r in data_file.records):
            continue
        try:
            root = ctx.index.xml(data_file.path).getroot()
        except FileProblem:
            continue
        stack = [root] if root.tag in DATA_ROOTS else []
        while stack:
            for node in stack.pop():
                if node.tag in DATA_ROOTS:
                    stack.append(node)
                elif node.tag == "template" and node.get("inherit_id"):
                    yield data_file.path, node.get("id", node.get("t-name")), node


# -- VIEW015 --------------------------------------------------------------------

def _deprecated_idioms(node, name, value):
    """``(what, message, severity)`` for a deprecated 18.0 idiom in one attribute."""
    if name == "t-name" and value == "kanban-box":
        message = ("'kanban-box' is deprecated, define a 'card' template instead "
                   "(Odoo 18.1 no longer renders it).")
        yield "kanban-box", message, None
    elif name in CLASS_ATTRIBUTES:
        classes = set(re.split(r"[\s'\"{}#]+", value or ""))
        if "oe_kanban_global_click" in classes:
            # Odoo 18 opens kanban cards on click by itself; the class does nothing.
            message = ("The class oe_kanban_global_click no longer does anything in "
                       "Odoo 18 (cards open on click); remove it.")
            yield "oe_kanban_global_click", message, "info"
        if "oe_chatter" in classes and name == "class":
            message = (f'<{node.tag} class="oe_chatter"> is no longer rendered as a '
                       "chatter in Odoo 18; use <chatter/>.")
            yield "oe_chatter", message, None
    elif name == "widget" and value in CHATTER_WIDGETS:
        message = (f"The widget {value!r} no longer exists in Odoo 18 (the web client "
                   "logs 'Missing widget' and shows a plain field); use <chatter/>.")
        yield value, message, None


@rule(
    "VIEW015",
    title="No chatter and kanban idioms Odoo 18 deprecated",
    category="view", level="static", severity="warning", impact="warning-log",
    rationale="Odoo 18 renamed the kanban card template from 'kanban-box' to 'card' "
    "(the old name logs a WARNING and is no longer rendered from 18.1), replaced "
    "<div class=\"oe_chatter\"> and the mail_thread/mail_followers/mail_activity "
    "widgets by a single <chatter/> element (the old markup shows plain fields and "
    "'Missing widget' warnings instead of a chatter), and opens kanban cards on click "
    "without the oe_kanban_global_click class.",
    bad='<t t-name="kanban-box">\n<div class="oe_chatter"><field name="message_ids" '
    'widget="mail_thread"/></div>',
    good='<t t-name="card">\n<chatter/>',
    remedy="Rename the template to 'card' (and drop the card's wrapping <div>), replace "
    "the chatter <div> and its fields by <chatter/>, drop oe_kanban_global_click. "
    "OCA's odoo-module-migrator (migrate_170_180) does most of it.",
    prevents="WARNING 'kanban-box' is deprecated, define a 'card' template instead / "
    "Missing widget: mail_thread for field of type one2many",
    series_note="19.0 no longer logs the 'kanban-box' WARNING (base/models/ir_ui_view.py) and "
    "does not render that template: the install is green and the cards are empty, a "
    "runtime warning there. The leftover oe_kanban_global_click class, which 19.0's own "
    "views still carry, is not reported there.",
)
def check_deprecated_idioms(ctx):
    for view, _model, _type in _arch_views(ctx):
        record = view.record
        if _is_inheriting(view):
            items = [(node, node.items()) for node, _known in _added_nodes(view)]
            items += [(element, [(name, value)]) for element, name, value in _attribute_specs(view)]
        else:
            items = [(node, node.items()) for node in view.root.iter() if isinstance(node.tag, str)]
        for node, attributes in items:
            for name, value in attributes:
                for what, message, severity in _deprecated_idioms(node, name, value):
                    if what == "oe_kanban_global_click" and ctx.facts.series != "18.0":
                        continue  # harmless, and 19.0's own views still carry it
                    impact = None
                    if what == "kanban-box" and ctx.facts.series != "18.0":
                        # No WARNING any more: the template is simply not rendered.
                        message = (f"Odoo {ctx.facts.series} no longer renders a 'kanban-box' "
                                   "template: the kanban cards show nothing; define 'card'.")
                        severity, impact = "warning", "runtime"
                    yield Issue(record.path, node.sourceline, message,
                                severity=severity or data_severity(record), impact=impact,
                                key=f"{record.xmlid}:{what}")


# -- DAT002 ---------------------------------------------------------------------

RNG_NS = "{http://relaxng.org/ns/structure/1.0}"


@functools.cache
def _record_schema():
    """import_xml.rng restarted at the elements a data root may hold, or None.

    libxml2 reports a bad record only as "Element odoo has extra content:
    record" on the root; validating each child alone names the element, the
    attribute and the line at fault.
    """
    root = _odoo_root()
    try:
        grammar = etree.parse(os.path.join(root, "import_xml.rng")).getroot()
        holder = grammar.find(f"{RNG_NS}define[@name='odoo_openerp_data']")
        names = {ref.get("name") for ref in holder.iter(f"{RNG_NS}ref")} - {"odoo_openerp_data", "env"}
        start = grammar.find(f"{RNG_NS}start")
        for child in list(start):
            start.remove(child)
        choice = etree.SubElement(start, f"{RNG_NS}choice")
        for name in sorted(names):
            etree.SubElement(choice, f"{RNG_NS}ref", name=name)
        return etree.RelaxNG(grammar)
    except (AttributeError, TypeError, OSError, etree.LxmlError):
        return None


def _data_file_errors(schema, tree):
    """``(element or None, line, message)`` for what import_xml.rng rejects in ``tree``."""
    if schema.validate(tree):
        return []
    whole = [(None, line, message) for line, message in _schema_errors(schema, tree)]
    records = _record_schema()
    root = tree.getroot()
    if records is None or root.tag not in DATA_ROOTS:
        return whole
    found, stack = [], [root]
    while stack:
        for child in stack.pop():
            if not isinstance(child.tag, str):
                continue
            if child.tag in DATA_ROOTS:
                stack.append(child)
            elif not records.validate(child):
                errors = _schema_errors(records, child)
                found.append((child, errors[0][0] or child.sourceline, _summary(errors)))
    # Nothing wrong in the elements: the roots themselves (attributes, text).
    return sorted(found, key=lambda error: error[1] or 0) or whole


@rule(
    "DAT002",
    title="XML data files match Odoo's import_xml.rng",
    category="data", level="static", severity="error", impact="install",
    rationale="Before loading an XML data or demo file, Odoo validates it against its "
    "RelaxNG schema odoo/import_xml.rng: the root must be <odoo> (or <data>/<openerp>), "
    "its children <record>, <template>, <menuitem>, <function>, <delete> with the "
    "attributes the schema allows. Any other tag or attribute aborts the install "
    "before a single record of the file is loaded. The check uses the schema of the "
    "Odoo the validator runs on.",
    bad='<odoo><workflow id="wkf_x"/><record id="x" model="res.partner" '
    'noupdate="1"/></odoo>',
    good='<odoo noupdate="1"><record id="x" model="res.partner"/></odoo>',
    remedy="Fix or remove what the schema names; run "
    "xmllint --relaxng odoo/import_xml.rng <file> (or pyjing) for the details.",
    prevents="ERROR The XML file 'x.xml' does not fit the required schema! "
    "(WARNING lines with each schema error, e.g. Element odoo has extra content: workflow)",
)
def check_data_schema(ctx):
    schema = None
    for _kind, relative in ctx.index.loaded_files():
        if not relative.lower().endswith(".xml") or not ctx.index.exact_case_exists(relative):
            continue
        try:
            tree = ctx.index.xml(relative)
        except FileProblem:
            continue  # DAT001's finding
        # Odoo's default parser does not resolve entities either (tools/misc.py,
        # resolve_entities=False): an &entity; stays a node that the schema refuses.
        schema = schema or _schema("import_xml.rng")
        if schema is None:
            return
        for element, line, message in _data_file_errors(schema, tree):
            what = f"<{element.tag}{_id_text(element)}>" if element is not None else "The file"
            yield Issue(relative, line, f"{what} does not fit Odoo's import_xml.rng: {message}.",
                        key=f"{what}:{message}")


def _id_text(element):
    xmlid = element.get("id")
    return f' id="{xmlid}"' if xmlid else ""
