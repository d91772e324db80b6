# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 3: what is true on a fresh database for a module and its closure.

``StaticFacts`` knows the files of every module on the addons paths;
``DynamicFacts`` adds the live registry and database, always filtered to the
module's closure so that "installed here" never stands in for "will exist".
"""

import importlib.metadata
import importlib.util
import os
import re
import shutil
from functools import cached_property

from . import compat
from .index import ModuleIndex

# Fields every model has (models.py MAGIC_COLUMNS, display_name), whatever its class says.
AUTOMATIC_FIELDS = frozenset(
    ("id", "display_name", "create_uid", "create_date", "write_uid", "write_date")
)
# Methods every model has (odoo/models.py BaseModel, 18.0): public, then private.
BASE_MODEL_METHODS = frozenset("""
    action_archive action_unarchive browse check_access check_access_rights check_access_rule
    check_field_access_rights clear_caches concat copy copy_data copy_translations create
    default_get ensure_one exists export_data fetch fields_get filtered filtered_domain
    flush_model flush_recordset get_base_url get_external_id get_field_translations
    get_metadata get_property_definition grouped has_access ids init invalidate_model
    invalidate_recordset is_transient load mapped modified name_create name_search new
    onchange read read_group search search_count search_fetch search_read sorted sudo
    toggle_active union unlink update update_field_translations with_company with_context
    with_env with_prefetch with_user write
    _add_field _add_inherited_fields _add_missing_default_values _add_precomputed_values
    _add_sql_constraints _apply_ir_rules _apply_onchange_methods _as_query _auto_init
    _build_model _build_model_attributes _build_model_check_base _build_model_check_parent
    _cache _check_access _check_company _check_company_domain _check_m2m_recursion
    _check_parent_path _check_qorder _check_recursion _check_removed_columns
    _clean_properties _compute_display_name _compute_field_value _condition_to_sql
    _constraint_methods _convert_records _convert_to_record _convert_to_write _create
    _determine_fields_to_fetch _export_rows _extract_records _fetch_field _fetch_query
    _field_to_sql _filter_access_rules _filter_access_rules_python _filtered_access _flush
    _flush_search _get_base_lang _get_external_ids _get_placeholder_filename
    _get_redirect_suggested_company _has_cycle _has_onchange _in_cache_without
    _inherits_check _init_column _init_constraints_onchanges _invalidate_cache
    _is_an_ordinary_table _load_records _load_records_create _load_records_write
    _mapped_func _modified _modified_triggers _onchange_methods _ondelete_methods
    _order_field_to_sql _order_to_sql _origin _parent_store_compute _parent_store_create
    _parent_store_update _parent_store_update_prepare _pop_field _prepare_create_values
    _prepare_setup _read_format _read_group _read_group_empty_value _read_group_expand_full
    _read_group_fill_results _read_group_fill_temporal _read_group_format_result
    _read_group_format_result_properties _read_group_get_annotated_groupby
    _read_group_groupby _read_group_groupby_properties _read_group_having
    _read_group_orderby _read_group_postprocess_aggregate _read_group_postprocess_groupby
    _read_group_select _rec_name_fallback _recompute_field _recompute_model
    _recompute_recordset _register_hook _search _search_display_name _setup_base
    _setup_complete _setup_fields _table_has_rows _table_sql _traverse_related_sql
    _unregister_hook _update_cache _update_field_translations _valid_field_parameter
    _validate_fields _where_calc _write _write_multi
""".split())
# xmlids Odoo creates from code rather than data files: unknown, never missing.
GENERATED_XMLID_PREFIXES = ("field_", "selection__", "constraint_", "module_")


class ClosureModels:
    """The Python models of a module and its closure, merged as the registry will be.

    ``fields(model)`` is None when the static level cannot know them all (a
    class adds fields by code, a parent is outside the closure...).
    """

    def __init__(self, classes):
        self.classes = {}
        self.unnamed = False
        for model in classes:
            if model.name:
                self.classes.setdefault(model.name, []).append(model)
            else:
                self.unnamed = True
        self._fields = {}
        self._field = {}  # (model, field name) -> field()'s answer
        self._methods = {}

    def __contains__(self, name):
        return name in self.classes

    @cached_property
    def delegated_tables(self):
        """Parent models of ``_inherits``/delegate=True, as table-like names (ir_actions_server)."""
        return frozenset(
            parent.replace(".", "_")
            for classes in self.classes.values() for cls in classes
            for parent in [*(cls.inherits or ()), *(f.comodel for f in cls.fields.values()
                                                   if f.comodel and f.kwargs.get("delegate") is True)]
        )

    @property
    def all_named(self):
        """False when some class's model name is not a literal."""
        return not self.unnamed

    def is_defined(self, name):
        """True if some class of the closure creates the model (not only extends it)."""
        return any(c.is_definition for c in self.classes.get(name, ()))

    def methods(self, name):
        """Method names of ``model`` (own classes, _inherit parents, BaseModel), or None."""
        if name not in self._methods:
            self._methods[name] = None  # a cycle resolves to unknown
            self._methods[name] = self._compute_methods(name)
        return self._methods[name]

    def _compute_methods(self, name):
        classes = self.classes.get(name)
        if not classes:
            return None
        result = set(BASE_MODEL_METHODS)
        parents = ["base"] if name != "base" else []
        for cls in classes:
            # A Python mixin base brings methods the AST of the class does not show.
            if not cls.plain_bases or cls.inherit is None:
                return None
            result.update(cls.methods)
            parents.extend(p for p in cls.inherit if p != name)
        for parent in parents:
            parent_methods = self.methods(parent)
            if parent_methods is None:
                return None
            result |= parent_methods
        return frozenset(result)

    def fields(self, name):
        if name not in self._fields:
            self._fields[name] = None  # a cycle resolves to unknown
            self._fields[name] = self._compute_fields(name)
        return self._fields[name]

    def field(self, model, name):
        """PythonField of ``model.name`` as last defined in the closure, or None."""
        key = (model, name)
        if key not in self._field:
            self._field[key] = None  # a cycle of parents resolves to none
            self._field[key] = self._find_field(model, name)
        return self._field[key]

    def _find_field(self, model, name):
        classes = self.classes.get(model, ())
        for cls in reversed(classes):  # the last definition wins
            found = cls.fields.get(name)
            if found is not None:
                return found
        for cls in classes:
            for parent in cls.parents():
                if parent != model and (inherited := self.field(parent, name)):
                    return inherited
        return None

    def _compute_fields(self, name):
        classes = self.classes.get(name)
        if not classes:
            return None
        result = set(AUTOMATIC_FIELDS)
        parents = ["base"] if name != "base" else []
        for cls in classes:
            if cls.dynamic or cls.inherit is None or cls.inherits is None:
                return None
            result.update(cls.fields)
            parents.extend(cls.parents())
        for parent in parents:
            parent_fields = self.fields(parent)
            if parent_fields is None:
                return None
            result |= parent_fields
        return frozenset(result)


class StaticFacts:
    level = "static"

    def __init__(self, catalog, parse_cache=None, series=None):
        self.catalog = catalog
        self.parse_cache = parse_cache
        # The Odoo series the modules are validated for: the running one, or the
        # target of a porting rehearsal (--target-series).
        self.series = series or compat.series()
        self._indexes = {}
        self._closures = {}
        self._scope_sets = {}
        self._closure_models = {}
        self._memo = {}
        # What the module being validated read beyond its scope, for the result cache.
        self.touched = set()
        self.probes = {}

    def memo(self, key, build):
        """``build()``, computed once per run and shared by every rule and module.

        Rules keep their run-wide caches here rather than on module globals, so
        two runs in one process never see each other's files or database.
        """
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def index(self, name):
        self.touched.add(name)
        if name not in self._indexes:
            self._indexes[name] = ModuleIndex(self.catalog.get(name), self.parse_cache)
        return self._indexes[name]

    def probe(self, kind, name):
        """What the interpreter or the system says about ``name``, recorded for the result cache.

        ``kind`` is "python" (why the requirement is not satisfied, or None),
        "package" (whether the top-level package ``name`` can be imported: its
        spec is looked up, nothing is imported) or "bin" (whether the binary is
        on the PATH).
        """
        key = (kind, name)
        if key not in self._memo:
            if kind == "python":
                self._memo[key] = self.python_distribution_problem(name)
            elif kind == "package":
                try:
                    self._memo[key] = importlib.util.find_spec(name) is not None
                except (ImportError, ValueError):
                    self._memo[key] = False
            else:
                self._memo[key] = shutil.which(name) is not None
        self.probes[key] = self._memo[key]
        return self._memo[key]

    def closure(self, name):
        """The module's dependencies in load order; ``base`` always loads first."""
        if name not in self._closures:
            closure = self.catalog.closure(name)
            if name != "base" and "base" not in closure and "base" in self.catalog:
                closure = ["base", *closure]
            self._closures[name] = closure
        return self._closures[name]

    def scope(self, name):
        """The module's closure followed by the module itself, in load order."""
        return [*self.closure(name), name]

    def in_scope(self, name, module):
        """True when ``module`` is ``name`` or one of its dependencies (a set lookup)."""
        if name not in self._scope_sets:
            self._scope_sets[name] = frozenset(self.scope(name))
        return module in self._scope_sets[name]

    def closure_models(self, name):
        """Models defined or extended by the module or any module it depends on."""
        models = set(self.index(name).defined_models)
        for dep in self.closure(name):
            models |= self.index(dep).defined_models
        return models

    def closure_python_models(self, name):
        """ClosureModels of the module and its closure, built once per module."""
        if name not in self._closure_models:
            classes = [cls for module in self.scope(name) for cls in self.index(module).models]
            self._closure_models[name] = ClosureModels(classes)
        return self._closure_models[name]

    def fresh_install(self, name):
        """The closure plus the modules Odoo auto-installs with it (web and bus come with
        base): what a fresh database has once the module is installed."""
        cache = self.memo("fresh_install", dict)
        if name not in cache:
            cache[name] = self._fresh_install(name)
        return cache[name]

    def _fresh_install(self, name):
        catalog = self.catalog
        installed = set(self.scope(name))
        # A list of triggers that are not all dependencies makes Odoo refuse the
        # manifest (MAN007): such a module is never auto-installed.
        candidates = self.memo("auto_install_candidates", lambda: [
            source for source in catalog.modules.values()
            if source.manifest and source.manifest.get("auto_install")
            and source.manifest.get("installable", True) is not False
            and (not isinstance(source.manifest["auto_install"], list | tuple)
                 or set(source.manifest["auto_install"]) <= set(source.depends()))
        ])
        grown = True
        while grown:
            grown = False
            for source in candidates:
                if source.name in installed:
                    continue
                triggers = source.manifest["auto_install"]
                triggers = triggers if isinstance(triggers, list | tuple) else source.depends()
                if all(t in installed for t in triggers):
                    installed |= {source.name, *catalog.closure(source.name)}
                    grown = True
        return frozenset(installed)

    def load_rank(self, name):
        """Where a fresh install loads ``name``: Odoo orders modules by their depth
        (the longest chain of dependencies down to base), then by name
        (odoo/modules/graph.py in 18.0, module_graph.py in 19.0)."""
        depths = self.memo("load_depths", dict)
        if name not in depths:
            depths[name] = 0  # base; and a dependency cycle counts as no dependency
            source = self.catalog.get(name)
            if name != "base" and source is not None:
                depends = [dep for dep in source.depends() if dep in self.catalog]
                depths[name] = 1 + max((self.load_rank(dep)[0] for dep in depends), default=0)
        return depths[name], name

    def auto_installed_before(self, name):
        """Modules outside the closure that Odoo auto-installs with ``name`` and loads
        before it: a fresh install of ``name`` sees their models although it does
        not depend on them."""
        cache = self.memo("auto_installed_before", dict)
        if name not in cache:
            own = self.load_rank(name)
            extra = self.fresh_install(name) - set(self.scope(name))
            cache[name] = tuple(sorted((m for m in extra if self.load_rank(m) < own), key=self.load_rank))
        return cache[name]

    def preloaded_python_models(self, name):
        """ClosureModels of the closure and of the modules of ``auto_installed_before``."""
        cache = self.memo("preloaded_python_models", dict)
        if name not in cache:
            modules = sorted([*self.scope(name), *self.auto_installed_before(name)], key=self.load_rank)
            cache[name] = ClosureModels([cls for module in modules for cls in self.index(module).models])
        return cache[name]

    def closure_models_complete(self, name):
        """True when every model class of the module and its closure is visible statically."""
        return all(self.index(module).models_complete for module in self.scope(name))

    def closure_model_fields(self, name, model):
        """Field names of ``model`` as the module's closure defines it, or None if unknown."""
        return self.closure_python_models(name).fields(model)

    def xmlid_exists(self, name, xmlid, *, own_records=True):
        """True/False when the closure of ``name`` surely has/lacks ``xmlid``; None if unknown.

        ``xmlid`` is fully qualified. Looks in the data files of its module and
        in records other closure modules (and, with ``own_records``, the module
        itself) create under that prefix.
        """
        module, _dot, local = xmlid.partition(".")
        if not self.in_scope(name, module):
            return False
        if local.startswith(GENERATED_XMLID_PREFIXES) or (
                module == "base" and local.startswith("module_category_")):
            return None
        if self.index(module).defines_xmlid(local):
            return True
        definers = self._scope_definers(name, xmlid)
        if definers - {name} or (own_records and definers):
            return True
        delegated = self.closure_python_models(name).delegated_tables
        if self.index(module).may_define_xmlid(local, delegated):
            return None
        return False

    def _scope_definers(self, name, xmlid):
        """The modules of the scope of ``name`` whose data files define ``xmlid``.

        Every module's records are added once to one run-wide map; a question
        about an xmlid is then one lookup instead of one per module of the scope.
        """
        definers, registered, ready = self.memo("xmlid-definers", lambda: ({}, set(), set()))
        scope = self.scope(name)
        if name not in ready:
            for other in scope:
                if other not in registered:
                    registered.add(other)
                    for defined in self.index(other).xmlid_definitions:
                        definers.setdefault(defined, set()).add(other)
            ready.add(name)
        self.touched.update(scope)  # the answer depends on every module of the scope
        found = definers.get(xmlid)
        return found & self.memo(("scope-set", name), lambda: frozenset(scope)) if found else frozenset()

    def closure_record_model(self, name, xmlid):
        """Model of the data record ``xmlid`` (fully qualified) in the module's scope, or None."""
        owner = xmlid.partition(".")[0]
        if owner not in self.scope(name):
            return None
        definitions = self.index(owner).xmlid_definitions.get(xmlid)
        return definitions[0].model if definitions else None

    def closure_view(self, name, xmlid):
        """DataView of the view ``xmlid`` in the module's closure, or None."""
        module = xmlid.partition(".")[0]
        if module not in self.scope(name):
            return None
        return self.index(module).views_by_xmlid.get(xmlid)

    # Deployment facts (ODS002): requirement files an odoo.sh build installs.

    def requirement_names(self, folder):
        """Normalized names listed by ``folder/requirements.txt``; None if unknown.

        An empty set when the folder has no requirements.txt; None when the file
        cannot be read or includes other files (``-r``/``-c``) not followed here.
        """
        cache = self.memo("requirement_names", dict)
        if folder not in cache:
            cache[folder] = read_requirement_names(os.path.join(folder, "requirements.txt"))
        return cache[folder]

    @cached_property
    def odoo_source_root(self):
        """Real path of the folder holding the ``odoo`` package (and Odoo's requirements.txt)."""
        spec = importlib.util.find_spec("odoo")
        if spec is None or not spec.submodule_search_locations:
            return None
        return os.path.dirname(os.path.realpath(list(spec.submodule_search_locations)[0]))

    def odoo_requirement_names(self):
        """Names in Odoo's own requirements.txt (installed on every build), or empty."""
        cache = self.memo("requirement_names", dict)
        if None not in cache:
            root = self.odoo_source_root
            names = root and read_requirement_names(os.path.join(root, "requirements.txt"))
            cache[None] = names or frozenset()
        return cache[None]

    def distribution_aliases(self, name):
        """Normalized distribution names that provide the importable package ``name``.

        Manifests often list an import name ('dateutil') where requirements list
        the distribution ('python-dateutil'); only this interpreter's installed
        distributions are known.
        """
        cache = self.memo("distribution_aliases", dict)
        if not cache:
            try:
                mapping = importlib.metadata.packages_distributions()
            except Exception:  # noqa: BLE001 - broken metadata: no aliases known
                mapping = {}
            cache.update({normalize_distribution_name(top): frozenset(
                normalize_distribution_name(dist) for dist in dists)
                for top, dists in mapping.items()})
            cache.setdefault("", frozenset())
        return cache.get(normalize_distribution_name(name), frozenset())


class DynamicFacts(StaticFacts):
    """Static facts plus the running instance's registry, database and interpreter."""

    level = "dynamic"

    def __init__(self, catalog, env, parse_cache=None, series=None):
        super().__init__(catalog, parse_cache, series)
        self.env = env

    def closure_models(self, name):
        models = super().closure_models(name)
        scope = {name, *self.closure(name)}
        for model_name, model in self.env.registry.models.items():
            if getattr(model, "_original_module", None) in scope:
                models.add(model_name)
        return models

    @staticmethod
    def python_distribution_problem(requirement):
        """Why ``requirement`` is not satisfied by this interpreter, or None.

        Looks the distribution up by metadata, falling back to an importable
        top-level package, as Odoo does; nothing is imported.
        """
        name = re.split(r"[<>=!~;\[\s]", requirement.strip(), maxsplit=1)[0]
        if not name:
            return f"{requirement!r} is not a valid requirement"
        try:
            importlib.metadata.version(name)
            return None
        except importlib.metadata.PackageNotFoundError:
            pass
        module = name.replace("-", "_")
        # A dotted name would import its parent package to look it up: only the
        # distribution's metadata (above) can tell, without running any code.
        if "." not in module:
            try:
                if importlib.util.find_spec(module) is not None:
                    return None
            except (ImportError, ValueError):
                pass
        return f"Python package {name!r} is not installed"

    # Deployment facts (ODS001, ODS003): the database's module states.

    def module_states(self):
        """``{module name: state}`` of every row of ir_module_module, read once per run."""
        if not hasattr(self, "_module_states"):
            # SQL, not the ORM: a module may extend ir.module.module with a field
            # whose column does not exist until it is upgraded.
            self._module_states = self.database().module_states()
        return self._module_states

    def database(self):
        """The run's read-only Database (engine/database.py), shared by every rule."""
        from .database import Database  # noqa: PLC0415 - the only layer that queries the database

        return self.memo("database", lambda: Database(self.env))


REQUIREMENT_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
EGG_RE = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize_distribution_name(name):
    """PEP 503 form: case-insensitive, runs of '-', '_' and '.' are one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement):
    """Normalized distribution name of a requirement string (PEP 508 or URL#egg=), or None."""
    egg = EGG_RE.search(requirement)
    if egg:
        return normalize_distribution_name(egg.group(1))
    if "://" in requirement:
        return None
    match = REQUIREMENT_NAME_RE.match(requirement)
    return normalize_distribution_name(match.group(1)) if match else None


def read_requirement_names(path):
    """Names a requirements file lists: empty if there is no file, None if unknown."""
    if not os.path.isfile(path):
        return frozenset()
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(1024 * 1024).splitlines()
    except OSError:
        return None
    names = set()
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r", "-c", "--requirement", "--constraint")):
            return None  # an included file may list it
        if line.startswith("-") and not line.startswith(("-e", "--editable")):
            continue  # an option (--index-url...)
        name = requirement_name(line.split(None, 1)[-1] if line.startswith("-e") else line)
        if name:
            names.add(name)
    return frozenset(names)
