# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Walking only the parts of a syntax tree that can hold what a rule looks for.

A full ``ast.walk`` visits every node of a file, about 700 per kilobyte, and
over a whole Odoo tree that costs as much as parsing it. Two cheaper walks:

- ``statements``: every statement, nested ones included, and no expression
  (imports, definitions and decorators live on statements);
- ``nodes_at_lines``: every node whose line span holds one of the lines where a
  text search found a hint (the name of an attribute, a keyword); a statement
  elsewhere in the file is skipped with everything under it.

Both give the same nodes as ``ast.walk`` for what the callers test, because a
node's span always holds the text that names it.
"""

import ast
import bisect

STATEMENT_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def statements(body):
    """Every statement of ``body`` (a tree's or a statement's), at any depth (function
    and class bodies included)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        for name in STATEMENT_BODIES:
            for child in getattr(node, name, None) or ():
                if isinstance(child, ast.excepthandler | ast.match_case):
                    stack.extend(child.body)
                else:
                    stack.append(child)


def hint_lines(source, pattern):
    """Sorted line numbers (1-based) of ``source`` (bytes) that ``pattern`` matches,
    every line of a match that spans several."""
    return match_lines(source, pattern.finditer(source))


def match_lines(source, matches):
    """Sorted line numbers of ``source`` that ``matches`` (in text order) cover."""
    matches, lines = list(matches), []
    for match, line in zip(matches, start_lines(source, matches)):
        lines.extend(range(line, line + source.count(b"\n", match.start(), match.end()) + 1))
    return sorted(set(lines))


def start_lines(source, matches):
    """The line (1-based) where each of ``matches`` (in text order) starts; the newlines
    are counted once, from one match to the next."""
    line, counted = 1, 0
    for match in matches:
        line += source.count(b"\n", counted, match.start())
        counted = match.start()
        yield line


def spans_a_line(node, lines):
    """True when the lines of ``node`` hold one of ``lines`` (sorted), or ``node`` has
    no position (a match case: its pattern and body have one)."""
    first = getattr(node, "lineno", None)
    if first is None:
        return True
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= (node.end_lineno or first)


def nodes_at_lines(tree, lines):
    """The nodes of ``tree`` whose lines overlap ``lines`` (sorted), and the nodes
    without a position (arguments, comprehensions...) under them."""
    if not lines:
        return
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if not spans_a_line(node, lines):
            continue
        yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                stack.append(value)
