# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Whether every name a file loads at import time is surely bound, from its symbol table.

Building a file's ``ast`` objects costs a third more than parsing it, and
freeing them as much again. Test files are half of an addons tree's Python,
and of them the rules need little more than "it parses" and "no name is
missing at import time" (python_scope.import_time_problems). The symbol table
(``symtable``) answers both from the same parser without making a single
``ast`` object.

The answer is a safe approximation of python_scope's: every name that
python_scope would report is also unbound here (this check counts fewer
bindings and more uses: annotations, lambda defaults), so when this says
"all bound", python_scope finds nothing; when it does not, the caller builds
the tree and asks python_scope, which says where.

Symbol tables hold no ``ast`` object, so the interpreter bug ast_lock.py
guards against (the AST constructor's recursion counter) does not apply.
"""

import symtable

# Scopes whose body runs when the scope around them runs (Python 3.11 gives
# comprehensions a table of their own; later versions may inline them).
RUN_AT_ONCE = frozenset(("listcomp", "setcomp", "dictcomp", "genexpr"))


def import_time_names_bound(source, filename, known):
    """True when ``source`` (bytes) parses and every name its import-time code loads
    is bound in the file or in ``known``; False when unsure or it does not parse."""
    try:
        table = symtable.symtable(source, filename, "exec")
    except Exception:  # noqa: BLE001 - any refusal only means "build the tree", which reports it
        return False
    return _all_bound(table, known)


def _bound(table):
    return {symbol.get_name() for symbol in table.get_symbols()
            if symbol.is_assigned() or symbol.is_imported()}


def _all_bound(table, visible):
    visible = visible | _bound(table)
    if any(symbol.is_referenced() and symbol.get_name() not in visible
           for symbol in table.get_symbols()):
        return False
    for child in table.get_children():
        kind = child.get_type()
        if kind == "class" or (kind == "function" and child.get_name() in RUN_AT_ONCE):
            if not _all_bound(child, visible):
                return False
        elif kind != "function":
            return False  # a kind of scope this check does not know: unsure
    return True
