# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What a Python file needs at import time, read from its AST (index layer).

Importing an addon runs every module-level statement and every class body:
a name bound nowhere, or a relative import of a file that does not exist,
raises then. Function and lambda bodies run later and are not looked at.
The analysis is conservative: a file that creates names in ways an AST
cannot follow (star imports, globals(), exec...) reports nothing.
"""

import ast
import builtins
import os
import re

from .ast_lines import hint_lines, nodes_at_lines

MODULE_DUNDERS = {"__name__", "__file__", "__doc__", "__path__", "__spec__", "__loader__",
                  "__package__", "__builtins__", "__annotations__", "__dict__", "__module__",
                  "__qualname__", "__class__"}
KNOWN = frozenset(dir(builtins)) | MODULE_DUNDERS
DYNAMIC_NAME_CALLS = {"globals", "locals", "exec", "eval", "vars", "__import__"}
DYNAMIC_NAME_HINT_RE = re.compile(rb"import \*|\b(?:globals|locals|exec|eval|vars|__import__)\s*\(")
# The regex starts with \b, so it tries every byte of a file; these substring
# searches are three times faster and rule out most files first.
DYNAMIC_NAME_WORDS = (b"import *", b"globals", b"locals", b"exec", b"eval", b"vars", b"__import__")


def import_time_problems(tree, source):
    """``[(kind, name, line)]``: kind is "import" (a relative import whose file must
    exist beside this one; see ``missing_relative_imports``) or "name".

    The result depends on the file's text only, so that it can be cached by
    content hash; whether the imported files exist is checked at rule time.
    """
    problems = [("import", target, line) for target, line in _relative_imports(tree)]
    # The text test is cheap; only the statements at its hits are walked.
    if not _uses_dynamic_names(tree, _dynamic_name_lines(source)):
        seen = set()
        for name, line in _undefined(tree.body, KNOWN):
            if name not in seen:
                seen.add(name)
                problems.append(("name", name, line))
    return problems


def missing_relative_imports(problems, folder):
    """``problems`` without the relative imports whose file or folder exists in ``folder``."""
    return [
        (kind, name, line) for kind, name, line in problems
        # A folder without __init__.py still imports (a namespace package).
        if kind != "import" or not (os.path.isfile(os.path.join(folder, f"{name}.py"))
                                    or os.path.isdir(os.path.join(folder, name)))
    ]


def _undefined(statements, outer):
    """Names loaded at import time by ``statements`` and bound neither there nor outside.

    Order is ignored (a later binding counts), so a use before its definition
    is not reported: the check only says what is certainly missing.
    """
    bound, loads, classes = _scan(statements)
    visible = outer | bound
    for name, line in loads:
        if name not in visible:
            yield name, line
    for class_node in classes:
        yield from _undefined(class_node.body, visible)


def _scan(statements):
    """One walk of a scope: names it binds, names it loads, class bodies it holds."""
    bound, loads, classes = set(), [], []
    stack = list(statements)
    # Dispatch on the exact node type: the parser makes no subclasses, and a chain
    # of isinstance tests per node is most of the walk's cost.
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is ast.Name:
            if type(node.ctx) is ast.Load:
                loads.append((node.id, node.lineno))
            else:
                bound.add(node.id)
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            # Decorators and defaults run when the def runs; the body does not.
            bound.add(node.name)
            stack.extend([*node.decorator_list, *node.args.defaults,
                          *[default for default in node.args.kw_defaults if default]])
        elif kind is ast.ClassDef:
            bound.add(node.name)
            stack.extend([*node.decorator_list, *node.bases, *[k.value for k in node.keywords]])
            classes.append(node)
        elif kind is ast.Lambda:
            continue
        elif kind is ast.AnnAssign:
            # Annotations may be postponed (from __future__ import annotations).
            stack.extend([node.target, node.value] if node.value else [node.target])
        elif kind is ast.Import or kind is ast.ImportFrom:
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            if kind in NAME_BINDERS and node.name:
                bound.add(node.name)
            elif kind is ast.Global or kind is ast.Nonlocal:
                bound.update(node.names)
            _push_children(stack, node)
    return bound, loads, classes


NAME_BINDERS = frozenset((ast.ExceptHandler, ast.MatchAs, ast.MatchStar))
# Nodes that hold no name: never pushed (a class body is mostly constants and operators).
NAMELESS = (ast.Constant, ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def _push_children(stack, node):
    """``stack.extend(ast.iter_child_nodes(node))``, without the nodes that hold no name
    and without the two generators per node that iter_child_nodes costs."""
    for name in node._fields:
        value = getattr(node, name, None)
        if type(value) is list:
            stack.extend([item for item in value
                          if isinstance(item, ast.AST) and not isinstance(item, NAMELESS)])
        elif isinstance(value, ast.AST) and not isinstance(value, NAMELESS):
            stack.append(value)


def _dynamic_name_lines(source):
    """Lines where the text may call globals(), eval()... or import *; most files have none."""
    if not any(word in source for word in DYNAMIC_NAME_WORDS):
        return []
    return hint_lines(source, DYNAMIC_NAME_HINT_RE)


def _uses_dynamic_names(tree, lines):
    for node in nodes_at_lines(tree, lines):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_NAME_CALLS:
            return True
    return False


def _relative_imports(tree):
    """``(target, line)`` of each ``from . import x`` / ``from .x import y`` at module level."""
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.level != 1:
            continue
        targets = [node.module.split(".")[0]] if node.module else [alias.name for alias in node.names]
        for target in targets:
            yield target, node.lineno
