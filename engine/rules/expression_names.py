# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The free names of a Python expression from a data file, parsed once per run.

View modifiers (``invisible="state == 'done'"``) and ``eval=`` attributes repeat
the same few thousand texts across a whole addons tree: each distinct text is
parsed once and its answer kept.
"""

import ast
import functools


@functools.lru_cache(maxsize=65536)
def expression_names(source):
    """``(syntax error message or None, frozenset of the names it reads and does not bind)``
    of the expression ``source`` (names bound by comprehensions and lambdas excluded)."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        return error.msg, frozenset()
    except (ValueError, RecursionError, MemoryError) as error:
        return str(error)[:200], frozenset()
    bound, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return None, frozenset(used - bound)
