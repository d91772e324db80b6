# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rules of Odoo 19.0: 18.0 idioms that 19.0 refuses or warns about.

They run when the modules are validated for 19.0: on a 19.0 server, or from
an 18.0 one with ``--target-series 19.0`` (a porting rehearsal). Each cites
the 19.0 check that makes Odoo react (dev/odoo19-notes.md).
"""

from lxml import etree

from .closure_rules import _csv_field_name
from .registry import Issue, data_severity, rule
from .view_rules import _arch_views

# (model, 18.0 field) -> what 19.0 calls it. 19.0 keeps no alias: writing the old
# name raises ValueError("Invalid field ...") and the data file aborts the install.
RENAMED_FIELDS_19 = {
    **{(model, "groups_id"): "group_ids" for model in (
        "res.users", "ir.ui.view", "ir.ui.menu", "ir.actions.act_window", "ir.actions.server",
        "ir.cron", "ir.actions.report")},
    ("res.groups", "users"): "user_ids",
    ("res.groups", "category_id"): "privilege_id (a res.groups.privilege that has the category)",
    ("res.groups", "trans_implied_ids"): "all_implied_ids",
}
# Attributes of <group> that 19.0's search view schema (base/rng/common.rng) no longer lists.
SEARCH_GROUP_ATTRIBUTES_18 = ("expand", "string")
SEARCH_GROUPS = etree.XPath("descendant-or-self::group[@expand or @string]")


@rule(
    "DAT018",
    title="Records use the field names of Odoo 19.0 for groups and users",
    category="data", level="static", severity="error", impact="install",
    rationale="Odoo 19.0 renamed the group fields of users, views, menus, actions and "
    "scheduled actions (groups_id -> group_ids), and the users, category and transitive "
    "implied groups of res.groups (users -> user_ids, category_id -> privilege_id, "
    "trans_implied_ids -> all_implied_ids), without aliases. A data record that still "
    "writes the old name aborts the install.",
    bad='<record id="action_x" model="ir.actions.act_window">...'
    '<field name="groups_id" eval="[Command.link(ref(\'base.group_user\'))]"/></record>',
    good='<menuitem ... groups="base.group_user"/>   # attributes convert.py maps on both series',
    remedy="On 19.0 only, use the new names. For one module on 18.0 and 19.0, set groups "
    "with the groups= attribute of <menuitem>/<template>, or write the field from Python "
    "(a post-init hook or a <function>) with the series' name.",
    prevents="ValueError: Invalid field 'groups_id' in 'ir.ui.view' (ParseError while parsing ...)",
    series=("19.0",),
    series_note="18.0 knows only the old names: they are right there.",
)
def check_renamed_group_fields(ctx):
    for record in ctx.index.records:
        if record.tag not in ("record", "csv"):
            continue
        for data_field in record.fields:
            name = _csv_field_name(data_field.name or "")
            new_name = RENAMED_FIELDS_19.get((record.model, name))
            if new_name:
                yield Issue(record.path, data_field.line or record.line,
                            f"{record.model} has no field {name!r} in Odoo 19.0 (it is "
                            f"{new_name}): loading this record aborts the install.",
                            severity=data_severity(record),
                            key=f"{record.xmlid or record.path}:{record.model}:{name}")


@rule(
    "VIEW016",
    title="Search view groups carry no expand or string attribute",
    category="view", level="static", severity="error", impact="install",
    rationale="Odoo 19.0's view schema (base/rng/common.rng) no longer allows expand "
    "and string on <group>; search views are validated against it, so "
    "<group expand=\"0\" string=\"Group By\"> makes the view, and the install, fail.",
    bad='<search><group expand="0" string="Group By"><filter name="by_state" '
    'context="{\'group_by\': \'state\'}"/></group></search>',
    good='<search><group><filter name="by_state" context="{\'group_by\': \'state\'}"/></group></search>',
    remedy="Drop the attributes: <group> alone groups the filters on both series.",
    prevents="Invalid view definition (RELAX NG: Invalid attribute expand for element group)",
    series=("19.0",),
    series_note="18.0's schema still lists both attributes.",
)
def check_search_group_attributes(ctx):
    for view, _model, view_type in _arch_views(ctx):
        if view_type != "search":
            continue
        record = view.record
        for node in SEARCH_GROUPS(view.arch):
            attributes = " ".join(f"{name}=..." for name in SEARCH_GROUP_ATTRIBUTES_18
                                  if node.get(name) is not None)
            yield Issue(record.path, node.sourceline,
                        f"<group {attributes}> in search view {record.xmlid!r}: Odoo 19.0's "
                        "view schema refuses these attributes and the install fails.",
                        severity=data_severity(record), key=f"{record.xmlid}:{node.sourceline}")


@rule(
    "PY017",
    title="SQL constraints are models.Constraint on Odoo 19.0",
    category="python", level="static", severity="warning", impact="warning-log",
    rationale="Odoo 19.0 ignores _sql_constraints: the constraint is not created, so the "
    "database accepts what the module meant to refuse, and every registry load logs "
    "the WARNING \"Model attribute '_sql_constraints' is no longer supported\".",
    bad="_sql_constraints = [('code_unique', 'unique(code)', 'Codes are unique.')]",
    good="_code_unique = models.Constraint('unique(code)', 'Codes are unique.')",
    remedy="On 19.0, declare models.Constraint (or models.Index / models.UniqueIndex) "
    "attributes; their database name is the same, <table>_<name>. For both series, "
    "choose the spelling by the running series in one helper.",
    prevents="A yellow build, and duplicates the constraint was meant to stop",
    series=("19.0",),
    series_note="18.0 reads _sql_constraints; it has no models.Constraint.",
)
def check_sql_constraints_attribute(ctx):
    for model in ctx.index.models:
        if "_sql_constraints" in model.attributes:
            yield Issue(model.path, model.line,
                        f"{model.class_name} declares _sql_constraints, which Odoo 19.0 "
                        "ignores with a WARNING: its constraints are not created.",
                        key=f"{model.class_name}:_sql_constraints")


@rule(
    "MAN014",
    title="Manifest names its author",
    category="manifest", level="static", severity="warning", impact="warning-log",
    rationale="Odoo 19.0 logs a WARNING for every manifest without an 'author' "
    "(odoo/modules/module.py _load_manifest), each time it reads the manifest: the "
    "build is yellow, and the module's card shows the contributors or maintainer, or nothing.",
    bad="{'name': 'My module', 'version': '1.0.0', 'depends': ['base']}",
    good="{'name': 'My module', 'version': '1.0.0', 'author': 'My Company', 'depends': ['base']}",
    remedy="Add an 'author' key to the manifest.",
    prevents="WARNING Missing `author` key in manifest for 'x', defaulting to ''",
    series=("19.0",),
    series_note="18.0 does not warn; the key is still worth giving.",
)
def check_manifest_author(ctx):
    manifest = ctx.module.manifest
    if manifest is not None and not manifest.get("author"):
        yield Issue(ctx.module.manifest_file, 1, f"No 'author' in the manifest: Odoo "
                    f"{ctx.facts.series} logs a WARNING each time it reads it.", key="author")


@rule(
    "PY018",
    title="JSON-RPC routes say type='jsonrpc' on Odoo 19.0",
    category="python", level="static", severity="warning", impact="warning-log",
    rationale="Odoo 19.0 renamed the JSON-RPC route type: @route(type='json') still works, "
    "as a deprecated alias (odoo/http.py route()), but each registry load logs the "
    "DeprecationWarning as a WARNING, so the build is yellow.",
    bad="@http.route('/x/data', type='json', auth='user')",
    good="@http.route('/x/data', type='jsonrpc', auth='user')   # 19.0 only",
    remedy="On 19.0, write type='jsonrpc'. For one module on 18.0 and 19.0 (18.0 refuses "
    "'jsonrpc'), choose the type by the running series in one helper.",
    prevents="WARNING py.warnings: DeprecationWarning: Since 19.0, @route(type='json') is a "
    "deprecated alias to @route(type='jsonrpc')",
    series=("19.0",),
    series_note="18.0 knows only type='json' and refuses 'jsonrpc'.",
)
def check_json_route_type(ctx):
    for relative, summary in ctx.index.python.items():
        for line in summary.json_routes:
            yield Issue(relative, line, "@route(type='json'): Odoo 19.0 logs it as deprecated "
                        "(WARNING) on every start; the type is 'jsonrpc' there.", key=f"{relative}:json-route")


@rule(
    "PY019",
    title="create is overridden in batch (@api.model_create_multi)",
    category="python", level="static", severity="warning", impact="warning-log",
    rationale="Odoo calls create with a list of dicts. An override decorated @api.model that "
    "takes one dict: 18.0 wraps it and logs the DeprecationWarning \"... is not overriding the "
    "create method in batch\" (a yellow build); 19.0 treats @api.model on create as "
    "@api.model_create_multi without a word, so the override receives the list, and code "
    "that reads it as one dict (vals.get, vals['x'], 'x' in vals) fails at the first create.",
    bad="@api.model\ndef create(self, vals):\n    vals.setdefault('code', 'X')\n    return super().create(vals)",
    good="@api.model_create_multi\ndef create(self, vals_list):\n    for vals in vals_list:\n"
    "        vals.setdefault('code', 'X')\n    return super().create(vals_list)",
    remedy="Decorate create with @api.model_create_multi and loop over the list of dicts.",
    prevents="WARNING py.warnings: DeprecationWarning: The model odoo.addons.x.models.y is not "
    "overriding the create method in batch (18.0) / AttributeError: 'list' object has no "
    "attribute 'get' (19.0)",
    series_note="19.0 logs nothing: the override receives a list, which breaks code that "
    "reads one dict (a runtime warning there).",
)
def check_single_record_create(ctx):
    on_19 = ctx.facts.series == "19.0"
    for model in ctx.index.models:
        if model.single_create is None:
            continue
        line, reads_dict = model.single_create
        if not on_19:
            yield Issue(model.path, line, f"{model.class_name}.create is decorated @api.model: "
                        "Odoo 18.0 logs that it is not overriding create in batch (WARNING); "
                        "use @api.model_create_multi.", key=f"{model.class_name}:create")
        elif reads_dict:
            yield Issue(model.path, line, f"{model.class_name}.create reads its argument as one "
                        "dict, but Odoo 19.0 gives an @api.model create the list of dicts: the "
                        "first create fails (AttributeError or TypeError).",
                        severity="warning", impact="runtime", key=f"{model.class_name}:create")


# What 19.0 says instead of each deprecated attribute (odoo/orm/models.py).
DEPRECATED_19_ADVICE = {
    "read_group": "_read_group, or formatted_read_group for the client's format",
    "toggle_active": "action_archive / action_unarchive",
    "check_field_access_rights": "_check_field_access, or fields_get for the allowed fields",
    "_cr": "self.env.cr",
    "_uid": "self.env.uid",
    "_context": "self.env.context",
}


@rule(
    "PY021",
    title="No model API that Odoo 19.0 deprecates",
    category="python", level="static", severity="warning", impact="hygiene",
    rationale="Odoo 19.0 decorates read_group, toggle_active, check_field_access_rights and "
    "the _cr, _uid and _context shortcuts with @api.deprecated (odoo/orm/models.py:2748, "
    "5787, 3432, 5910-5921): each use logs a DeprecationWarning as a WARNING when the code "
    "runs, so tests that reach it turn an odoo.sh build yellow, and the next series may "
    "remove them. The module installs: a warning to act on when porting.",
    bad="lang = self._context.get('lang')\n"
    "self.read_group(domain, ['amount:sum'], ['partner_id'])",
    good="lang = self.env.context.get('lang')\n"
    "self._read_group(domain, ['partner_id'], ['amount:sum'])",
    remedy="Use self.env.cr, self.env.uid and self.env.context (they work on 18.0 too); "
    "_read_group (both series) or formatted_read_group; action_archive/action_unarchive.",
    prevents="WARNING py.warnings: DeprecationWarning: Deprecated since 19.0, use "
    "self.env.context directly",
    series=("19.0",),
    series_note="18.0 accepts all of them without a warning.",
)
def check_deprecated_19_apis(ctx):
    for relative, summary in ctx.index.python.items():
        for attribute, line in summary.deprecated_19:
            yield Issue(relative, line, f"{attribute}: Odoo 19.0 logs it as deprecated (WARNING) "
                        f"each time it runs; use {DEPRECATED_19_ADVICE[attribute]}.",
                        key=f"{relative}:{attribute}:{line}")


# Names odoo.models exported on 18.0 that 19.0's odoo/models/__init__.py no longer
# exports (the ORM moved to odoo/orm/): importing one raises ImportError.
GONE_FROM_MODELS_19 = frozenset((
    "NewId", "PREFETCH_MAX", "INSERT_BATCH_SIZE", "expression", "is_definition_class",
    "is_registry_class", "itemgetter_tuple", "origin_ids", "OriginIds",
))


@rule(
    "PY020",
    title="Imports from odoo.models and odoo.osv exist on Odoo 19.0",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo 19.0 moved the ORM to odoo/orm/ and exports fewer names from odoo.models: "
    "'from odoo.models import NewId' (or PREFETCH_MAX, expression...) raises ImportError, "
    "which at import time stops the registry load, so the install fails. odoo.osv still "
    "exists but is deprecated: importing it logs a DeprecationWarning as a WARNING (a "
    "yellow build).",
    bad="from odoo.models import NewId\nfrom odoo.osv import expression",
    good="from odoo.api import NewId   # both series\n"
    "from odoo.fields import Domain   # 19.0 (18.0: odoo.osv.expression)",
    remedy="Import NewId from odoo.api (it is there on 18.0 too). Replace odoo.osv.expression "
    "with odoo.fields.Domain on 19.0; for both series, import Domain and fall back to "
    "odoo.osv.expression on ImportError.",
    prevents="ImportError: cannot import name 'NewId' from 'odoo.models' / WARNING py.warnings: "
    "DeprecationWarning: Since 19.0, odoo.osv is deprecated use odoo.fields.Domain",
    series=("19.0",),
    series_note="18.0 exports these names from odoo.models and does not warn on odoo.osv.",
)
def check_orm_imports(ctx):
    for relative, summary in ctx.index.python.items():
        for module, name, line, at_import in summary.orm_imports:
            if module == "odoo.models" and name in GONE_FROM_MODELS_19:
                message = (f"from odoo.models import {name}: Odoo 19.0 no longer exports it "
                           "(ImportError)")
                if at_import:
                    yield Issue(relative, line, f"{message}; the module cannot be loaded and the "
                                "install fails.", key=f"{relative}:{name}")
                else:
                    yield Issue(relative, line, f"{message} when this code runs.", severity="warning",
                                impact="runtime", key=f"{relative}:{name}")
            elif module.startswith("odoo.osv") and at_import:
                yield Issue(relative, line, f"{module}{'.' + name if name else ''}: Odoo 19.0 logs "
                            "odoo.osv as deprecated (WARNING) when the module loads; use "
                            "odoo.fields.Domain.", severity="warning", impact="warning-log",
                            key=f"{relative}:osv")


def _registry_classes(models, model, seen=frozenset()):
    """The classes of ``model`` in the order the registry merges them: each _inherit
    parent's first (recursively), then the model's own, in load order."""
    seen = seen | {model}
    classes = models.classes.get(model, ())
    for parent in dict.fromkeys(p for cls in classes for p in (cls.inherit or ()) if p not in seen):
        yield from _registry_classes(models, parent, seen)
    yield from classes


def _merged_field_kwargs(classes, name):
    """The keyword arguments of field ``name`` over ``classes`` (a redefinition updates
    the attributes it states), or None if no class defines it."""
    stated = [cls.fields[name].kwargs for cls in classes if name in cls.fields]
    return {key: value for kwargs in stated for key, value in kwargs.items()} if stated else None


@rule(
    "PY022",
    title="Delegation links (_inherits) are declared, required and cascade",
    category="python", level="static", severity="error", impact="install",
    rationale="An _inherits parent is reached through a many2one field. Odoo 19.0 checks it "
    "when it builds the model (odoo/orm/model_classes.py:465-477) and refuses the install "
    "with a TypeError when the field is missing, not required, or has no ondelete "
    "'cascade' or 'restrict'; a field with delegate=True that _inherits does not name is "
    "refused too (fields_relational.py:255-265). 18.0 added the missing field itself and "
    "forced required and cascade with a WARNING.",
    bad="_inherits = {'res.partner': 'partner_id'}\n"
    "partner_id = fields.Many2one('res.partner')",
    good="_inherits = {'res.partner': 'partner_id'}\n"
    "partner_id = fields.Many2one('res.partner', required=True, ondelete='cascade')",
    remedy="Declare the link in _inherits and as a Many2one with required=True and "
    "ondelete='cascade' (or 'restrict'); both series accept that.",
    prevents="TypeError: Field definition for _inherits reference 'partner_id' in 'x' must be "
    "marked as 'delegate', 'required' with ondelete='cascade' or 'restrict' (19.0) / "
    "TypeError: The delegate field x.partner_id must be declared in the model class",
    series_note="18.0 forces required and cascade with a WARNING (a yellow build) and creates "
    "a missing field itself; a delegate=True field without _inherits is fine there.",
)
def check_delegation_links(ctx):
    on_19 = ctx.facts.series != "18.0"
    models = ctx.facts.closure_python_models(ctx.module.name)
    for model in ctx.index.models:
        if model.name is None:
            continue
        classes = list(_registry_classes(models, model.name)) or [model]
        if any(cls.inherits is None or cls.dynamic for cls in classes):
            continue  # a link the static level cannot read
        links = {name for cls in classes for name in cls.inherits.values()}
        # A class's problems are reported on the class that states them.
        for parent, name in (model.inherits or {}).items():
            kwargs = _merged_field_kwargs(classes, name)
            if kwargs is None:
                if on_19 and models.fields(model.name) is not None:  # all its fields are known
                    yield Issue(model.path, model.line, f"_inherits links {parent!r} through {name!r}, "
                                f"which {model.name} does not define: Odoo 19.0 refuses the model "
                                "(TypeError).", key=f"{model.name}:{name}:missing")
                continue
            yield from _link_problems(model, model.fields.get(name), name, kwargs, on_19, True)
        for name, own in model.fields.items():
            if own.kwargs.get("delegate") is not True or name in links:
                continue
            if on_19:
                yield Issue(model.path, own.line, f"{model.name}.{name} has delegate=True but "
                            "_inherits does not name it: Odoo 19.0 refuses the model (TypeError); "
                            f"add _inherits = {{{own.comodel!r}: {name!r}}}.",
                            key=f"{model.name}:{name}:undeclared")
            else:
                yield from _link_problems(model, own, name, _merged_field_kwargs(classes, name), on_19, False)


def _link_problems(model, own, name, kwargs, on_19, declared):
    """The issue of one delegation link whose attributes ``kwargs`` are not required and
    cascade (or restrict); ``own`` is the class's own definition of it, if any."""
    required, ondelete = kwargs.get("required"), kwargs.get("ondelete")
    if not all(isinstance(value, bool | str | type(None)) for value in (required, ondelete)):
        return  # computed by code
    good_ondelete = isinstance(ondelete, str) and ondelete.lower() in ("cascade", "restrict")
    if required is True and (good_ondelete or (not declared and not on_19)):
        return  # 18.0 sets the ondelete of a delegate=True field silently
    line = own.line if own is not None else model.line
    if on_19:
        yield Issue(model.path, line, f"{model.name}.{name} links an _inherits parent: Odoo 19.0 "
                    "needs required=True and ondelete='cascade' or 'restrict' and refuses the "
                    "model otherwise (TypeError).", key=f"{model.name}:{name}:link")
    else:
        yield Issue(model.path, line, f"{model.name}.{name} links an _inherits parent: Odoo 18.0 "
                    "forces required and cascade and logs a WARNING; Odoo 19.0 refuses it.",
                    severity="warning", impact="warning-log", key=f"{model.name}:{name}:link")
