# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the rules need from one Python file, read from its AST and never run.

A summary depends on the file's text and its name in the module only, so that
the parse cache (parse_cache.py) can keep it by content hash.
"""

import ast
import gc
import os
import re
from dataclasses import dataclass, field

from .ast_lines import STATEMENT_BODIES, hint_lines, match_lines, nodes_at_lines, spans_a_line, start_lines, statements
from .file_problem import FileProblem
from .python_scope import KNOWN, import_time_problems
from .symbol_scan import import_time_names_bound

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
# Model attributes Odoo 19.0 decorates @api.deprecated (odoo/orm/models.py): each use
# logs a DeprecationWarning (WARNING) when the code runs.
DEPRECATED_19_ATTRIBUTES = ("read_group", "toggle_active", "check_field_access_rights",
                            "_cr", "_uid", "_context")
# Where a use may be: the name after a dot, across spaces and line breaks (escaped too).
DEPRECATED_19_RE = re.compile(rb"\.(?:\s|\\)*(?:" + b"|".join(n.encode() for n in DEPRECATED_19_ATTRIBUTES) + rb")\b")
# ``from . import x``, ``from ..y import z``, across a line break too (no leading
# \b: a regex starting with a word is searched for many times faster, and a
# match inside a longer word only costs a parse).
RELATIVE_IMPORT_RE = re.compile(rb"from[\s\\]+\.")
REMOVED_METHODS_RE = re.compile(rb"\b(?:" + b"|".join(n.encode() for n in REMOVED_METHODS) + rb")\b")
# Methods through which a model's code can fill values before the INSERT.
CREATE_HOOKS = frozenset((
    "create", "_create", "default_get", "_add_missing_default_values",
    "_prepare_create_values", "_load_records", "_load_records_create", "load",
))
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
    # (line, reads its argument as one dict) of a ``create`` decorated @api.model:
    # a single-record create, where Odoo expects @api.model_create_multi
    single_create: tuple | None = None
    # Strings the class's create-like methods spell (CREATE_HOOKS): the field names
    # they may fill. None when the class has no such method.
    hook_strings: frozenset | None = None

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
    # (top-level package, line) of absolute imports run at import time, outside
    # any handler of ImportError (a missing package stops the registry load)
    package_imports: list = field(default_factory=list)
    json_routes: list = field(default_factory=list)  # lines of @route(type='json')
    # (module, name or None, line, at import time) of imports from odoo.models and odoo.osv
    orm_imports: list = field(default_factory=list)
    deprecated_19: list = field(default_factory=list)  # (attribute, line) of DEPRECATED_19_ATTRIBUTES


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
    if type(node) is ast.Constant:  # most values; literal_eval's answer, without its calls
        return node.value
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_LITERAL


# Key, in a model's attributes, of the SQL objects 19.0 declares as class attributes
# (``_name_uniq = models.Constraint("UNIQUE(name)", ...)``): [(name, kind, definition)].
TABLE_OBJECTS = "<table objects>"
TABLE_OBJECT_KINDS = ("Constraint", "Index", "UniqueIndex")


def _table_object(attribute, node):
    """``(name, kind, definition)`` of ``_x = models.Constraint("...")`` and its kin, or None."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    kind = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    definition = _literal(node.args[0])
    if kind not in TABLE_OBJECT_KINDS or not isinstance(definition, str):
        return None
    return attribute[1:], kind, definition


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


def _hook_strings(functions):
    """String constants (and keyword names) of the create-like methods among
    ``functions`` ({name: FunctionDef} of one class), and of the helper methods of
    that class they call on self."""
    todo = [function for name, function in functions.items() if name in CREATE_HOOKS]
    strings, seen = set(), set()
    while todo:
        method = todo.pop()
        if method.name in seen:
            continue
        seen.add(method.name)
        for sub in ast.walk(method):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                strings.add(sub.value)
            elif isinstance(sub, ast.keyword) and sub.arg:
                strings.add(sub.arg)  # dict(name=...), vals.update(name=...)
            elif (isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
                    and sub.value.id == "self" and sub.attr in functions):
                todo.append(functions[sub.attr])
    return frozenset(strings)


def _summarize_class(relative, node):
    """PythonModel of a class body, or None when it is not an Odoo model class."""
    attributes, fields_, methods = {}, {}, {}
    dynamic, single_create = False, None
    for statement in node.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = statement.value
            for target in targets:
                if not isinstance(target, ast.Name):
                    dynamic = True
                elif target.id.startswith("_") and not _is_fields_call(value):
                    attributes[target.id] = _literal(value) if value is not None else NOT_LITERAL
                    table_object = _table_object(target.id, value)
                    if table_object:
                        attributes.setdefault(TABLE_OBJECTS, []).append(table_object)
                elif value is not None:
                    fields_[target.id] = _field_from_call(target.id, value)
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            methods[statement.name] = statement.lineno
            if statement.name == "create" and _decorated_api_model(statement):
                single_create = (statement.lineno, _reads_argument_as_dict(statement))
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
    hook_strings = None
    if not CREATE_HOOKS.isdisjoint(methods):
        hook_strings = _hook_strings({statement.name: statement for statement in node.body
                                      if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)})
    return PythonModel(
        path=relative, line=node.lineno, class_name=node.name, name=name,
        has_name="_name" in attributes, inherit=inherit, inherits=inherits, kind=kind,
        attributes=attributes, fields=fields_, methods=methods, dynamic=dynamic,
        plain_bases=plain_bases, single_create=single_create, hook_strings=hook_strings,
    )


def _orm_imports(tree):
    """``(module, name, line, at import time)`` of imports from ``odoo.models`` and
    ``odoo.osv`` (``name`` None for ``import odoo.osv...``)."""
    at_import = set()
    pending = list(tree.body)
    while pending:  # the statements Python runs when it imports the file
        statement = pending.pop()
        at_import.add(id(statement))
        if isinstance(statement, ast.If | ast.Try | ast.TryStar | ast.With):
            pending.extend(statement.body)
            pending.extend(getattr(statement, "orelse", ()))
            pending.extend(getattr(statement, "finalbody", ()))
            for handler in getattr(statement, "handlers", ()):
                pending.extend(handler.body)
    found = []
    for node in statements(tree.body):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module and (
                node.module.split(".")[0:2] in (["odoo", "models"], ["odoo", "osv"])):
            found.extend((node.module, alias.name, node.lineno, id(node) in at_import) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((alias.name, None, node.lineno, id(node) in at_import) for alias in node.names
                         if alias.name == "odoo.osv" or alias.name.startswith("odoo.osv."))
    return sorted(found, key=lambda item: item[2])


JSON_ROUTE_RE = re.compile(rb"""type\s*=\s*['"]json['"]""")


def _deprecated_19_uses(tree, source):
    """``[(attribute, line)]``: ``x._cr``, ``x.read_group(...)`` and the other attributes
    19.0 deprecates; an override (``def read_group``) is a definition, not a use."""
    lines = hint_lines(source, DEPRECATED_19_RE)
    return sorted({(node.attr, node.lineno) for node in nodes_at_lines(tree, lines)
                   if isinstance(node, ast.Attribute) and node.attr in DEPRECATED_19_ATTRIBUTES},
                  key=lambda use: (use[1], use[0]))


def _json_routes(tree):
    """Lines of the ``@route(..., type='json')`` decorators (``http.route`` or ``route``)."""
    lines = []
    for node in statements(tree.body):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            function = decorator.func
            name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
            if name == "route" and any(keyword.arg == "type" and _literal(keyword.value) == "json"
                                       for keyword in decorator.keywords):
                lines.append(decorator.lineno)
    return sorted(lines)


def _decorated_api_model(function):
    """``@api.model`` (or ``@model``) among the decorators of ``function``."""
    return any((isinstance(d, ast.Attribute) and d.attr == "model" and getattr(d.value, "id", None) == "api")
               or (isinstance(d, ast.Name) and d.id == "model") for d in function.decorator_list)


DICT_METHODS = frozenset(("get", "update", "setdefault", "pop", "items", "keys", "values", "copy"))


def _reads_argument_as_dict(function):
    """The first argument after ``self`` is read as one dict: ``vals.get(...)``,
    ``vals['x']``, ``'x' in vals``, ``vals.update(...)``."""
    parameters = function.args.args
    if len(parameters) < 2:
        return False
    name = parameters[1].arg
    for node in ast.walk(function):
        if (isinstance(node, ast.Attribute) and node.attr in DICT_METHODS
                and getattr(node.value, "id", None) == name):
            return True
        if (isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == name
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)):
            return True
        if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn)
                and getattr(node.comparators[0], "id", None) == name):
            return True
    return False


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
    for node in sorted(statements(tree.body), key=lambda statement: statement.lineno):
        if isinstance(node, ast.ImportFrom):
            summary.imports.append((node.level, node.module or "", [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            summary.imports.extend((0, alias.name, []) for alias in node.names)


def _collect_view_modes(tree, source, summary):
    """Lines of ``'view_mode': '...tree...'`` / ``view_mode='...tree...'`` literals."""
    for node in nodes_at_lines(tree, hint_lines(source, VIEW_MODE_TREE_RE)):
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


# Each expression starts with a literal, which the regex engine finds with a fast
# substring search; a leading \b or character class makes it try every byte
# (ten times slower over a whole tree).
ENV_MODEL_RE = re.compile(rb"""env\s*\[\s*(['"])([\w.]+)\1\s*\]""")
ODOO_ADDONS_RE = re.compile(rb"odoo\.addons")
# ``'x.model' in env`` / ``"x.model" not in env``: the quote and the operator
# first, then the quoted name that ends just before them.
CHECKED_OPERATOR_RES = (
    re.compile(rb"""' (?:not )?in\b"""),
    re.compile(rb'''" (?:not )?in\b'''),
)
QUOTED_NAME_BEFORE_RE = re.compile(rb"""(['"])([\w.]+)\1$""")
CHECKED_GET_RE = re.compile(rb"""\.get\(\s*(['"])([\w.]+)\1""")
NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _env_model_matches(source):
    """``env['x.model']`` matches, ``env`` being a whole word (not ``myenv[...]``)."""
    return [match for match in ENV_MODEL_RE.finditer(source)
            if not match.start() or source[match.start() - 1] not in NAME_BYTES]


def _checked_models(source):
    """Models the code tests for: ``'x.model' in env`` and ``env.get('x.model')``."""
    found = {match.group(2).decode() for match in CHECKED_GET_RE.finditer(source)}
    for expression in CHECKED_OPERATOR_RES:
        for match in expression.finditer(source):
            end = match.start() + 1
            name = QUOTED_NAME_BEFORE_RE.search(source, max(0, end - 200), end)
            if name:
                found.add(name.group(2).decode())
    return found


def _is_type_checking(test):
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _collect_odoo_references(tree, source, env_matches, summary):
    """``odoo.addons.X`` imports and ``env['model']`` literals, with what guards them.

    Function bodies run later than import time; a try whose handlers catch the
    error, or an ``if TYPE_CHECKING:`` block, makes a missing target harmless.
    Only statements are walked (imports are statements; expressions are many
    times more numerous); ``env['x']`` literals are found in the text, outside
    comments, and placed in the statements' guard ranges by line.
    """
    key_guards = []  # (first line, last line) of try bodies catching KeyError
    bare_strings = []  # (first line, last line) of string statements: docstrings run nothing
    # Only the statements around the hints matter: an env['x'] literal, or an import
    # that spells odoo.addons; the others are skipped with all they hold.
    lines = sorted({*hint_lines(source, ODOO_ADDONS_RE), *match_lines(source, env_matches)})
    stack = []

    def push(children, at_import, caught):
        stack.extend((child, at_import, caught) for child in children if spans_a_line(child, lines))

    push(tree.body, True, frozenset())
    while stack:
        node, at_import, caught = stack.pop()
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            if isinstance(node.value.value, str):
                bare_strings.append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            push(node.body, False, caught)
        elif isinstance(node, ast.Try | ast.TryStar):
            inner = caught | _caught_names(node.handlers)
            if inner & KEY_ERRORS and node.body:
                key_guards.append((node.body[0].lineno, node.body[-1].end_lineno or node.lineno))
            push(node.body, at_import, inner)
            for handler in node.handlers:
                push(handler.body, at_import, caught)
            push([*node.orelse, *node.finalbody], at_import, caught)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            push(node.orelse, at_import, caught)
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
            for name in STATEMENT_BODIES:
                push([child for child in getattr(node, name, None) or ()
                      if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case)], at_import, caught)
    for match, line in zip(env_matches, start_lines(source, env_matches)):
        if b"#" in source[source.rfind(b"\n", 0, match.start()) + 1:match.start()]:
            continue  # in a comment (or after a '#' in a string: rare, and only a warning)
        if any(first <= line <= last for first, last in bare_strings):
            continue  # an example in a docstring
        guarded = any(first <= line <= last for first, last in key_guards)
        summary.env_models.append((match.group(2).decode(), line, guarded))


def summarize_python(index, relative):
    try:
        source = index.read_bytes(relative)
    except FileProblem as problem:
        return PythonFile(problem=problem)
    return summarize_python_source(relative, source)


def summarize_python_source(relative, source):
    """What the rules need from one file's text; depends on nothing else (parse_cache.py)."""
    if is_test_file(relative) and _needs_no_tree(relative, source):
        return PythonFile(env_checked=_checked_models(source))
    return summarize_python_tree(relative, source)


def summarize_python_tree(relative, source):
    """``summarize_python_source`` from the file's syntax tree, always built."""
    test_file = is_test_file(relative)
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
    if not test_file:
        _collect_definitions(relative, tree, summary)
    if os.path.basename(relative) == "__init__.py":
        _collect_imports(tree, summary)
    else:
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level:
                summary.imports.append((node.level, node.module or "", [a.name for a in node.names]))
    if VIEW_MODE_TREE_RE.search(source):
        _collect_view_modes(tree, source, summary)
    summary.import_problems = import_time_problems(tree, source)
    if any(name.encode() in source for name in REMOVED_METHODS):
        # A text match is only a hint (comments, strings); the calls come from the AST.
        summary.removed_calls = sorted(
            (node.func.attr, node.lineno) for node in nodes_at_lines(tree, hint_lines(source, REMOVED_METHODS_RE))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in REMOVED_METHODS)
    if any(name.encode() in source for name in DEPRECATED_19_ATTRIBUTES):
        summary.deprecated_19 = _deprecated_19_uses(tree, source)
    if JSON_ROUTE_RE.search(source):
        summary.json_routes = _json_routes(tree)
    if _orm_import_hint(source):
        summary.orm_imports = _orm_imports(tree)
    # Cheap text tests before walking the statements.
    summary.env_checked = _checked_models(source)
    if not test_file:
        env_matches = _env_model_matches(source)
        if env_matches or b"odoo.addons" in source:
            _collect_odoo_references(tree, source, env_matches, summary)
        summary.package_imports = _unguarded_package_imports(tree.body)
    return summary


def is_test_file(relative):
    """A module of the addon's tests package other than its __init__.py files.

    Odoo imports it only to run the tests, never to install: the rules read
    whether it parses, what it needs at import time and the API uses it holds
    (PY001, PY002, the deprecated and removed APIs), not its classes, its
    odoo.addons imports or env['model'] literals. Its summary has only those.
    """
    parts = relative.split(os.sep)
    return len(parts) > 1 and parts[0] == "tests" and parts[-1] != "__init__.py"


def _orm_import_hint(source):
    return b"odoo.models import" in source or b"odoo.osv" in source


def _needs_no_tree(relative, source):
    """True when a test file's summary is the empty one: it parses, nothing it loads at
    import time is unbound, and its text has no hint of what the tree would be read for."""
    if (RELATIVE_IMPORT_RE.search(source) or VIEW_MODE_TREE_RE.search(source)
            or any(name.encode() in source for name in REMOVED_METHODS) or DEPRECATED_19_RE.search(source)
            or JSON_ROUTE_RE.search(source) or _orm_import_hint(source)):
        return False
    return import_time_names_bound(source, relative, KNOWN)


def _collect_definitions(relative, tree, summary):
    """Model classes, top-level functions and imported names of the module level."""
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
                   for sub in statements([node])):
                summary.hidden_classes = True


def _unguarded_package_imports(statements):
    """``[(package, line)]`` of the absolute imports Python runs when it imports the file.

    Function bodies run later; a try whose handlers catch ImportError, and an
    ``if TYPE_CHECKING:`` block, make a missing package harmless.
    """
    found, stack = [], list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if not node.level and node.module:
                found.append((node.module.split(".")[0], node.lineno))
        elif isinstance(node, ast.Try | ast.TryStar):
            if not (_caught_names(node.handlers) & IMPORT_ERRORS):
                stack.extend(node.body)
            for handler in node.handlers:
                stack.extend(handler.body)
            stack.extend([*node.orelse, *node.finalbody])
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                stack.extend(node.body)
            stack.extend(node.orelse)
        elif isinstance(node, ast.ClassDef | ast.With | ast.For | ast.While):
            stack.extend([*node.body, *getattr(node, "orelse", ())])
    return sorted(set(found), key=lambda item: item[1])
