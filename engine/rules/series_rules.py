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
