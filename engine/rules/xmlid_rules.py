# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""XML id rules (DEP004, DAT014, DAT011, DAT010): every reference resolves on a fresh database.

A reference resolves when the xmlid exists in the module's closure at the
moment the referencing record loads: a dependency's record, or one of the
module's own records defined earlier in manifest order.
"""

import os

from ..index import FileProblem, full_xmlid
from .registry import Issue, data_severity, rule


def _first_definition(ctx, xmlid):
    definitions = ctx.index.xmlid_definitions.get(xmlid)
    return definitions[0] if definitions else None


def _own_references(ctx):
    """``(record, ref, full xmlid)`` of each reference into the module itself."""
    module = ctx.module.name
    for record in ctx.index.records:
        for ref in record.refs:
            if ref.via == "inherit_id":
                continue  # VIEW005
            xmlid = full_xmlid(module, ref.xmlid)
            if xmlid.partition(".")[0] == module:
                yield record, ref, xmlid


def _is_acl_reference(record, ref):
    # ACL model/group columns are SEC002's, with advice specific to them.
    return record.tag == "csv" and record.model == "ir.model.access" and ref.via in (
        "model_id:id", "group_id:id", "model_id/id", "group_id/id")


@rule(
    "DEP004",
    title="References to other modules' XML ids resolve in the dependency closure",
    category="dependency", level="static", severity="error", impact="install",
    rationale="ref=, ref('...') in eval, %(xmlid)d in views, menu parent/action/"
    "groups, template inherit_id and CSV :id columns are looked up when the file "
    "loads. The target module must be a (transitive) dependency, or the xmlid "
    "only exists where that module happens to be installed: the install works on "
    "the developer's database and fails on a fresh one (odoo.sh).",
    bad="'depends': ['base']  +  <field name=\"team_id\" ref=\"sales_team.team_sales_department\"/>",
    good="'depends': ['sales_team']  +  <field name=\"team_id\" ref=\"sales_team.team_sales_department\"/>",
    remedy="Add the module that defines the xmlid to 'depends', or fix the "
    "xmlid's spelling.",
    prevents="ValueError: External ID not found in the system: X / "
    "The ID \"X\" refers to an uninstalled module",
)
def check_foreign_references(ctx):
    module = ctx.module.name
    scope = set(ctx.facts.scope(module))
    for record in ctx.index.records:
        for ref in record.refs:
            if ref.via == "inherit_id" or _is_acl_reference(record, ref):
                continue
            target_module, dot, _local = ref.xmlid.partition(".")
            if not dot or target_module == module:
                continue
            severity = data_severity(record, ref.optional)
            if target_module not in scope:
                yield Issue(
                    record.path, ref.line,
                    f"{ref.via}: '{ref.xmlid}' belongs to module {target_module!r}, which "
                    "is not in the dependencies; add it to 'depends'.",
                    severity=severity, key=f"{ref.xmlid}:closure",
                )
            elif ctx.facts.xmlid_exists(module, ref.xmlid) is False:
                yield Issue(
                    record.path, ref.line,
                    f"{ref.via}: no record '{ref.xmlid}' in module {target_module!r}.",
                    severity=severity, key=f"{ref.xmlid}:missing",
                )


@rule(
    "DAT014",
    title="Own XML ids are defined before they are used",
    category="data", level="static", severity="error", impact="install",
    rationale="Odoo loads the files of 'data' then 'demo' in manifest order, each "
    "top to bottom, and resolves references as it goes. A reference to a record "
    "defined further down works on an upgrade (the record already exists) and "
    "fails on a fresh install, which is what odoo.sh development builds do.",
    bad="'data': ['views/menus.xml', 'views/actions.xml']   # menus use the actions",
    good="'data': ['views/actions.xml', 'views/menus.xml']",
    remedy="Reorder the manifest's 'data' list (or the records in the file) so that "
    "every record comes after the records it references; define missing ones.",
    prevents="ValueError: External ID not found in the system: module.xmlid",
)
def check_own_references(ctx):
    module = ctx.module.name
    if module == "base":
        return  # bootstrapped by base_data.sql: its core records exist before any file loads
    for record, ref, xmlid in _own_references(ctx):
        if _is_acl_reference(record, ref):
            continue
        local = xmlid.partition(".")[2]
        definition = _first_definition(ctx, xmlid)
        if definition is None:
            if ctx.facts.xmlid_exists(module, xmlid) is False:
                yield Issue(record.path, ref.line,
                            f"{ref.via}: '{ref.xmlid}' is not defined by the module.",
                            severity=data_severity(record, ref.optional),
                            key=f"{xmlid}:missing")
        elif definition.seq >= record.seq and not _defined_by_ancestor(record, definition):
            if local.startswith("model_") and ctx.index.defines_xmlid(local):
                continue  # also generated from the Python model, before any data loads
            where = ("later in the same file" if definition.path == record.path
                     else f"in {definition.path}, loaded later")
            yield Issue(record.path, ref.line,
                        f"{ref.via}: '{ref.xmlid}' is defined {where} (line "
                        f"{definition.line}); a fresh install fails here.",
                        severity=data_severity(record), key=f"{xmlid}:order")


@rule(
    "DAT015",
    title="Data files do not depend on demo data",
    category="data", level="static", severity="error", impact="install",
    rationale="Databases created without demo data (odoo.sh production, "
    "--without-demo) never load demo files. A 'data' file that references a record "
    "another module creates only in its demo data installs on a test database and "
    "fails on production.",
    bad="'data': ['data/defaults.xml']   # ref=\"product.product_product_4\" (product demo)",
    good="'demo': ['demo/defaults.xml']   # or reference a record of product's data",
    remedy="Move the record to the module's demo files, or reference data records.",
    prevents="ValueError: External ID not found in the system (on databases without demo data)",
)
def check_demo_references(ctx):
    module = ctx.module.name
    scope = ctx.facts.scope(module)
    in_scope = set(scope)
    wanted = []  # (record, ref) of the data files' references to other closure modules
    for record in ctx.index.records:
        if record.kind != "data":
            continue
        for ref in record.refs:
            owner, dot, _local = ref.xmlid.partition(".")
            if dot and owner != module and owner in in_scope and not ref.optional:
                wanted.append((record, ref))
    # Every closure module may (re)define another's xmlid: one set intersection
    # per module, rather than one lookup per module and reference.
    needed = {ref.xmlid for _record, ref in wanted}
    found = {}
    for other in scope:
        if other == module:
            continue
        definitions = ctx.facts.index(other).xmlid_definitions
        for xmlid in needed & definitions.keys():
            found.setdefault(xmlid, []).extend(definitions[xmlid])
    for record, ref in wanted:
        definitions = found.get(ref.xmlid, ())
        if definitions and all(d.kind == "demo" for d in definitions):
            owner = ref.xmlid.partition(".")[0]
            yield Issue(record.path, ref.line,
                        f"{ref.via}: '{ref.xmlid}' only exists in the demo data of "
                        f"{owner!r}; databases without demo data cannot install this file.",
                        key=f"{ref.xmlid}:demo")


def _defined_by_ancestor(record, definition):
    """A nested one2many record may refer to the record it is nested in."""
    parent = record.parent
    while parent is not None:
        if parent is definition:
            return True
        parent = parent.parent
    return False


@rule(
    "DAT011",
    title="XML ids are well-formed and name one model",
    category="data", level="static", severity="error", impact="install",
    rationale="An xmlid has at most one dot (module.name); Odoo asserts it. The "
    "same xmlid defined for two different models aborts the install. (Defining it "
    "twice for one model is a legitimate update of the first definition.)",
    bad='<record id="my.module.view" .../>   <record id="a" model="x"/> ... <record id="a" model="y"/>',
    good='<record id="view_partner_form_inherit" model="ir.ui.view">',
    remedy="Use one dot at most; give each record its own xmlid.",
    prevents='AssertionError: The ID reference "a.b.c" must contain maximum one dot / '
    "ValidationError: For external id X when trying to create/update a record of "
    "model Y found record of different model Z",
)
def check_xmlid_hygiene(ctx):
    for record in ctx.index.records:
        if record.xmlid and record.tag != "csv" and record.xmlid.count(".") > 1:
            yield Issue(record.path, record.line,
                        f"The xmlid '{record.xmlid}' has more than one dot.",
                        severity=data_severity(record), key=record.xmlid)
    for xmlid, records in ctx.index.xmlid_definitions.items():
        if len(records) < 2:
            continue
        first = records[0]
        for other in records[1:]:
            if other.model != first.model and first.model and other.model:
                yield Issue(other.path, other.line,
                            f"'{xmlid}' is already a {first.model} record ({first.path}:"
                            f"{first.line}); it cannot also be a {other.model} record.",
                            severity=data_severity(other), key=f"{xmlid}:model")



def defined_in_unlisted_file(facts, module, xmlid):
    """Whether an XML file of ``module`` that its manifest does not list defines ``xmlid``.

    Such files are loaded from Python (point_of_sale's onboarding scenarios,
    for one), so the record may well exist: unknown, not missing.
    """
    source = facts.catalog.get(module)
    if source is None:
        return False
    index = facts.index(module)
    listed = {path for _key, path in index.loaded_files()}
    needle = f'id="{xmlid.partition(".")[2]}"'.encode()
    for folder, _dirs, files in os.walk(index.root):
        for name in files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, index.root)
            if name.endswith(".xml") and relative not in listed and not relative.startswith("static"):
                try:
                    if needle in index.read_bytes(relative):
                        return True
                except FileProblem:
                    continue
    return False



@rule(
    "DAT010",
    title="Records of other modules that a file updates exist",
    category="data", level="static", severity="error", impact="install",
    rationale="<record id=\"other_module.xmlid\"> updates another module's record. "
    "If that record does not exist in the closure, Odoo raises unless the record "
    "says forcecreate=\"1\".",
    bad='<record id="sale.view_that_was_renamed" model="ir.ui.view">',
    good='<record id="sale.view_order_form" model="ir.ui.view">',
    remedy="Fix the xmlid, add the defining module to 'depends', or create your own record.",
    prevents="Exception: Cannot update missing record 'other_module.xmlid'",
)
def check_foreign_records(ctx):
    module = ctx.module.name
    for record in ctx.index.records:
        if record.tag != "record" or not record.xmlid or "." not in record.xmlid:
            continue
        target_module = record.xmlid.partition(".")[0]
        if target_module == module:
            continue
        if (record.forcecreate or "").strip().lower() in ("1", "true", "on"):
            continue
        exists = ctx.facts.xmlid_exists(module, record.xmlid, own_records=False)
        if (record.xmlid.count(".") == 1 and exists is False
                and not defined_in_unlisted_file(ctx.facts, target_module, record.xmlid)):
            yield Issue(record.path, record.line,
                        f"'{record.xmlid}' is not a record of the dependencies; Odoo "
                        "cannot update it.", severity=data_severity(record), key=record.xmlid)
