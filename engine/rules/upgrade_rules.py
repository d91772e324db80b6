# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Upgrade safety (MAN003, MIG001-MIG010): an installed module against its code on disk.

These rules run at the dynamic level on modules installed in the database the
validator runs in (a staging copy of production). They compare what the
database holds with what ``-u`` would load and count the rows each change
meets; most of these failures never show on a fresh database.
"""

import os
import re

from ..upgrade import UNKNOWN, migration_folders, upgrade_plan, version_key
from .registry import Issue, rule

# Odoo's migration.py VERSION_RE: optional series prefix, then 2 or 3 numbers.
MIGRATION_VERSION_RE = re.compile(
    r"^((6\.1|[6-9]\.0|[1-9]\d+\.0|(7|8|9|10)\.saas~[1-9]\d*|saas~(1[1-9]|[2-9]\d+)\.[1-9])\.)?"
    r"\d+\.\d+(\.\d+)?$", re.ASCII)
MIGRATE_PARAMETERS = {("cr", "version"), ("cr", "_version"), ("_cr", "version"), ("_cr", "_version")}
UNIQUE_RE = re.compile(r"^\s*unique\s*\(\s*([a-z_][a-z0-9_]*(?:\s*,\s*[a-z_][a-z0-9_]*)*)\s*\)\s*$",
                       re.IGNORECASE)
CHECK_RE = re.compile(r"^\s*check\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)
# Above this many rows a new stored computed field makes the upgrade long (MIG009).
HEAVY_ROWS = 100_000
# Column conversions Odoo does with its own USING clause (translations), always possible.
SAFE_CONVERSIONS = {("varchar", "jsonb"), ("text", "jsonb"), ("jsonb", "varchar"),
                    ("jsonb", "text"), ("varchar", "text"), ("text", "varchar")}
ON_DELETE = {"r": "RESTRICT", "a": "NO ACTION", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def _plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


@rule(
    "MAN003",
    title="Changes to an installed module come with a version bump",
    category="upgrade", level="dynamic", severity="warning", impact="runtime",
    rationale="odoo.sh production (and most deployment scripts) upgrade a module only "
    "when its manifest version is higher than the installed one. New fields, models or "
    "records without a bump are deployed as code but never applied to the database: "
    "queries on the missing columns fail at run time. A version lower than the "
    "installed one is never upgraded.",
    bad="'version': '18.0.1.0.0',   # unchanged, but a field and a view were added",
    good="'version': '18.0.1.1.0',",
    remedy="Raise the manifest version (the third or later number) with every change "
    "that must reach the database.",
    prevents="psycopg2.errors.UndefinedColumn: column x_thing.new_field does not exist "
    "(after a deployment without upgrade)",
)
def check_version_bump(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None or plan.disk_version is None or plan.installed_version is None:
        return
    line = ctx.index.manifest_key_line("version")
    if plan.version_bumped is None:
        return
    from odoo.tools.parse_version import parse_version

    if parse_version(plan.disk_version) < parse_version(plan.installed_version):
        yield Issue("__manifest__.py", line, f"The version on disk ({plan.disk_version}) is "
                    f"lower than the installed one ({plan.installed_version}): an upgrade runs no "
                    "migration script and deployments that compare versions skip it.",
                    key="downgrade")
        return
    if plan.version_bumped:
        return
    changes = _pending_changes(plan)
    if changes:
        yield Issue("__manifest__.py", line, f"The module changed since version "
                    f"{plan.installed_version} was installed ({'; '.join(changes)}) but its "
                    "version is the same: a deployment that upgrades on version bumps will not "
                    "apply these changes.", key="no-bump")


def _pending_changes(plan):
    changes = []
    code = {(field.model, field.name) for _cls, field in plan.own_fields()
            if field.column_type() not in (None, UNKNOWN)}
    added = sorted(code - set(plan.owned_fields) - plan.known_fields)
    if added:
        changes.append(f"new fields {', '.join(f'{m}.{f}' for m, f in added[:5])}")
    if plan.complete:
        removed = sorted(key for key in plan.owned_fields if plan.still_defined(*key) is False)
        if removed:
            changes.append(f"removed fields {', '.join(f'{m}.{f}' for m, f in removed[:5])}")
    demo = plan.demo_installed
    new_records = sorted(
        name for name in plan.file_xmlids - set(plan.xmlids)
        if demo or all(record.kind != "demo"
                       for record in plan.index.xmlid_definitions[f"{plan.name}.{name}"]))
    if new_records:
        changes.append(f"new records {', '.join(new_records[:5])}")
    return changes


@rule(
    "MIG001",
    title="A new required column has a value for every existing row",
    category="upgrade", level="dynamic", severity="error", impact="build",
    rationale="When an upgrade adds a required stored field, or makes a field required, "
    "Odoo fills existing rows from the field's default; without a default the rows stay "
    "NULL and ALTER TABLE ... SET NOT NULL fails. The upgrade logs ERROR (a red build), "
    "exits 0 and leaves the column without its constraint.",
    bad="code = fields.Char(required=True)   # the table already has rows",
    good="code = fields.Char(required=True, default='/')   # or a pre-migration script",
    remedy="Give the field a default, or fill the column in a pre-migration script "
    "(migrations/<new version>/pre-fill_code.py).",
    prevents="ERROR odoo.schema: Table 'x_thing': unable to set NOT NULL on column 'code'",
)
def check_required_columns(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    for cls, field in plan.own_fields():
        if field.flag("required") is not True or "default" in field.kwargs \
                or "compute" in field.kwargs or "related" in field.kwargs:
            continue
        column_type = field.column_type()
        table = plan.table(field.model)
        if column_type in (None, UNKNOWN) or not table:
            continue
        columns = plan.db.columns(table)
        if not columns or plan.migration_handling(table, field.name):
            continue  # a new table has no rows; a pre-migration script fills the column
        if field.name not in columns:
            empty = plan.db.row_count(table)
            what = "a new column"
        elif columns[field.name][1]:
            empty = plan.db.null_count(table, field.name)
            what = "newly required"
        else:
            continue
        if empty:
            yield Issue(cls.path, field.line, f"{field.model}.{field.name} is {what} without a "
                        f"default: {_plural(empty, 'row')} of table {table} would stay empty and "
                        "the NOT NULL constraint cannot be added.", key=f"{field.model}.{field.name}")


@rule(
    "MIG002",
    title="New SQL constraints hold on existing rows",
    category="upgrade", level="dynamic", severity="error", impact="build",
    rationale="Odoo adds a new or changed _sql_constraints entry with ALTER TABLE ... ADD "
    "CONSTRAINT; when existing rows violate it the upgrade logs ERROR, exits 0 and the "
    "table stays without the constraint, so the rule the code relies on is not enforced.",
    bad="_sql_constraints = [('code_uniq', 'unique(code)', 'Codes are unique')]"
    "   # two rows share a code",
    good="a pre-migration script that deduplicates the codes first",
    remedy="Clean the violating rows in a pre-migration script, or relax the constraint.",
    prevents="ERROR odoo.schema: Table 'x_thing': unable to add constraint "
    "'x_thing_code_uniq' as unique(code)",
)
def check_sql_constraints(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    from odoo.tools.sql import make_identifier

    for model, cls, key, definition in plan.sql_constraints():
        table = plan.table(model)
        if not table or not plan.db.columns(table):
            continue
        name = make_identifier(f"{table}_{key}")
        if plan.db.constraint_definition(table, name) == definition \
                or plan.migration_handling(table, stages=("pre",)):
            continue
        message = _constraint_violations(plan, table, definition)
        if message:
            yield Issue(cls.path, cls.line, f"{model}: the constraint {key!r} ({definition}) "
                        f"{message}; the upgrade cannot add it.", key=f"{model}:{key}")


def _constraint_violations(plan, table, definition):
    columns = plan.db.columns(table)
    unique = UNIQUE_RE.match(definition)
    if unique:
        names = [name.strip() for name in unique.group(1).split(",")]
        if not all(name in columns for name in names):
            return None  # new columns are empty: NULLs never collide
        groups, rows = (int(count) for count in plan.db.duplicate_groups(table, names))
        if groups:
            return (f"is violated by {_plural(rows, 'row')} of table {table} sharing "
                    f"{_plural(groups, 'value')} of ({', '.join(names)})")
        return None
    check = CHECK_RE.match(definition)
    if check:
        from ..database import ProbeFailed

        try:
            violations = plan.db.check_violations(table, check.group(1))
        except ProbeFailed:
            return None  # it names columns the upgrade creates: unknown here
        if violations:
            return f"is false for {_plural(violations, 'row')} of table {table}"
    return None


@rule(
    "MIG003",
    title="Column type changes can convert the existing values",
    category="upgrade", level="dynamic", severity="error", impact="install",
    rationale="When a stored field changes type, Odoo converts the column in place with "
    "ALTER COLUMN ... TYPE ... USING column::new_type. One value that does not cast "
    "(a letter in a Char becoming an Integer) aborts the module's loading.",
    bad="ref = fields.Integer()   # was fields.Char() and holds 'A-12'",
    good="a pre-migration script that cleans or moves the old values first",
    remedy="Convert or move the values in a pre-migration script, or add a new field "
    "and migrate the data to it.",
    prevents="psycopg2.errors.InvalidTextRepresentation: invalid input syntax for type "
    "integer: \"A-12\"",
)
def check_column_conversions(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    for cls, field in plan.own_fields():
        column_type = field.column_type()
        table = plan.table(field.model)
        if column_type in (None, UNKNOWN) or not table:
            continue
        column = plan.db.columns(table).get(field.name)
        if column is None or column[0] == column_type[0] \
                or (column[0], column_type[0]) in SAFE_CONVERSIONS \
                or plan.migration_handling(table, field.name):
            continue
        failure = plan.db.cast_failure(table, field.name, column_type[1])
        if failure:
            values = plan.db.filled_count(table, field.name)
            yield Issue(cls.path, field.line, f"{field.model}.{field.name} changes from "
                        f"{column[0]} to {column_type[0]}, but some of the {_plural(values, 'value')} "
                        f"of table {table} cannot be converted: {failure}.",
                        key=f"{field.model}.{field.name}")


@rule(
    "MIG004",
    title="Removed fields and models are not used any more",
    category="upgrade", level="dynamic", severity="warning", impact="runtime",
    rationale="At the end of an upgrade Odoo deletes the ir.model.fields and ir.model "
    "rows of fields and models the module no longer defines: a removed field's column is "
    "dropped with its values; a removed model's table stays but nothing reads it. Views of other installed modules or stored only in "
    "the database that still name the field then fail to load (an error); saved filters, "
    "record rules and server actions break at run time. A rename without a migration "
    "script is a removal plus an empty new field.",
    bad="# partner_ref renamed to customer_ref, no migration script",
    good="migrations/18.0.1.1.0/pre-rename.py: openupgrade-style rename of the column",
    remedy="Rename columns in a pre-migration script, move values before removing a "
    "field, and update the views, filters and rules that use it.",
    prevents="ERROR ... Field 'partner_ref' used in arch of view ... does not exist "
    "(in views of dependent modules) / silent data loss",
)
def check_removed_fields(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    new_fields = {(f.model, f.name): f for _cls, f in plan.own_fields()}
    for (model, name), ttype in sorted(plan.owned_fields.items()):
        if name.startswith("x_") or model not in plan.installed_models:
            continue  # custom fields stay; a model that goes is reported once below
        if plan.still_defined(model, name) is not False:
            continue  # still defined (perhaps through a mixin), or not knowable
        fields_ = ctx.facts.env["ir.model.fields"].sudo().search(
            [("model", "=", model), ("name", "=", name)], limit=1)
        if plan.other_owners("ir.model.fields", fields_.ids) \
                or plan.migration_handling(name, stages=("pre", "post")):
            continue  # another installed module still defines it, or a script moves it
        yield _removed_field_issue(ctx, plan, model, name, ttype, new_fields)
    if not plan.installed_models_complete:
        return
    yield from _models_still_extended(ctx, plan)
    new_models = sorted(model for model, classes in plan.own_models.items()
                        if model not in plan.owned_models and any(c.is_definition for c in classes))
    for model in sorted(m for m in plan.owned_models if m not in plan.installed_models):
        ir_model = ctx.facts.env["ir.model"].sudo().search([("model", "=", model)], limit=1)
        if plan.other_owners("ir.model", ir_model.ids):
            continue
        table = model.replace(".", "_")
        rows = plan.db.row_count(table) if plan.db.columns(table) else 0
        views = _views_using(ctx.facts.env, plan, model, None)
        accesses = ctx.facts.env["ir.model.access"].sudo().with_context(active_test=False).search(
            [("model_id.model", "=", model)])
        foreign = [x for x in accesses.get_external_id().values()
                   if not x.startswith(ctx.module.name + ".")]
        severity = "error" if views else None
        # _drop_table skips models the registry no longer has: the rows stay, unread.
        yield Issue("", None, f"The model {model} is no longer defined: the upgrade deletes its "
                    f"ir.model entry and leaves table {table} ({_plural(rows, 'row')}) behind, "
                    "read by nothing"
                    + (f" (renamed to {new_models[0]!r}? without a migration script that "
                       f"renames the table, {new_models[0]} starts empty)" if new_models and rows else "")
                    + (f"; still used by {', '.join(views[:5])}" if views else "")
                    + (f"; access rules of other modules or of the database go with it: "
                       f"{', '.join(x or 'unnamed' for x in foreign[:5])}" if foreign else "")
                    + ".", severity=severity, key=f"model:{model}")


def _models_still_extended(ctx, plan):
    """Models the module stops defining while installed code still extends them.

    Loading that code then fails (_build_model: "Model ... does not exist in
    registry"), and with it the whole upgrade.
    """
    models = plan.installed_models
    if models.unnamed:
        return
    for model in sorted(plan.owned_models):
        if model not in models or models.is_defined(model) or model in plan.own_models:
            continue
        ir_model = ctx.facts.env["ir.model"].sudo().search([("model", "=", model)], limit=1)
        owners = sorted({row["module"] for row in ctx.facts.env["ir.model.data"].sudo().search_read(
            [("model", "=", "ir.model"), ("res_id", "=", ir_model.id), ("module", "!=", plan.name)],
            ["module"])})
        yield Issue("", None, f"The model {model} is no longer defined, but installed code still "
                    f"extends it ({', '.join(owners) or 'another module'}): the upgrade fails when "
                    f"Odoo loads that code (TypeError: Model '{model}' does not exist in registry).",
                    severity="error", impact="install", key=f"extended:{model}")


def _removed_field_issue(ctx, plan, model, name, ttype, new_fields):
    table = plan.table(model) or model.replace(".", "_")
    values = plan.db.filled_count(table, name) if name in plan.db.columns(table) else 0
    views = _views_using(ctx.facts.env, plan, model, name)
    users = _database_users(ctx.facts.env, model, name)
    renamed = [f.name for (m, _n), f in new_fields.items() if m == model and f.type
               and f.type.lower() == ttype and (m, f.name) not in plan.owned_fields]
    message = f"{model}.{name} is no longer defined: the upgrade drops it"
    if values:
        message += f" with the {_plural(values, 'value')} of table {table}"
    if renamed:
        message += f" (renamed to {renamed[0]!r}? without a migration script the values are lost)"
    if views:
        message += f"; views still using it: {', '.join(views[:5])}"
    if users:
        message += f"; also used by {', '.join(users)}"
    return Issue("", None, message + ".", severity="error" if views else None,
                 key=f"field:{model}.{name}")


def _views_using(env, plan, model, field_name):
    """Active views of other modules (or only in the database) on ``model`` naming the field."""
    domain = [("model", "=", model)]
    if field_name:
        domain.append(("arch_db", "ilike", field_name))
    views = env["ir.ui.view"].sudo().search(domain)
    pattern = field_name and re.compile(rf"""name=["']{re.escape(field_name)}["']""")
    found = []
    for view in views:
        xmlid = view.get_external_id().get(view.id) or ""
        if xmlid.startswith(plan.name + ".") or (pattern and not pattern.search(view.arch_db or "")):
            continue
        found.append(xmlid or f"view {view.id} ({view.name}, stored only in the database)")
    return found


def _database_users(env, model, name):
    """Saved filters, record rules and server actions on ``model`` whose text names the field."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    found = []
    for model_name, domain, text_field in (
            ("ir.filters", [("model_id", "=", model)], "domain"),
            ("ir.rule", [("model_id.model", "=", model)], "domain_force"),
            ("ir.actions.server", [("model_id.model", "=", model), ("state", "=", "code")], "code")):
        records = env[model_name].sudo().with_context(active_test=False).search(domain)
        count = sum(1 for record in records if word.search(record[text_field] or ""))
        if count:
            found.append(f"{_plural(count, model_name.split('.', 1)[1].replace('.', ' '))}")
    return found


@rule(
    "MIG005",
    title="Records the upgrade deletes are not referenced",
    category="upgrade", level="dynamic", severity="error", impact="install",
    rationale="At the end of an upgrade Odoo deletes every record of the module that has "
    "an xmlid not loaded again (noupdate=False and no longer in the data files). When "
    "other rows still reference it through a foreign key with ON DELETE RESTRICT, the "
    "deletion fails and the whole upgrade stops; otherwise the rows pointing to it are "
    "emptied or deleted with it.",
    bad="<!-- stage_done removed from data/stages.xml; tasks still use it -->",
    good="keep the record (or archive it with active=False), or move the references in a "
    "migration script",
    remedy="Keep the record in the data files, mark it noupdate, or reassign the rows "
    "that reference it in a pre-migration script.",
    prevents="psycopg2.errors.ForeignKeyViolation: update or delete on table ... violates "
    "foreign key constraint ... (while deleting records in _process_end)",
)
def check_vanishing_records(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    for model, records in sorted(plan.vanishing_records().items()):
        records = {name: res_id for name, res_id in records.items()
                   if not plan.migration_handling(name, stages=("pre", "post"))}
        if not records:
            continue
        table = ctx.facts.env[model]._table
        references = plan.db.referencing_rows(table, list(records.values()))
        blocking = [(source, column, rows) for source, column, on_delete, rows in references
                    if on_delete in ("r", "a")]
        names = ", ".join(sorted(records)[:5]) + (" ..." if len(records) > 5 else "")
        if blocking:
            detail = "; ".join(f"{_plural(rows, 'row')} of {source}.{column}"
                               for source, column, rows in blocking)
            yield Issue("", None, f"The upgrade deletes {_plural(len(records), model + ' record')} "
                        f"no longer in the data files ({names}), but {detail} still reference "
                        "them with ON DELETE RESTRICT: the deletion and the upgrade fail.",
                        key=f"restrict:{model}")
        else:
            affected = "; ".join(f"{_plural(rows, 'row')} of {source}.{column} "
                                 f"({ON_DELETE.get(on_delete, on_delete)})"
                                 for source, column, on_delete, rows in references)
            yield Issue("", None, f"The upgrade deletes {_plural(len(records), model + ' record')} "
                        f"no longer in the data files ({names})"
                        + (f"; rows referencing them: {affected}" if affected else "") + ".",
                        severity="warning", impact="hygiene", key=f"delete:{model}")


@rule(
    "MIG006",
    title="Changed noupdate records are migrated",
    category="upgrade", level="dynamic", severity="warning", impact="runtime",
    rationale="Records inside noupdate=\"1\" are created once and never written again by "
    "an upgrade: a new value in the file silently stays out of the database (a cron's "
    "interval, a sequence's prefix, a mail template's subject), unless a migration script "
    "applies it. The difference may also be a user's deliberate edit.",
    bad='<data noupdate="1"> <field name="interval_number">1</field> <!-- was 4 -->',
    good="a post-migration script writing the new value (or forcing the record's update)",
    remedy="Apply the new values in a post-migration script, or tell the users to do it.",
    prevents="(silent) the file's new values are never applied",
)
def check_noupdate_records(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None or not plan.version_bumped:
        return  # without a pending upgrade a difference is the database's own history
    for record, changed in plan.noupdate_differences():
        if plan.migration_handling(record.xmlid.rpartition(".")[2], stages=("post", "end")):
            continue
        detail = ", ".join(f"{name}: file {file!r}, database {db!r}" for name, file, db in changed[:4])
        yield Issue(record.path, record.line, f"{record.xmlid} is noupdate and differs from the "
                    f"database ({detail}); the upgrade will not apply the file's values.",
                    key=f"{record.xmlid}")


@rule(
    "MIG007",
    title="Migration scripts are valid",
    category="upgrade", level="static", severity="error", impact="install",
    rationale="Odoo runs migrations/<version>/{pre,post,end}-*.py when the installed "
    "version is lower than the folder's and the folder's is at most the manifest's. A "
    "folder name that is not a version is skipped with a WARNING; a script without "
    "migrate(cr, version) stops the upgrade; a folder above the manifest version never runs. "
    "A decorated migrate() is accepted: the decorator decides the signature Odoo sees "
    "(openupgradelib's @openupgrade.migrate() makes Odoo accept migrate(env, version)).",
    bad="migrations/1.1/pre-fix.py: def migrate(env): ...",
    good="migrations/18.0.1.1.0/pre-fix.py: def migrate(cr, version): ...",
    remedy="Name folders after the version that needs them (at most the manifest's) and "
    "define migrate(cr, version) in every pre-, post- and end- script.",
    prevents="TypeError: module x: `migrate`'s signature should be `(cr, version)` / "
    "AttributeError: ... must have a \"migrate(cr, installed_version)\" function / "
    "WARNING Invalid version for upgrade script",
)
def check_migration_scripts(ctx):
    manifest_version = version_key((ctx.index.manifest or {}).get("version", "1.0"), ctx.facts.series)
    for relative, version, scripts in migration_folders(ctx.index):
        if not MIGRATION_VERSION_RE.match(version):
            yield Issue(relative, None, f"{relative} is not a version folder: Odoo skips it with "
                        "a WARNING and runs none of its scripts.", severity="warning", key=relative)
            continue
        folder_version = version_key(version, ctx.facts.series) if version != "0.0.0" else None
        if manifest_version and folder_version and folder_version > manifest_version:
            yield Issue(relative, None, f"{relative} is above the manifest version: its scripts "
                        "never run until the version is raised.", severity="warning",
                        impact="runtime",
                        key=f"{relative}:above")
        for script in scripts:
            script_path = f"{relative}/{script}"
            summary = ctx.index.python.get(os.path.join(*script_path.split("/")))
            if summary is None or summary.problem:
                continue  # PY001 reports files that do not compile
            migrate = summary.functions.get("migrate")
            if migrate is None:
                yield Issue(script_path, None, f"{script_path} defines no migrate(cr, version) "
                            "function: the upgrade stops here.", key=f"{script_path}:missing")
            elif migrate.decorated:
                continue  # the decorator decides what Odoo sees (openupgradelib adapts it)
            elif migrate.varargs or migrate.parameters not in MIGRATE_PARAMETERS:
                yield Issue(script_path, migrate.line, f"migrate({', '.join(migrate.parameters)}) "
                            "must take exactly (cr, version): the upgrade stops here.",
                            key=f"{script_path}:signature")


@rule(
    "MIG008",
    title="Views of other modules still apply to the module's changed views",
    category="upgrade", level="dynamic", severity="error", impact="install",
    rationale="Installed modules that depend on this one are upgraded with it, and views "
    "stored only in the database (customisations, Studio) stay. Their inheritance specs "
    "are applied again to the module's new arch; an xpath or field that no longer exists "
    "there makes the view invalid: the upgrade fails or the screen no longer opens.",
    bad="<!-- field partner_id removed from the form; sale_custom's view adds after it -->",
    good="keep the anchor, or update the inheriting views in the same release",
    remedy="Keep the elements other views rely on, or adapt and release those views together.",
    prevents="Element '<field name=\"partner_id\">' cannot be located in parent view",
)
def check_downstream_views(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    if plan.version_bumped and plan.downstream:
        yield Issue("__manifest__.py", ctx.index.manifest_key_line("version"),
                    f"Upgrading {ctx.module.name} also upgrades the installed modules that depend "
                    f"on it: {', '.join(plan.downstream)}. Validate them with it.",
                    severity="info", key="cascade")
    for view, child, error in plan.broken_inheritance():
        owner = child.get_external_id().get(child.id) or \
            f"view {child.id} ({child.name}, stored only in the database)"
        yield Issue(view.record.path, view.record.line, f"{owner} inherits "
                    f"{view.record.xmlid} and no longer applies to its new arch: {error}",
                    key=f"{view.record.xmlid}:{owner}")


@rule(
    "MIG009",
    title="New stored computed fields on large tables",
    category="upgrade", level="dynamic", severity="warning", impact="hygiene",
    rationale="A new stored computed field is computed for every existing row during the "
    "upgrade, in Python, before the module is marked upgraded. On large tables this takes "
    "long enough to hit odoo.sh's build timeouts or lock the table for the whole upgrade.",
    bad="margin = fields.Float(compute='_compute_margin', store=True)   # 3M order lines",
    good="fill the column with SQL in a pre-migration script, then keep the compute",
    remedy="Create and fill the column in a pre-migration script (Odoo then skips the "
    "computation), or make the field non-stored.",
    prevents="an upgrade that runs for hours or times out",
)
def check_heavy_computations(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    for cls, field in plan.own_fields():
        if "compute" not in field.kwargs or field.flag("store") is not True:
            continue
        table = plan.table(field.model)
        columns = plan.db.columns(table) if table else {}
        if not columns or field.name in columns:
            continue
        rows = plan.db.estimated_rows(table, HEAVY_ROWS)
        if rows >= HEAVY_ROWS:
            yield Issue(cls.path, field.line, f"{field.model}.{field.name} is a new stored computed "
                        f"field: the upgrade computes it for about {rows:,} rows of {table}.",
                        key=f"{field.model}.{field.name}")


@rule(
    "MIG010",
    title="Removed selection values are not in use",
    category="upgrade", level="dynamic", severity="warning", impact="runtime",
    rationale="When a selection value disappears from a field's list, the upgrade removes "
    "it from ir.model.fields.selection but leaves the rows holding it untouched and logs "
    "nothing: those records show an empty or invalid value, and filters and reports on it "
    "silently miss them.",
    bad="state = fields.Selection([('draft', 'Draft'), ('done', 'Done')])"
    "   # 'cancel' removed, 40 rows hold it",
    good="a pre-migration script moving 'cancel' rows to another value",
    remedy="Move the rows to a remaining value in a pre-migration script, or keep the value.",
    prevents="(silent) records holding a value that is no longer a choice",
)
def check_removed_selection_values(ctx):
    plan = upgrade_plan(ctx.facts, ctx.module.name)
    if plan is None:
        return
    owned = plan.owned_selection_values()
    for cls, field in plan.own_fields():
        selection = field.kwargs.get("selection")
        if field.type != "Selection" or (field.model, field.name) not in owned \
                or not isinstance(selection, list | tuple) or "selection_add" in field.kwargs:
            continue
        keys = {item[0] for item in selection if isinstance(item, tuple | list) and item}
        removed = owned[(field.model, field.name)] - keys
        table = plan.table(field.model)
        if not removed or not table or field.name not in plan.db.columns(table):
            continue
        removed = {value for value in removed
                   if not plan.migration_handling(table, value, stages=("pre", "post"))}
        if not removed:
            continue
        in_use = plan.db.value_counts(table, field.name, sorted(removed))
        if in_use:
            detail = ", ".join(f"{value!r} ({_plural(rows, 'row')})" for value, rows in sorted(in_use.items()))
            yield Issue(cls.path, field.line, f"{field.model}.{field.name} no longer offers "
                        f"{detail} of table {table}.", key=f"{field.model}.{field.name}")
