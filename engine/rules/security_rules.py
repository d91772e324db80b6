# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security rules (SEC001-SEC003): access rights of the module's models."""

from ..index import ACL_MODEL_COLUMNS as MODEL_COLUMNS
from ..index import full_xmlid
from .registry import Issue, rule

GROUP_COLUMNS = ("group_id:id", "group_id/id")
PERMISSIONS = ("perm_read", "perm_write", "perm_create", "perm_unlink")
# What Odoo's import accepts for a boolean column (ir_fields.py _str_to_boolean).
BOOLEAN_VALUES = {"", "0", "1", "true", "false", "yes", "no", "y", "n"}


@rule(
    "SEC001",
    title="New models have access rules",
    category="security", level="static", severity="warning", impact="warning-log",
    rationale="A model (TransientModel included) without any ir.model.access row is "
    "usable by the superuser only, and Odoo logs a WARNING when the module loads: "
    "a yellow build on odoo.sh.",
    bad="_name = 'x.thing'   # no line for model_x_thing in security/ir.model.access.csv",
    good="access_x_thing_user,x.thing.user,model_x_thing,base.group_user,1,1,1,1",
    remedy="Add a line per group to security/ir.model.access.csv and list the file "
    "in the manifest's 'data'.",
    prevents="WARNING The models ['x.thing'] have no access rules in module x, "
    "consider adding some",
)
def check_access_coverage(ctx):
    new_models = [
        model for model in ctx.index.models
        if model.is_definition and model.kind in ("model", "transient")
        and model.attributes.get("_abstract") is not True
    ]
    if not new_models:
        return
    covered = set()
    for module in ctx.facts.scope(ctx.module.name):
        covered |= ctx.facts.index(module).acl_model_names
    for model in new_models:
        if "model_" + model.name.replace(".", "_") not in covered:
            yield Issue(model.path, model.line,
                        f"The model {model.name!r} has no access rule.", key=model.name)


@rule(
    "SEC002",
    title="Access rules name existing models and groups",
    category="security", level="static", severity="error", impact="install",
    rationale="In ir.model.access.csv, model_id:id must be model_<model> of a module "
    "that defines or extends the model (model_x for the module itself, "
    "other_module.model_x otherwise), group_id:id a group of the closure defined "
    "before the file loads; permissions are 0 or 1. Any other value aborts the install.",
    bad="access_order,sale.order,model_sale_order,base.group_user,1,1,1,1\n"
    "# in a module that does not extend sale.order",
    good="access_order,sale.order,sale.model_sale_order,base.group_user,1,1,1,1",
    remedy="Prefix foreign models with their module; fix model and group xmlids; "
    "load the groups file before the CSV.",
    prevents="Exception: Module loading X failed: file security/ir.model.access.csv "
    "could not be processed: No matching record found for external id 'model_x' in "
    "field 'Model'",
)
def check_access_references(ctx):
    module = ctx.module.name
    scope = set(ctx.facts.scope(module))
    for record in ctx.index.acl_records:
        for data_field in record.fields:
            value = data_field.text.strip()
            if not value:
                continue
            if data_field.name in MODEL_COLUMNS:
                problem = _model_problem(ctx, module, scope, value)
            elif data_field.name in GROUP_COLUMNS:
                problem = _group_problem(ctx, module, scope, record, value)
            elif data_field.name in PERMISSIONS and value.lower() not in BOOLEAN_VALUES:
                problem = f"{data_field.name} must be 0 or 1, not {value!r}"
            else:
                continue
            if problem:
                yield Issue(record.path, record.line, f"{record.xmlid or 'row'}: {problem}.",
                            key=f"{record.xmlid}:{data_field.name}")


def _model_problem(ctx, module, scope, value):
    xmlid = full_xmlid(module, value)
    owner, _dot, local = xmlid.partition(".")
    if owner not in scope:
        return f"'{value}' belongs to {owner!r}, which is not in the dependencies"
    if not local.startswith("model_"):
        return None if ctx.facts.xmlid_exists(module, xmlid) is not False else (
            f"no record '{xmlid}'")
    if ctx.facts.index(owner).defines_xmlid(local):
        return None
    definers = sorted(
        other for other in scope
        if other != owner and ctx.facts.index(other).defines_xmlid(local)
    )
    hint = f"; use {definers[-1]}.{local}" if definers else ""
    if owner == module:
        return f"'{value}': the module does not define or extend that model{hint}"
    return f"'{value}': {owner!r} does not define or extend that model{hint}"


def _group_problem(ctx, module, scope, record, value):
    xmlid = full_xmlid(module, value)
    owner = xmlid.partition(".")[0]
    if owner not in scope:
        return f"'{value}' belongs to {owner!r}, which is not in the dependencies"
    if owner == module:
        definitions = ctx.index.xmlid_definitions.get(xmlid)
        if definitions and definitions[0].seq > record.seq:
            return (f"the group '{value}' is defined in {definitions[0].path}, loaded "
                    "after this file")
        if not definitions and ctx.facts.xmlid_exists(module, xmlid) is False:
            return f"the group '{value}' is not defined by the module"
        return None
    if ctx.facts.xmlid_exists(module, xmlid) is False:
        return f"no group '{xmlid}'"
    return None


# What Odoo's CSV import reads as False in a boolean column (ir_fields.py _str_to_boolean).
FALSE_VALUES = {"", "0", "false", "no"}
# eval= values of an XML <field name="group_id"> that leave the rule without a group.
EMPTY_EVALS = {"False", "None", "0", "[]", "()", "''", '""'}


def _grants(value):
    return value.strip().lower() not in FALSE_VALUES


def _xml_value_set(data_field):
    """True if an XML <field> of a boolean sets True, False if not, None if unknown."""
    node = data_field.node
    if node.get("eval") is not None:
        expression = node.get("eval").strip()
        if expression in ("True", "1"):
            return True
        return False if expression in EMPTY_EVALS else None
    return _grants(data_field.text) if not node.get("ref") else None


@rule(
    "SEC003",
    title="Access rules name a group",
    category="security", level="static", severity="warning", impact="warning-log",
    rationale="An ir.model.access row without a group applies to every user, portal "
    "and public (anonymous website visitors) included. Odoo calls this a deprecated "
    "feature and logs a WARNING for each such row it creates. Rows of a CSV without a "
    "group_id column are just as global, without the WARNING.",
    bad="access_x_thing,x.thing,model_x_thing,,1,1,1,1",
    good="access_x_thing_user,x.thing.user,model_x_thing,base.group_user,1,1,1,1\n"
    "access_x_thing_portal,x.thing.portal,model_x_thing,base.group_portal,1,0,0,0",
    remedy="Give each row the group it is meant for (base.group_user for internal "
    "users); grant portal or public users access through their own rows.",
    prevents="WARNING Rule x.thing has no group, this is a deprecated feature. Every "
    "access-granting rule should specify a group.",
)
def check_access_groups(ctx):
    for record in ctx.index.acl_records:
        columns = {data_field.name: data_field.text for data_field in record.fields}
        granted = [p for p in PERMISSIONS if _grants(columns.get(p, ""))]
        if not granted:
            continue
        group_column = next((c for c in (*GROUP_COLUMNS, "group_id") if c in columns), None)
        if group_column is not None and columns[group_column].strip():
            continue
        if group_column is None and "." in (record.xmlid or "") and (
                record.xmlid.partition(".")[0] != ctx.module.name):
            continue  # updates another module's rule, whose group stays
        why = ("has no group" if group_column is not None
               else "is in a file without a group_id column")
        yield Issue(record.path, record.line,
                    f"{record.xmlid or 'row'} {why}: it grants {', '.join(granted)} to every "
                    "user, portal and public included.", key=f"{record.xmlid}:no-group")
    for record in ctx.index.records:
        if record.tag != "record" or record.model != "ir.model.access":
            continue
        group = record.get_field("group_id")
        # Only an explicitly empty group is known: without the field the record
        # may update an existing rule that has one.
        if group is None or group.node.get("ref") or _xml_value_set(group) is not False:
            continue
        granted = [p for p in PERMISSIONS
                   if record.get_field(p) is not None and _xml_value_set(record.get_field(p))]
        if granted:
            yield Issue(record.path, record.line,
                        f"{record.xmlid or 'record'} has no group: it grants {', '.join(granted)} "
                        "to every user, portal and public included.", key=f"{record.xmlid}:no-group")
