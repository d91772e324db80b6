# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 2: each module's files, read and parsed once per run, never executed.

XML is parsed with entity resolution and network access off; paths are
resolved strictly inside the module folder (no ``..``, no symlink escape);
files larger than ``MAX_FILE_BYTES`` are reported instead of read.
"""

import ast
import copy
import csv
import gc
import io
import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from .discovery import find_manifest
from .python_scope import import_time_problems, missing_relative_imports

MAX_FILE_BYTES = 20 * 1024 * 1024
SKIPPED_DIRS = {"static", "node_modules", "__pycache__", ".git"}


class FileProblem(Exception):
    """A file that cannot be used, with the line where that shows, if any."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __reduce__(self):
        # Summaries holding a problem are cached with pickle (parse_cache.py).
        return FileProblem, (self.message, self.line)


def safe_xml_parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


class ModuleIndex:
    """Lazily parsed view of one module folder; every parse is cached."""

    def __init__(self, source, parse_cache=None):
        self.source = source
        self.parse_cache = parse_cache  # a ParseCache keeping summaries across runs, or None
        self.root = os.path.realpath(source.path)
        self._xml = {}
        self._csv = {}

    # -- paths -------------------------------------------------------------
    def resolve(self, relative):
        """Absolute path of ``relative`` inside the module, or None if it escapes."""
        if not isinstance(relative, str) or not relative or os.path.isabs(relative):
            return None
        candidate = os.path.realpath(os.path.join(self.root, relative))
        if candidate != self.root and not candidate.startswith(self.root + os.sep):
            return None
        return candidate

    def exact_case_exists(self, relative):
        """True when every path component exists with exactly this spelling."""
        current = self.root
        for part in relative.replace("\\", "/").split("/"):
            if part in ("", "."):
                continue
            try:
                if part not in os.listdir(current):
                    return False
            except OSError:
                return False
            current = os.path.join(current, part)
        return os.path.isfile(current)

    def read_bytes(self, relative):
        path = self.resolve(relative)
        if path is None:
            raise FileProblem(f"{relative} points outside the module folder.")
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                raise FileProblem(f"{relative} is larger than 20 MiB; not read.")
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise FileProblem(f"{relative} cannot be read: {error.strerror}.") from None

    # -- manifest ----------------------------------------------------------
    @property
    def manifest(self):
        return self.source.manifest or {}

    def manifest_files(self, key):
        """The str entries of a manifest file list (``data``, ``demo``...)."""
        value = self.manifest.get(key, [])
        if not isinstance(value, list | tuple):
            return []
        return [entry for entry in value if isinstance(entry, str)]

    def manifest_key_line(self, key):
        """Line of ``key`` in the manifest file, for precise findings."""
        return self._manifest_key_lines.get(key)

    @cached_property
    def _manifest_key_lines(self):
        try:
            tree = ast.parse(self.read_bytes(self.source.manifest_file))
        except (FileProblem, SyntaxError, ValueError):
            return {}
        node = tree.body[0].value if tree.body and isinstance(tree.body[0], ast.Expr) else None
        if not isinstance(node, ast.Dict):
            return {}
        return {
            key.value: key.lineno
            for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }

    def loaded_files(self):
        """``(key, relative path)`` of the data and demo files Odoo loads."""
        for key in ("data", "demo"):
            for relative in self.manifest_files(key):
                yield key, relative

    # -- Python ------------------------------------------------------------
    @cached_property
    def python_files(self):
        found = []
        for folder, dirs, files in os.walk(self.root):
            # Nested module folders (fixtures, examples) are modules of their own.
            dirs[:] = sorted(
                d for d in dirs
                if d not in SKIPPED_DIRS and not d.startswith(".")
                and not find_manifest(os.path.join(folder, d))
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    found.append(os.path.relpath(os.path.join(folder, name), self.root))
        return found

    @cached_property
    def python(self):
        """``{relative: PythonFile}``: what the rules need from each Python file.

        Each file is parsed once and only a small summary is kept: holding the
        syntax trees of a whole addons tree in memory makes the garbage
        collector rescan them on every parse and triples the run time.
        """
        if self.parse_cache is not None:
            return self.parse_cache.summaries(self)
        return {relative: summarize_python(self, relative) for relative in self.python_files}

    def import_problems(self, relative):
        """``(kind, name, line)`` of what makes ``relative`` raise when Odoo imports it."""
        folder = os.path.dirname(os.path.join(self.root, relative))
        return missing_relative_imports(self.python[relative].import_problems, folder)

    @cached_property
    def models(self):
        """Model classes of the module (tests and migrations excluded), in file order."""
        return [
            model
            for relative, summary in self.python.items()
            if not is_test_or_migration(relative)
            for model in summary.models
        ]

    @cached_property
    def models_complete(self):
        """False when some model classes are created in ways the AST summary cannot follow."""
        return not any(
            summary.hidden_classes or summary.problem
            for relative, summary in self.python.items()
            if not is_test_or_migration(relative)
        )

    @cached_property
    def defined_models(self):
        """Model names this module defines (``_name``) or extends (``_inherit``)."""
        names = set()
        for model in self.models:
            if model.name:
                names.add(model.name)
            names.update(model.inherit or ())
        return names

    @cached_property
    def model_names(self):
        """Effective names of the module's model classes (its ``model_<x>`` xmlids)."""
        return {model.name for model in self.models if model.name}

    # -- data files in load order ------------------------------------------
    @cached_property
    def data_files(self):
        """DataFile of every existing XML/CSV file listed in data then demo, in load order."""
        reader = _DataReader(self)
        files = []
        for kind, relative in self.loaded_files():
            if relative.lower().endswith((".xml", ".csv")) and self.exact_case_exists(relative):
                files.append(reader.read(kind, relative))
        return files

    @cached_property
    def records(self):
        return [record for data_file in self.data_files for record in data_file.records]

    @cached_property
    def xmlid_definitions(self):
        """``{full xmlid: [DataRecord, ...]}`` for every record the files define."""
        definitions = {}
        module = self.source.name
        for record in self.records:
            if record.xmlid and record.tag in ("record", "menuitem", "template", "csv", "xmlid"):
                definitions.setdefault(full_xmlid(module, record.xmlid), []).append(record)
        return definitions

    def defines_xmlid(self, name):
        """True if the xmlid ``<this module>.name`` exists once the module is installed."""
        module = self.source.name
        if f"{module}.{name}" in self.xmlid_definitions:
            return True
        if name.startswith("model_"):
            return not self.models_complete or any(
                m.replace(".", "_") == name[6:] for m in self.model_names)
        return False

    @cached_property
    def _python_text(self):
        chunks = []
        for relative in self.python_files:
            if not is_test_or_migration(relative):
                try:
                    chunks.append(self.read_bytes(relative).decode("utf-8", "replace"))
                except FileProblem:
                    continue
        return "\n".join(chunks)

    def python_mentions(self, text):
        """True if the module's Python code contains ``text`` (e.g. an xmlid it creates)."""
        return text in self._python_text

    def may_define_xmlid(self, name, delegated_tables=()):
        """True if ``name`` may be generated by Odoo or by the module's code.

        A record of a model with ``_inherits`` (ir.cron, product.product...) also
        gets ``<xmlid>_<parent table>`` for its parent record; ``delegated_tables``
        are the parent models of the closure, with dots as underscores.
        """
        module = self.source.name
        parts = name.split("_")
        for cut in range(1, len(parts)):
            if ("_".join(parts[cut:]) in delegated_tables
                    and f"{module}.{'_'.join(parts[:cut])}" in self.xmlid_definitions):
                return True
        # Code may bind xmlids itself (ir.model.data _update_xmlids, env.ref setups),
        # also from a pattern ('configurator_%s', f"new_page_template_{name}").
        if self.python_mentions(name):
            return True
        for cut in range(1, len(parts)):
            prefix = "_".join(parts[:cut]) + "_"
            # The pattern must start a string or follow the module's own prefix:
            # neither 'in_group_%s' nor '__custom__.group_{id}' makes 'group_x' generated.
            if any(self.python_mentions(lead + prefix + tail)
                   for lead in ("'", '"', f"{module}.") for tail in ("%s", "{", "%(")):
                return True
        return False

    @cached_property
    def acl_records(self):
        """CSV rows that are access rules: the ir.model.access file, or any file shaped like it.

        A misnamed file (DAT012) still shows which access rules were intended.
        """
        return [
            record for data_file in self.data_files
            if data_file.csv_model == "ir.model.access"
            or any(c in data_file.csv_header for c in ACL_MODEL_COLUMNS)
            for record in data_file.records
        ]

    @cached_property
    def acl_model_names(self):
        """``model_<x>`` local names that the module's access rules (CSV or XML) name."""
        names = set()
        for record in self.acl_records:
            for data_field in record.fields:
                if data_field.name in ACL_MODEL_COLUMNS and data_field.text.strip():
                    names.add(data_field.text.strip().rpartition(".")[2])
        for record in self.records:
            if record.tag == "record" and record.model == "ir.model.access":
                model_field = record.get_field("model_id")
                if model_field is not None and model_field.node.get("ref"):
                    names.add(model_field.node.get("ref").rpartition(".")[2])
        return names

    @cached_property
    def views(self):
        """DataView of every ir.ui.view record and template, in load order."""
        views = []
        for record in self.records:
            if record.tag == "template":
                inherit = next((r.xmlid for r in record.refs if r.via == "inherit_id"), None)
                views.append(DataView(record, None, inherit, "qweb", True, None))
            elif record.tag == "record" and record.model in VIEW_MODELS:
                arch = record.get_field("arch")
                inherit = record.get_field("inherit_id")
                type_field = record.get_field("type")
                model_field = record.get_field("model")
                view_type = type_field.text.strip() if type_field is not None else None
                views.append(DataView(
                    record,
                    model_field.text.strip() if model_field is not None else None,
                    inherit.node.get("ref") if inherit is not None else None,
                    view_type,
                    view_type == "qweb",
                    arch.node if arch is not None else None,
                ))
        return views

    @cached_property
    def views_by_xmlid(self):
        module = self.source.name
        return {full_xmlid(module, v.record.xmlid): v for v in self.views if v.record.xmlid}

    # -- XML and CSV -------------------------------------------------------
    def xml(self, relative):
        """Parsed XML tree of a module file; raises FileProblem when unusable."""
        if relative not in self._xml:
            try:
                data = self.read_bytes(relative)
                self._xml[relative] = etree.parse(io.BytesIO(data), safe_xml_parser())
            except FileProblem as problem:
                self._xml[relative] = problem
            except etree.XMLSyntaxError as error:
                self._xml[relative] = FileProblem(error.msg, error.lineno or None)
        result = self._xml[relative]
        if isinstance(result, FileProblem):
            raise result
        return result

    def csv_rows(self, relative):
        """Header and rows of a CSV data file, decoded as Odoo does (UTF-8)."""
        if relative not in self._csv:
            try:
                text = self.read_bytes(relative).decode("utf-8-sig")
                rows = list(csv.reader(io.StringIO(text, newline="")))
                self._csv[relative] = (rows[0] if rows else [], rows[1:])
            except FileProblem as problem:
                self._csv[relative] = problem
            except UnicodeDecodeError as error:
                self._csv[relative] = FileProblem(f"not UTF-8 ({error.reason}).")
            except csv.Error as error:
                self._csv[relative] = FileProblem(f"unreadable CSV: {error}.")
        result = self._csv[relative]
        if isinstance(result, FileProblem):
            raise result
        return result



# -- Python summaries ---------------------------------------------------------

# A value that is not a literal (a name, a call...): known to be set, value unknown.
class _NotLiteral:
    """The value of an expression the AST does not give as a literal.

    One instance, which pickle keeps (parse_cache.py): rules test it with ``is``.
    """

    __slots__ = ()

    def __repr__(self):
        return "NOT_LITERAL"

    def __reduce__(self):
        return "NOT_LITERAL"


NOT_LITERAL = _NotLiteral()
MODEL_BASES = {"Model": "model", "TransientModel": "transient", "AbstractModel": "abstract"}
RELATIONAL_TYPES = {"Many2one", "One2many", "Many2many"}
TEST_OR_MIGRATION_DIRS = {"tests", "migrations", "upgrades", "upgrade_code"}
# Method calls of ORM APIs that no longer exist / are deprecated in 18.0 (a text scan).
VIEW_MODE_TREE_RE = re.compile(rb"""view_mode['"]?\s*[:=]\s*['"][^'"]*\btree\b""")
# ORM methods that no longer exist or are deprecated in 18.0 (calls are reported).
REMOVED_METHODS = ("user_has_groups", "_check_recursion", "_check_m2m_recursion")
# Cheap text test before walking a tree for odoo.addons imports and env['model'] literals.
ODOO_REFERENCE_HINT_RE = re.compile(rb"odoo\.addons|\benv\s*\[")
IMPORT_ERRORS = frozenset(("ImportError", "ModuleNotFoundError", "Exception", "BaseException", "*"))
KEY_ERRORS = frozenset(("KeyError", "LookupError", "Exception", "BaseException", "*"))


def is_test_or_migration(relative):
    return any(part in TEST_OR_MIGRATION_DIRS for part in relative.split(os.sep)[:-1])


@dataclass
class PythonField:
    name: str
    line: int
    type: str | None  # "Char", "Many2one"... None when not a plain fields.X(...) call
    comodel: str | None = None
    kwargs: dict = field(default_factory=dict)  # literal values, or NOT_LITERAL
    positional: int = 0  # number of positional arguments


@dataclass
class PythonModel:
    """One model class, read from the AST, as Odoo's metaclass would see it."""

    path: str
    line: int
    class_name: str
    name: str | None  # effective _name; None when not a literal
    has_name: bool  # ``_name`` is set in the class body
    inherit: list | None  # ``_inherit`` as a list; None when not a literal
    inherits: dict | None  # ``_inherits``; None when not a literal
    kind: str | None  # "model", "transient", "abstract"; None when the base is not models.X
    attributes: dict  # other literal class attributes (_description, _auto, _rec_name...)
    fields: dict  # name -> PythonField
    methods: dict  # name -> line
    dynamic: bool  # fields may be added by code the static level cannot follow
    plain_bases: bool = True  # only models.Model/AbstractModel/TransientModel as bases

    @property
    def is_definition(self):
        """The class creates a new model rather than extending an existing one."""
        return self.name is not None and self.inherit is not None and self.name not in self.inherit

    def parents(self):
        """Models whose fields this class brings in: ``_inherit`` (but itself) and delegation."""
        delegated = [f.comodel for f in self.fields.values()
                     if f.comodel and f.kwargs.get("delegate") is True]
        return ([p for p in (self.inherit or ()) if p != self.name]
                + list(self.inherits or ()) + delegated)


@dataclass
class PythonFile:
    problem: FileProblem | None = None
    models: list = field(default_factory=list)
    functions: dict = field(default_factory=dict)  # top-level name -> ast.arguments summary
    imported_names: set = field(default_factory=set)  # names bound at module level by imports
    imports: list = field(default_factory=list)  # (level, module or "", [names]) anywhere
    view_mode_tree: list = field(default_factory=list)  # lines of 'view_mode': '...tree...'
    hidden_classes: bool = False  # classes created in loops or conditions: models unknown
    removed_calls: list = field(default_factory=list)  # (method, line) of removed ORM APIs
    # (kind, name, line) that may raise at import; see ModuleIndex.import_problems
    import_problems: list = field(default_factory=list)
    # (addon, line, at import time, guarded by an ImportError handler) of odoo.addons.X imports
    addon_imports: list = field(default_factory=list)
    env_models: list = field(default_factory=list)  # (model, line, guarded) of env['model']
    env_checked: set = field(default_factory=set)  # models tested with 'x' in env / env.get('x')


@dataclass
class FunctionSignature:
    line: int
    positional: int  # parameters that can be given positionally
    required: int  # of which without default
    varargs: bool
    parameters: tuple = ()  # names of the positional parameters
    # A decorator may change the signature callers see (openupgradelib's
    # @openupgrade.migrate() turns migrate(env, version) into (cr, version)).
    decorated: bool = False


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_LITERAL


def _model_kind(bases):
    for base in bases:
        base_name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        if base_name in MODEL_BASES:
            return MODEL_BASES[base_name]
    return None


def _is_fields_call(node):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "fields")


def _field_from_call(name, node):
    """PythonField for ``name = <node>``; type None when it is not fields.X(...)."""
    if not isinstance(node, ast.Call):
        return PythonField(name, node.lineno, None)
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "fields":
        field_type = func.attr
    else:
        field_type = None
    kwargs = {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg}
    comodel = None
    if field_type == "One2many" and len(node.args) > 1:
        kwargs.setdefault("inverse_name", _literal(node.args[1]))
    if field_type in ("Selection", "Reference") and node.args:
        kwargs.setdefault("selection", _literal(node.args[0]))
    if field_type == "Float" and len(node.args) > 1:
        kwargs.setdefault("digits", _literal(node.args[1]))
    if field_type in RELATIONAL_TYPES:
        comodel = kwargs.get("comodel_name")
        if comodel is None and node.args:
            comodel = _literal(node.args[0])
        if not isinstance(comodel, str):
            comodel = None
    return PythonField(name, node.lineno, field_type, comodel, kwargs, len(node.args))


def _summarize_class(relative, node):
    """PythonModel of a class body, or None when it is not an Odoo model class."""
    attributes, fields_, methods = {}, {}, {}
    dynamic = False
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = statement.value
            for target in targets:
                if not isinstance(target, ast.Name):
                    dynamic = True
                elif target.id.startswith("_") and not _is_fields_call(value):
                    attributes[target.id] = _literal(value) if value is not None else NOT_LITERAL
                elif value is not None:
                    fields_[target.id] = _field_from_call(target.id, value)
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            methods[statement.name] = statement.lineno
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # docstring
        elif not isinstance(statement, ast.Pass | ast.ClassDef | ast.Import | ast.ImportFrom):
            # Loops, conditions or calls in a class body may define fields.
            dynamic = True
    kind = _model_kind(node.bases)
    if "_name" not in attributes and "_inherit" not in attributes and kind is None:
        return None
    if attributes.get("_register", True) is False:
        return None
    inherit = attributes.get("_inherit", [])
    if isinstance(inherit, str):
        inherit = [inherit]
    elif isinstance(inherit, list | tuple) and all(isinstance(i, str) for i in inherit):
        inherit = list(inherit)
    else:
        inherit = None
    if "_name" in attributes:
        name = attributes["_name"] if isinstance(attributes["_name"], str) else None
    elif inherit is None:
        name = None
    else:
        # Odoo's metaclass: a single _inherit names the model, else the class name does.
        name = inherit[0] if len(inherit) == 1 else node.name
    inherits = attributes.get("_inherits", {})
    if not (isinstance(inherits, dict) and all(isinstance(k, str) for k in inherits)):
        inherits = None
    plain_bases = all(
        (base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)) in MODEL_BASES
        for base in node.bases
    )
    return PythonModel(
        path=relative, line=node.lineno, class_name=node.name, name=name,
        has_name="_name" in attributes, inherit=inherit, inherits=inherits, kind=kind,
        attributes=attributes, fields=fields_, methods=methods, dynamic=dynamic,
        plain_bases=plain_bases,
    )


def _signature(node):
    args = node.args
    positional = len(args.posonlyargs) + len(args.args)
    return FunctionSignature(
        node.lineno, positional, positional - len(args.defaults), args.vararg is not None,
        tuple(arg.arg for arg in [*args.posonlyargs, *args.args]),
        bool(node.decorator_list),
    )


def _collect_imports(tree, summary):
    """Every import statement, wherever it is (hooks import lazily, in functions)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            summary.imports.append((node.level, node.module or "", [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            summary.imports.extend((0, alias.name, []) for alias in node.names)


def _collect_view_modes(tree, summary):
    """Lines of ``'view_mode': '...tree...'`` / ``view_mode='...tree...'`` literals."""
    for node in ast.walk(tree):
        pairs = ()
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values)
        elif isinstance(node, ast.Call):
            pairs = ((ast.Constant(kw.arg), kw.value) for kw in node.keywords if kw.arg)
        for key, value in pairs:
            if (isinstance(key, ast.Constant) and key.value == "view_mode"
                    and isinstance(value, ast.Constant) and isinstance(value.value, str)
                    and "tree" in value.value.replace(" ", "").split(",")):
                summary.view_mode_tree.append(value.lineno)


def _caught_names(handlers):
    """Exception names a try statement's handlers catch; "*" for a bare except."""
    names = set()
    for handler in handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            if kind is None:
                names.add("*")
            elif isinstance(kind, ast.Name | ast.Attribute):
                names.add(kind.id if isinstance(kind, ast.Name) else kind.attr)
    return frozenset(names)


ENV_MODEL_RE = re.compile(rb"""\benv\s*\[\s*(['"])([\w.]+)\1\s*\]""")
CHECKED_MODEL_RE = re.compile(
    rb"""(['"])([\w.]+)\1\s+(?:not\s+)?in\b|\.get\(\s*(['"])([\w.]+)\3""")


def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _collect_odoo_references(tree, source, summary):
    """``odoo.addons.X`` imports and ``env['model']`` literals, with what guards them.

    Function bodies run later than import time; a try whose handlers catch the
    error, or an ``if TYPE_CHECKING:`` block, makes a missing target harmless.
    Only statements are walked (imports are statements; expressions are many
    times more numerous); ``env['x']`` literals are found in the text, outside
    comments, and placed in the statements' guard ranges by line.
    """
    key_guards = []  # (first line, last line) of try bodies catching KeyError
    stack = [(node, True, frozenset()) for node in tree.body]
    while stack:
        node, at_import, caught = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend((child, False, caught) for child in node.body)
        elif isinstance(node, ast.Try | ast.TryStar):
            inner = caught | _caught_names(node.handlers)
            if inner & KEY_ERRORS and node.body:
                key_guards.append((node.body[0].lineno, node.body[-1].end_lineno or node.lineno))
            stack.extend((child, at_import, inner) for child in node.body)
            for handler in node.handlers:
                stack.extend((child, at_import, caught) for child in handler.body)
            stack.extend((child, at_import, caught) for child in [*node.orelse, *node.finalbody])
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend((child, at_import, caught) for child in node.orelse)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("odoo.addons."):
                    summary.addon_imports.append((alias.name.split(".")[2], node.lineno,
                                                  at_import, bool(caught & IMPORT_ERRORS)))
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            if node.module == "odoo.addons":
                addons = [alias.name for alias in node.names]
            elif node.module.startswith("odoo.addons."):
                addons = [node.module.split(".")[2]]
            else:
                addons = []
            for addon in addons:
                summary.addon_imports.append((addon, node.lineno, at_import,
                                              bool(caught & IMPORT_ERRORS)))
        else:
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(node, name, None) or ():
                    if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
                        stack.append((child, at_import, caught))
    if b"env" not in source:
        return
    line, counted = 1, 0  # matches come in order: count newlines once, incrementally
    for match in ENV_MODEL_RE.finditer(source):
        line += source.count(b"\n", counted, match.start())
        counted = match.start()
        if b"#" in source[source.rfind(b"\n", 0, match.start()) + 1:match.start()]:
            continue  # in a comment (or after a '#' in a string: rare, and only a warning)
        guarded = any(first <= line <= last for first, last in key_guards)
        summary.env_models.append((match.group(2).decode(), line, guarded))
    for match in CHECKED_MODEL_RE.finditer(source):
        summary.env_checked.add((match.group(2) or match.group(4)).decode())


def summarize_python(index, relative):
    try:
        source = index.read_bytes(relative)
    except FileProblem as problem:
        return PythonFile(problem=problem)
    return summarize_python_source(relative, source)


def summarize_python_source(relative, source):
    """What the rules need from one file's text; depends on nothing else (parse_cache.py)."""
    summary = PythonFile()
    try:
        # The collector has nothing to free while a parse builds its tree.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            tree = ast.parse(source, filename=relative)
        finally:
            if gc_was_enabled:
                gc.enable()
    except SyntaxError as error:
        summary.problem = FileProblem(f"{error.msg}", error.lineno)
        return summary
    except (ValueError, RecursionError, MemoryError) as error:
        summary.problem = FileProblem(str(error)[:200])
        return summary
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            model = _summarize_class(relative, node)
            if model is not None:
                summary.models.append(model)
                classes[node.name] = model
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "setattr"):
            # setattr(Model, "global", fields.Boolean()): a field whose name is a keyword.
            args = node.value.args
            if len(args) == 3 and getattr(args[0], "id", None) in classes:
                target = classes[args[0].id]
                name = _literal(args[1])
                if isinstance(name, str):
                    target.fields[name] = PythonField(name, node.lineno, None)
                else:
                    target.dynamic = True
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            summary.functions[node.name] = _signature(node)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                summary.imported_names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.For | ast.While | ast.If | ast.Try | ast.With):
            # for name in MODELS: class X(models.Model): _name = f"x.{name}"
            # A plain helper class (web's vobject-guarded classes) hides no model.
            if any(isinstance(sub, ast.ClassDef) and _summarize_class(relative, sub)
                   for sub in ast.walk(node)):
                summary.hidden_classes = True
    if os.path.basename(relative) == "__init__.py":
        _collect_imports(tree, summary)
    else:
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level:
                summary.imports.append((node.level, node.module or "", [a.name for a in node.names]))
    if VIEW_MODE_TREE_RE.search(source):
        _collect_view_modes(tree, summary)
    summary.import_problems = import_time_problems(tree, source)
    if any(name.encode() in source for name in REMOVED_METHODS):
        # A text match is only a hint (comments, strings); the calls come from the AST.
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in REMOVED_METHODS):
                summary.removed_calls.append((node.func.attr, node.lineno))
    if ODOO_REFERENCE_HINT_RE.search(source):
        _collect_odoo_references(tree, source, summary)
    return summary


# -- Data file summaries ------------------------------------------------------

DATA_ROOTS = ("odoo", "data", "openerp")
# Tags convert.py acts upon in 18.0; any other tag under a root is skipped silently.
DATA_TAGS = ("record", "delete", "function", "menuitem", "template")
VIEW_MODELS = ("ir.ui.view", "theme.ir.ui.view")
ACL_MODEL_COLUMNS = ("model_id:id", "model_id/id")
# ``ref('x')`` in eval/search/context expressions.
EVAL_REF_RE = re.compile(r"""(?<![\w.])ref\(\s*(['"])([^'"\s]+)\1\s*\)""")
# ``'xml_id': 'module.name'`` in a <function model="ir.model.data" name="_update_xmlids">.
UPDATE_XMLIDS_RE = re.compile(r"""['"]xml_id['"]\s*:\s*(['"])([^'"\s]+)\1""")
# ``%(xmlid)d`` / ``%(xmlid)s`` in xml/html field content (convert.py _process).
PERCENT_REF_RE = re.compile(r"(?<!%)%\(([^)]*?)\)[ds]")


@dataclass
class Ref:
    """One xmlid a data file needs at load time."""

    xmlid: str  # as written
    line: int | None
    via: str  # ref, eval, %()d, parent, action, groups, inherit_id, csv...
    optional: bool = False  # a missing target only skips the record with a WARNING


@dataclass
class DataField:
    name: str
    line: int | None
    node: object  # the <field> element
    text: str


@dataclass
class DataRecord:
    """A record, menu, template, function or CSV row, in load order (``seq``)."""

    path: str
    kind: str  # data / demo
    tag: str  # record, menuitem, template, function, delete, csv
    line: int | None
    seq: int
    model: str | None
    xmlid: str | None  # as written
    forcecreate: str | None = None
    fields: list = field(default_factory=list)  # DataField, for <record>
    refs: list = field(default_factory=list)
    expressions: list = field(default_factory=list)  # (python source, line, what)
    parent: object = None  # the record a nested one2many record belongs to
    sequence: str | None = None  # a <menuitem>'s sequence attribute
    method: str | None = None  # a <function>'s method name
    noupdate: bool = False  # inside <odoo noupdate="1"> / <data noupdate="1">

    def get_field(self, name):
        return next((f for f in self.fields if f.name == name), None)


@dataclass
class DataView:
    record: DataRecord
    model: str | None
    inherit_ref: str | None
    type: str | None  # the ``type`` field, when given
    qweb: bool
    arch: object  # element whose children are the arch (a <field> or a <template>)

    @property
    def root(self):
        """First element of the arch, or None."""
        return next((child for child in self.arch if isinstance(child.tag, str)), None)


@dataclass
class DataFile:
    path: str
    kind: str
    problem: FileProblem | None = None
    records: list = field(default_factory=list)
    ignored_tags: list = field(default_factory=list)  # (tag, line): skipped by Odoo
    csv_model: str | None = None
    csv_header: list = field(default_factory=list)


def stored_arch(elements, qualify):
    """A fresh copy of a view's arch as convert.py stores it.

    Several top-level elements are wrapped in <data> (_fix_multiple_roots) and each
    ``%(xmlid)d`` in attributes and text becomes ``qualify(match)``: the record id.
    """
    if len(elements) == 1:
        root = copy.deepcopy(elements[0])
    else:
        root = etree.Element("data")
        root.extend(copy.deepcopy(element) for element in elements)
    for element in root.iter():
        for name, value in element.attrib.items():
            if "%(" in value:
                element.set(name, PERCENT_REF_RE.sub(qualify, value))
        if isinstance(element.text, str) and "%(" in element.text:
            element.text = PERCENT_REF_RE.sub(qualify, element.text)
    return root


def full_xmlid(module, xmlid):
    return xmlid if "." in xmlid else f"{module}.{xmlid}"


def _expression_refs(expression, line, via, refs):
    for match in EVAL_REF_RE.finditer(expression):
        refs.append(Ref(match.group(2), line, via))


class _DataReader:
    """Walks the data files of one module the way convert.py does, without a database."""

    def __init__(self, index):
        self.index = index
        self.seq = 0
        self.noupdate = False

    def next_seq(self):
        self.seq += 1
        return self.seq

    def read(self, kind, relative):
        data_file = DataFile(relative, kind)
        lower = relative.lower()
        try:
            if lower.endswith(".xml"):
                root = self.index.xml(relative).getroot()
                if root.tag in DATA_ROOTS:
                    self.read_root(data_file, root)
            elif lower.endswith(".csv"):
                self.read_csv(data_file)
        except FileProblem as problem:
            data_file.problem = problem
        return data_file

    # -- XML ------------------------------------------------------------------
    def read_root(self, data_file, root):
        outer_noupdate = self.noupdate
        if root.get("noupdate") is not None:
            # convert.py reads the flag with str2bool and keeps it for nested <data>.
            self.noupdate = root.get("noupdate").strip().lower() in ("1", "true", "yes", "on")
        try:
            self._read_root_children(data_file, root)
        finally:
            self.noupdate = outer_noupdate

    def _read_root_children(self, data_file, root):
        if root.get("context"):
            data_file.records.append(self.make(data_file, "context", root, None))
        for node in root:
            if not isinstance(node.tag, str):
                continue
            if node.tag in DATA_ROOTS:
                self.read_root(data_file, node)
            elif node.tag == "record":
                self.read_record(data_file, node)
            elif node.tag == "menuitem":
                self.read_menuitem(data_file, node)
            elif node.tag == "template":
                self.read_template(data_file, node)
            elif node.tag in ("function", "delete"):
                self.read_call(data_file, node)
            else:
                data_file.ignored_tags.append((node.tag, node.sourceline))

    def make(self, data_file, tag, node, model, xmlid=None):
        record = DataRecord(
            data_file.path, data_file.kind, tag, node.sourceline, self.next_seq(), model, xmlid,
            noupdate=self.noupdate,
        )
        if node.get("context"):
            record.expressions.append((node.get("context"), node.sourceline, "context"))
            _expression_refs(node.get("context"), node.sourceline, "context", record.refs)
        if node.get("uid"):
            record.refs.append(Ref(node.get("uid"), node.sourceline, "uid"))
        return record

    def read_record(self, data_file, node, parent=None):
        record = self.make(data_file, "record", node, node.get("model"), node.get("id"))
        record.forcecreate = node.get("forcecreate")
        record.parent = parent
        data_file.records.append(record)
        optional = (record.forcecreate or "1").strip().lower() in ("0", "false", "off")
        children = []
        for child in node.iterchildren("field"):
            name = child.get("name")
            record.fields.append(DataField(name, child.sourceline, child, child.text or ""))
            self.read_value(record, child, name, optional)
            children.extend(child.iterchildren("record"))
        # Nested one2many records are created right after their parent.
        for child in children:
            self.read_record(data_file, child, parent=record)

    def read_value(self, record, node, name, optional=False):
        """Refs and expressions of a <field>/<value> element, as _eval_xml reads it."""
        line = node.sourceline
        if node.get("search"):
            record.expressions.append((node.get("search"), line, f"search of {name}"))
            _expression_refs(node.get("search"), line, "search", record.refs)
        elif node.get("ref"):
            parent_view = name == "inherit_id" and record.model in VIEW_MODELS
            via = "inherit_id" if parent_view else f"ref of {name}"
            record.refs.append(Ref(node.get("ref"), line, via, optional))
        elif node.get("eval"):
            record.expressions.append((node.get("eval"), line, f"eval of {name}"))
            _expression_refs(node.get("eval"), line, "eval", record.refs)
        elif node.get("type") in ("xml", "html"):
            content = "".join(etree.tostring(child, encoding="unicode") for child in node)
            if "%(" in content:
                for match in PERCENT_REF_RE.finditer(content):
                    record.refs.append(Ref(match.group(1), line, f"%(...)d in {name}"))
        elif node.get("type") in ("list", "tuple"):
            for value in node.iterchildren("value"):
                self.read_value(record, value, name, optional)

    def read_menuitem(self, data_file, node):
        record = self.make(data_file, "menuitem", node, "ir.ui.menu", node.get("id"))
        record.sequence = node.get("sequence")
        data_file.records.append(record)
        line = node.sourceline
        if node.get("parent") and node.getparent().tag != "menuitem":
            record.refs.append(Ref(node.get("parent"), line, "parent"))
        if node.get("action"):
            record.refs.append(Ref(node.get("action"), line, "action"))
        for group in (node.get("groups") or "").split(","):
            group = group.strip().lstrip("-")
            if group:
                record.refs.append(Ref(group, line, "groups"))
        for child in node.iterchildren("menuitem"):
            self.read_menuitem(data_file, child)

    def read_template(self, data_file, node):
        model = "theme.ir.ui.view" if self.index.source.name.startswith("theme_") else "ir.ui.view"
        xmlid = node.get("id", node.get("t-name"))
        record = self.make(data_file, "template", node, model, xmlid)
        data_file.records.append(record)
        line = node.sourceline
        for attribute in ("inherit_id", "website_id"):
            if node.get(attribute):
                record.refs.append(Ref(node.get(attribute), line, attribute))
        for group in (node.get("groups") or "").split(","):
            if group.strip():
                record.refs.append(Ref(group.strip(), line, "groups"))
        content = etree.tostring(node, encoding="unicode")
        if "%(" in content:
            for match in PERCENT_REF_RE.finditer(content):
                record.refs.append(Ref(match.group(1), line, "%(...)d"))

    def read_call(self, data_file, node):
        record = self.make(data_file, node.tag, node, node.get("model"), node.get("id"))
        record.method = node.get("name") if node.tag == "function" else None
        data_file.records.append(record)
        line = node.sourceline
        if node.get("search"):
            record.expressions.append((node.get("search"), line, "search"))
            if node.tag == "function":
                _expression_refs(node.get("search"), line, "search", record.refs)
        if node.tag == "delete":
            return  # a missing id or failing search only logs a WARNING
        if node.get("model") == "ir.model.data" and node.get("name") == "_update_xmlids":
            # Binds xmlids to records created by code (stock.stock_location_stock).
            content = etree.tostring(node, encoding="unicode")
            for match in UPDATE_XMLIDS_RE.finditer(content):
                bound = DataRecord(data_file.path, data_file.kind, "xmlid", line,
                                   self.next_seq(), None, match.group(2))
                data_file.records.append(bound)
        if node.get("eval"):
            record.expressions.append((node.get("eval"), line, "eval"))
            _expression_refs(node.get("eval"), line, "eval", record.refs)
        for child in node.iter("value", "function"):
            if child is node:
                continue
            if child.tag == "function":
                if child.get("eval"):
                    record.expressions.append((child.get("eval"), child.sourceline, "eval"))
                    _expression_refs(child.get("eval"), child.sourceline, "eval", record.refs)
            else:
                self.read_value(record, child, child.get("name") or "value")

    # -- CSV ------------------------------------------------------------------
    def read_csv(self, data_file):
        data_file.csv_model = os.path.splitext(os.path.basename(data_file.path))[0].split("-")[0]
        header, rows = self.index.csv_rows(data_file.path)
        data_file.csv_header = header
        id_column = header.index("id") if "id" in header else None
        ref_columns = [
            (position, column) for position, column in enumerate(header)
            if column.endswith((":id", "/id")) and column not in (":id", "/id")
        ]
        for number, row in enumerate(rows, start=2):
            xmlid = row[id_column].strip() if id_column is not None and id_column < len(row) else None
            record = DataRecord(
                data_file.path, data_file.kind, "csv", number, self.next_seq(),
                data_file.csv_model, xmlid or None,
            )
            record.fields = [DataField(column, number, None, row[p] if p < len(row) else "")
                             for p, column in enumerate(header)]
            for position, column in ref_columns:
                value = row[position] if position < len(row) else ""
                for xmlid_ref in value.split(","):
                    if xmlid_ref.strip():
                        record.refs.append(Ref(xmlid_ref.strip(), number, column))
            data_file.records.append(record)
