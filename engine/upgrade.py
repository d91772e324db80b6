# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 3, installed modules: what upgrading one to the code on disk would change.

The database says what is installed (``ir_module_module``, ``ir_model_data``,
``ir_model_fields``, the real tables, columns and constraints); the module's
files say what the upgrade will load. The running registry is not used for
either side: after a deployment it may hold the old code or the new one.
Every database read goes through ``Database`` (read-only, rolled back).
"""

import ast
import copy
from functools import cached_property

from lxml import etree

from . import compat
from .index import FileProblem, stored_arch

# Models whose xmlids Odoo's ORM writes itself (reflection), not data files.
REFLECTION_MODELS = frozenset((
    "ir.model", "ir.model.fields", "ir.model.fields.selection", "ir.model.constraint",
    "ir.model.relation", "ir.model.inherit", "ir.module.module", "ir.module.category",
))
# Column type (udt name, SQL type) of each field type, as Odoo 18's fields.py declares it.
COLUMN_TYPES = {
    "Boolean": ("bool", "bool"), "Integer": ("int4", "int4"), "Many2one": ("int4", "int4"),
    "Many2oneReference": ("int4", "int4"), "Monetary": ("numeric", "numeric"),
    "Char": ("varchar", "varchar"), "Selection": ("varchar", "varchar"),
    "Reference": ("varchar", "varchar"), "Text": ("text", "text"), "Html": ("text", "text"),
    "Date": ("date", "date"), "Datetime": ("timestamp", "timestamp"),
    "Json": ("jsonb", "jsonb"), "Properties": ("jsonb", "jsonb"),
    "PropertiesDefinition": ("jsonb", "jsonb"),
}
UNKNOWN = object()


def _set(kwargs, key):
    """True/False for a literal flag, UNKNOWN when it is an expression, None when absent."""
    if key not in kwargs:
        return None
    value = kwargs[key]
    return UNKNOWN if not isinstance(value, bool | int | str | float | type(None)) else bool(value)


class CodeField:
    """A field of the new code, its definitions merged over the upgrade's load order."""

    def __init__(self, model, name, definitions):
        self.model = model
        self.name = name
        self.type = definitions[-1].type
        self.line = definitions[-1].line
        self.kwargs = {}
        for definition in definitions:
            self.kwargs.update(definition.kwargs)

    def flag(self, key):
        return _set(self.kwargs, key)

    @property
    def stored(self):
        """True/False, or UNKNOWN when an argument is not a literal."""
        store = self.flag("store")
        computed = "compute" in self.kwargs or "related" in self.kwargs
        if store is UNKNOWN:
            return UNKNOWN
        if computed and not store:
            return False
        return store is not False

    def column_type(self):
        """``(udt name, SQL type)`` the column will have, None without a column, UNKNOWN."""
        if self.type in ("One2many", "Many2many") or self.stored is False:
            return None
        if self.type is None or self.stored is UNKNOWN:
            return UNKNOWN
        for flag in ("translate", "company_dependent"):
            value = self.flag(flag)
            if value is UNKNOWN and flag == "translate":
                return ("jsonb", "jsonb")  # html_translate, xml_translate...: callables
            if value is UNKNOWN:
                return UNKNOWN
            if value:
                return ("jsonb", "jsonb")
        if self.type in ("Binary", "Image"):
            attachment = self.flag("attachment")
            if attachment is UNKNOWN:
                return UNKNOWN
            return ("bytea", "bytea") if attachment is False else None
        if self.type == "Float":
            return ("numeric", "numeric") if self.kwargs.get("digits") is not None \
                else ("float8", "double precision")
        return COLUMN_TYPES.get(self.type, UNKNOWN)


class UpgradePlan:
    """One installed module: the database's state against the module's files."""

    def __init__(self, facts, name, database):
        self.facts = facts
        self.name = name
        self.env = facts.env
        self.db = database
        self.index = facts.index(name)

    # -- versions -------------------------------------------------------------
    @cached_property
    def _module_row(self):
        """``(demo, latest_version)`` read with SQL: the module may extend ir.module.module."""
        return self.db.module_row(self.name) or (False, None)

    @property
    def demo_installed(self):
        return bool(self._module_row[0])

    @property
    def installed_version(self):
        return self._module_row[1] or None

    @cached_property
    def disk_version(self):
        """The manifest version as Odoo will store it, or None when Odoo rejects it."""
        from odoo.modules.module import adapt_version

        version = (self.index.manifest or {}).get("version", "1.0")
        try:
            return adapt_version(str(version))
        except ValueError:
            return None

    @cached_property
    def version_bumped(self):
        """True/False, or None when a version is unknown or unparsable."""
        from odoo.tools.parse_version import parse_version

        if not (self.installed_version and self.disk_version):
            return None
        return parse_version(self.disk_version) > parse_version(self.installed_version)

    # -- migration scripts the upgrade will run -------------------------------
    @cached_property
    def _migration_scripts(self):
        """``[(relative path, stage, text)]`` of scripts Odoo runs for this version jump."""
        installed = version_key(self.installed_version or "")
        current = version_key(self.disk_version or "")
        if not (installed and current):
            return []
        scripts = []
        for relative, version, script_names in migration_folders(self.index):
            runs = installed < current if version == "0.0.0" else (
                installed < (version_key(version) or ()) <= current)
            for script in script_names if runs else ():
                try:
                    text = self.index.read_bytes(f"{relative}/{script}").decode("utf-8", "replace")
                except FileProblem:
                    continue  # unreadable: not a migration we can credit
                scripts.append((f"{relative}/{script}", script.split("-", 1)[0], text))
        return scripts

    def migration_handling(self, *words, stages=("pre",)):
        """The first script of ``stages`` that names every word, or None.

        A script that names the table and the column it fixes is trusted to fix it;
        the real proof is the bulletproof level's upgrade rehearsal.
        """
        for relative, stage, text in self._migration_scripts:
            if stage in stages and all(word and word in text for word in words):
                return relative
        return None

    # -- who else is upgraded -------------------------------------------------
    @cached_property
    def downstream(self):
        """Installed modules that depend on this one, directly or not (upgraded with it)."""
        module = self.env["ir.module.module"].sudo().search([("name", "=", self.name)], limit=1)
        modules = module.downstream_dependencies(
            exclude_states=("uninstalled", "uninstallable", "to remove"))
        return sorted(modules.mapped("name"))

    @cached_property
    def load_order(self):
        """Modules whose classes make up the upgraded registry's models, in load order."""
        catalog = self.facts.catalog
        downstream = [name for name in self.downstream if name in catalog]
        downstream.sort(key=lambda name: len(self.facts.closure(name)))
        return [*self.facts.scope(self.name), *downstream]

    @cached_property
    def complete(self):
        """False when some model class of the upgraded modules escapes the AST summary."""
        return all(self.facts.index(module).models_complete for module in self.load_order
                   if module in self.facts.catalog)

    # -- models and fields of the new code ----------------------------------
    @cached_property
    def _classes(self):
        classes = {}
        for module in self.load_order:
            if module not in self.facts.catalog:
                continue
            for cls in self.facts.index(module).models:
                if cls.name:
                    classes.setdefault(cls.name, []).append((module, cls))
        return classes

    @cached_property
    def own_models(self):
        """``{model: [classes of this module]}`` for the module's literal-named classes."""
        own = {}
        for cls in self.index.models:
            if cls.name:
                own.setdefault(cls.name, []).append(cls)
        return own

    def table(self, model):
        """The table of ``model`` in the new code, or None (abstract, _auto=False, unknown)."""
        table, auto, abstract = None, True, False
        for _module, cls in self._classes.get(model, ()):
            if "_table" in cls.attributes:
                table = cls.attributes["_table"]
            if "_auto" in cls.attributes:
                auto = cls.attributes["_auto"]
            if cls.is_definition:
                abstract = cls.kind == "abstract" or cls.attributes.get("_abstract") is True
        if abstract or auto is not True:
            return None
        if table is None:
            return model.replace(".", "_")
        return table if isinstance(table, str) else None

    @property
    def installed_models(self):
        """ClosureModels of every installed module's code on disk (see installed_models)."""
        return self.facts.memo("installed_models", lambda: installed_models(self.facts))[0]

    @property
    def installed_models_complete(self):
        """False when some installed module is not on disk or hides model classes."""
        return self.facts.memo("installed_models", lambda: installed_models(self.facts))[1]

    def still_defined(self, model, name):
        """True/False when the upgraded code surely keeps/drops ``model.name``; None if unknown."""
        if not self.installed_models_complete or self.installed_models.unnamed:
            return None
        if model not in self.installed_models:
            return False
        fields_ = self.installed_models.fields(model)
        return None if fields_ is None else name in fields_

    def code_field(self, model, name):
        definitions = [cls.fields[name] for _module, cls in self._classes.get(model, ())
                       if name in cls.fields]
        return CodeField(model, name, definitions) if definitions else None

    def own_fields(self):
        """CodeField of every field the module's own classes declare, in file order."""
        seen = set()
        for model, classes in self.own_models.items():
            for cls in classes:
                for name in cls.fields:
                    if (model, name) not in seen:
                        seen.add((model, name))
                        yield cls, self.code_field(model, name)

    def sql_constraints(self):
        """``[(model, class, key, definition)]`` of the module's literal _sql_constraints."""
        found = []
        for model, classes in self.own_models.items():
            for cls in classes:
                constraints = cls.attributes.get("_sql_constraints")
                if not isinstance(constraints, list | tuple):
                    continue
                for item in constraints:
                    if (isinstance(item, tuple | list) and len(item) == 3
                            and all(isinstance(part, str) for part in item[:2])):
                        found.append((model, cls, item[0], item[1]))
        return found

    # -- what the database holds ----------------------------------------------
    @cached_property
    def xmlids(self):
        """``{name: (model, res_id, noupdate)}`` of the module's rows in ir_model_data."""
        rows = self.env["ir.model.data"].sudo().search_read(
            [("module", "=", self.name)], ["name", "model", "res_id", "noupdate"])
        return {row["name"]: (row["model"], row["res_id"], row["noupdate"]) for row in rows}

    @cached_property
    def owned_fields(self):
        """``{(model, field): ttype}`` of fields whose reflection this module owns."""
        ids = [res_id for model, res_id, _noupdate in self.xmlids.values()
               if model == "ir.model.fields" and res_id]
        fields_ = self.env["ir.model.fields"].sudo().browse(ids).exists()
        return {(f.model, f.name): f.ttype for f in fields_}

    @cached_property
    def owned_models(self):
        ids = [res_id for model, res_id, _noupdate in self.xmlids.values()
               if model == "ir.model" and res_id]
        return set(self.env["ir.model"].sudo().browse(ids).exists().mapped("model"))

    def other_owners(self, model_name, record_ids):
        """Record ids among ``record_ids`` that another module's xmlid also owns."""
        if not record_ids:
            return set()
        rows = self.env["ir.model.data"].sudo().search_read(
            [("model", "=", model_name), ("res_id", "in", list(record_ids)),
             ("module", "!=", self.name)], ["res_id"])
        return {row["res_id"] for row in rows}

    @cached_property
    def known_fields(self):
        """``{(model, field)}`` reflected in ir_model_fields for the module's models."""
        models = list(self.own_models)
        rows = self.env["ir.model.fields"].sudo().search_read([("model", "in", models)],
                                                              ["model", "name"])
        return {(row["model"], row["name"]) for row in rows}

    def owned_selection_values(self):
        """``{(model, field): {value}}`` of selection values this module's xmlids own."""
        ids = [res_id for model, res_id, _noupdate in self.xmlids.values()
               if model == "ir.model.fields.selection" and res_id]
        values = {}
        for selection in self.env["ir.model.fields.selection"].sudo().browse(ids).exists():
            key = (selection.field_id.model, selection.field_id.name)
            values.setdefault(key, set()).add(selection.value)
        return values

    # -- data files against ir_model_data ------------------------------------
    @cached_property
    def file_xmlids(self):
        """Names (without the module prefix) the module's data files will load."""
        prefix = self.name + "."
        return {xmlid[len(prefix):] for xmlid in self.index.xmlid_definitions
                if xmlid.startswith(prefix)}

    def vanishing_records(self):
        """``{model: {xmlid name: res_id}}`` that the upgrade will delete (``_process_end``)."""
        vanishing = {}
        for name, (model, res_id, noupdate) in self.xmlids.items():
            if noupdate or not res_id or model in REFLECTION_MODELS or name in self.file_xmlids:
                continue
            if model not in self.env.registry:
                continue  # Odoo skips models it no longer knows
            if self.env[model]._inherits_children:
                continue  # implicit _inherits parents are kept with their loaded child
            vanishing.setdefault(model, {})[name] = res_id
        for model, records in list(vanishing.items()):
            shared = self.other_owners(model, records.values())
            records = {name: res_id for name, res_id in records.items() if res_id not in shared}
            existing = set(self.env[model].sudo().browse(list(records.values())).exists().ids)
            vanishing[model] = {n: i for n, i in records.items() if i in existing}
            if not vanishing[model]:
                del vanishing[model]
        return vanishing

    def noupdate_differences(self):
        """``[(record, [(field, file value, database value)])]`` for noupdate records.

        Only the new file is known, not the one the record came from: values a
        user edited since, or that the model's own code normalises (country codes
        upper-cased), differ too. So records a person edited are skipped, text is
        compared without case and surrounding blanks, and demo records count only
        where demo data is installed.
        """
        differences = []
        prefix = self.name + "."
        demo = self.demo_installed
        for record in self.index.records:
            if not (record.noupdate and record.tag == "record" and record.xmlid and record.model):
                continue
            if record.kind == "demo" and not demo:
                continue
            name = record.xmlid[len(prefix):] if record.xmlid.startswith(prefix) else record.xmlid
            row = self.xmlids.get(name)
            if "." in name or not row or not row[2] or record.model not in self.env.registry:
                continue
            # The registry gives field types only; values are read with SQL, as the
            # registry may already hold new code whose columns do not exist yet.
            model = self.env[record.model]
            expected_values = {data_field.name: self._file_value(model, data_field)
                               for data_field in record.fields}
            compared = [n for n, value in expected_values.items() if value is not UNKNOWN]
            stored = self.db.record_values(model._table, row[1], [*AUDIT_COLUMNS, *compared])
            if stored is None or _edited_by_a_person(stored):
                continue
            changed = []
            for field_name in compared:
                if field_name not in stored:
                    continue  # no column yet: the upgrade creates it
                expected = expected_values[field_name]
                actual = self._database_value(model._fields[field_name], stored[field_name])
                if _normalised(actual) != _normalised(expected):
                    changed.append((field_name, expected, actual))
            if changed:
                differences.append((record, changed))
        return differences

    def _file_value(self, target, data_field):
        """The value a <field> sets, for simple field types; UNKNOWN otherwise."""
        field = target._fields.get(data_field.name)
        node = data_field.node
        if field is None or node is None or field.name == "password" or not field.store or node.get("search") or node.get("type") \
                or len(node) or field.company_dependent or field.type not in (
                    "char", "text", "selection", "integer", "float", "boolean", "many2one"):
            return UNKNOWN
        if node.get("ref"):
            if field.type != "many2one":
                return UNKNOWN
            xmlid = node.get("ref") if "." in node.get("ref") else f"{self.name}.{node.get('ref')}"
            record = self.env.ref(xmlid, raise_if_not_found=False)
            return record.id if record else UNKNOWN
        if node.get("eval") is not None:
            try:
                value = ast.literal_eval(node.get("eval").strip())
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                return UNKNOWN
        else:
            value = data_field.text
        try:
            if field.type == "boolean":
                return value if isinstance(value, bool) else str(value).strip().lower() in (
                    "1", "true", "yes", "on")
            if field.type == "integer":
                return int(value)
            if field.type == "float":
                return float(value)
            if field.type == "many2one":
                return UNKNOWN if not isinstance(value, int) or isinstance(value, bool) else value
        except (TypeError, ValueError):
            return UNKNOWN
        return value if isinstance(value, str) else UNKNOWN

    @staticmethod
    def _database_value(field, value):
        """A column's ``value`` as the ORM would show it for ``field`` (in English)."""
        if isinstance(value, dict) and field.translate:
            value = value.get("en_US")
        if value is None:
            return {"char": "", "text": "", "selection": "", "integer": 0, "float": 0.0}.get(
                field.type, False)
        return value

    # -- views of other modules over the module's views ----------------------
    def broken_inheritance(self):
        """``[(file view, other view, error)]``: views of other installed modules (or stored
        only in the database) whose specs apply to the current arch of one of the module's
        views but not to the arch its file now has.

        The whole hierarchy of each affected root view is combined twice, the way Odoo's
        ``_combine`` walks it (depth first, children by priority then id), once with the
        database's archs and once with the module's views replaced by their files.
        """
        View = self.env["ir.ui.view"].sudo().with_context(active_test=True)
        prefix = self.name + "."
        changed = {}  # view id -> (file view, new arch), for views whose arch really changes
        for view in self.index.views:
            xmlid = view.record.xmlid or ""
            name = xmlid[len(prefix):] if xmlid.startswith(prefix) else xmlid
            row = self.xmlids.get(name)
            if "." in name or view.qweb or view.arch is None or not row or row[0] != "ir.ui.view":
                continue
            elements = [child for child in view.arch if isinstance(child.tag, str)]
            if not elements:
                continue
            new_arch = stored_arch(elements, self._record_id)
            current = View.browse(row[1]).exists()
            if current and not _same_arch(new_arch, _parsed(current.arch_db)):
                changed[current.id] = (view, new_arch)
        if not changed:
            return []  # the usual case: nothing to combine
        owned = {row[1] for row in self.xmlids.values() if row[0] == "ir.ui.view"}
        replaced = {view_id: arch for view_id, (_view, arch) in changed.items()}
        broken, seen_roots = [], set()
        for view_id in changed:
            root = View.browse(view_id)
            while root.mode == "extension" and root.inherit_id:
                root = root.inherit_id
            if root.id in seen_roots:
                continue
            seen_roots.add(root.id)
            order = _combination_order(root)
            if all(v.id in owned for v in order[1:]):
                continue  # no view of another module or of the database below it
            old_errors = _combine(order, {})
            new_errors = _combine(order, replaced)
            ours = [v.id for v in order if v.id in changed]
            for child in order[1:]:
                if child.id in owned or child.id not in new_errors or child.id in old_errors:
                    continue
                # Blame the changed view it inherits from, else the hierarchy's first change.
                lineage = _ancestors(child)
                culprit = next((i for i in ours if i in lineage), ours[0])
                broken.append((changed[culprit][0], child, new_errors[child.id]))
        return broken

    def _record_id(self, match):
        """The database id convert.py puts in place of ``%(xmlid)d``."""
        xmlid = match.group(1) if "." in match.group(1) else f"{self.name}.{match.group(1)}"
        record = self.env.ref(xmlid, raise_if_not_found=False)
        return str(record.id) if record else match.group(0)


def _parsed(arch):
    try:
        return etree.fromstring((arch or "").encode())
    except (etree.XMLSyntaxError, ValueError):
        return None


def _same_arch(one, other):
    """True when two archs have the same elements, attributes and non-blank text."""
    if other is None or one.tag != other.tag or dict(one.attrib) != dict(other.attrib):
        return False
    if (one.text or "").strip() != (other.text or "").strip() \
            or (one.tail or "").strip() != (other.tail or "").strip():
        return False
    one_children, other_children = list(one), list(other)
    return len(one_children) == len(other_children) and all(
        _same_arch(a, b) for a, b in zip(one_children, other_children))


def _ancestors(view):
    ids = set()
    while view.inherit_id:
        view = view.inherit_id
        ids.add(view.id)
    return ids


def _combination_order(root):
    """``[root, extension views...]`` in the order Odoo's ``_combine`` applies them."""
    descendants = root._get_inheriting_views()
    children = {}
    for view in descendants:
        if view.mode == "extension" and view.id != root.id:
            children.setdefault(view.inherit_id.id, []).append(view)
    order, stack = [root], list(reversed(children.get(root.id, [])))
    while stack:
        view = stack.pop()
        order.append(view)
        stack.extend(reversed(children.get(view.id, [])))
    return order


def _combine(order, replaced):
    """``{view id: error}`` of the views whose specs fail while combining ``order``.

    ``replaced`` maps view ids to the arch (an element) to use instead of the database's.
    """
    from odoo.tools.template_inheritance import apply_inheritance_specs

    def arch_of(view):
        return replaced[view.id] if view.id in replaced else _parsed(view.arch_db)

    errors = {}
    combined = arch_of(order[0])
    if combined is None:
        return errors
    combined = copy.deepcopy(combined)
    for view in order[1:]:
        specs = arch_of(view)
        if specs is None:
            continue
        try:
            combined = apply_inheritance_specs(copy.deepcopy(combined), copy.deepcopy(specs))
        except Exception as error:  # noqa: BLE001 - Odoo raises ValueError/ValidationError
            errors[view.id] = str(error).splitlines()[0][:300]
    return errors


MIGRATION_STAGES = ("pre-", "post-", "end-")


def version_key(version, series=None):
    """``version`` as Odoo orders module versions, as a tuple of ints; None if not numeric.

    Like migration.py's convert_version: a version with more than two dots already
    names its series, shorter ones get the series (default: the running one) in front.
    """
    series = series or compat.series()
    version = str(version)
    if not version.startswith(series + ".") and version.count(".") <= 2:
        version = f"{series}.{version}"
    parts = version.split(".")
    return tuple(int(part) for part in parts) if all(p.isdigit() for p in parts) else None


def migration_folders(index):
    """``(relative folder, version, [pre-/post-/end- scripts])`` of migrations/ and upgrades/."""
    import os

    for folder in ("migrations", "upgrades"):
        root = index.resolve(folder)
        if not root or not os.path.isdir(root):
            continue
        for version in sorted(os.listdir(root)):
            path = os.path.join(root, version)
            if version in ("tests", "__pycache__") or not os.path.isdir(path):
                continue
            scripts = [name for name in sorted(os.listdir(path))
                       if name.endswith(".py") and name.startswith(MIGRATION_STAGES)]
            yield f"{folder}/{version}", version, scripts


def _normalised(value):
    return value.strip().casefold() if isinstance(value, str) else value


AUDIT_COLUMNS = ("write_uid", "write_date", "create_date")


def _edited_by_a_person(values):
    """True when someone other than the superuser and OdooBot wrote the row after its creation.

    ``values`` are the row's columns (``Database.record_values``).
    """
    write_uid = values.get("write_uid")
    return bool(write_uid and write_uid not in (1, 2)
                and values.get("write_date") != values.get("create_date"))


def installed_models(facts):
    """``(ClosureModels, complete)`` of the code on disk of every installed module.

    After an upgrade the registry holds what all installed modules define; a
    field a mixin brings (sms adds message_has_sms_error to every mail.thread)
    stays although the module that owns its reflection does not name it.
    """
    from .facts import ClosureModels

    installed = [n for n, state in facts.module_states().items()
                 if state in ("installed", "to upgrade")]
    names = sorted((n for n in installed if n in facts.catalog),
                   key=lambda n: len(facts.closure(n)))
    models = ClosureModels([cls for n in names for cls in facts.index(n).models])
    complete = len(names) == len(installed) and all(
        facts.index(n).models_complete for n in names)
    return models, complete


def upgrade_plan(facts, name):
    """UpgradePlan of ``name`` when it is installed in the facts' database, else None."""
    if facts.level != "dynamic" or facts.module_states().get(name) not in ("installed", "to upgrade"):
        return None
    database = facts.database()
    return facts.memo(("upgrade_plan", name), lambda: UpgradePlan(facts, name, database))
