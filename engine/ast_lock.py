# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One AST at a time per process, for the validator and Odoo alike.

CPython 3.11 (and 3.12 before its fix) keeps the recursion counter that guards
the conversion of a parsed tree into ``ast`` objects in per-interpreter state,
not per thread. When two threads build ASTs at once, and a thread switch
happens mid-conversion (a garbage collection can cause one), the counter is
left off and the unlucky caller gets ``SystemError: AST constructor recursion
depth mismatch``. In a threaded Odoo server a validation parses thousands of
Python files in a request thread, so it makes the collision with Odoo's own
manifest reading (``ast.literal_eval`` in ``load_manifest``) far more likely:
the victim can be another user's request.

``ast.literal_eval`` calls ``ast.parse`` through the ``ast`` module, so
wrapping ``ast.parse`` with a process-wide lock serialises the validator's
parsing and every ``literal_eval`` of the server. A parse takes milliseconds;
waiting for one is cheaper than a failed request.
"""

import ast
import threading

_LOCK = threading.Lock()
_UNLOCKED_PARSE = ast.parse


def _parse_one_at_a_time(*args, **kwargs):
    with _LOCK:
        return _UNLOCKED_PARSE(*args, **kwargs)


def install():
    """Make ``ast.parse`` (and so ``ast.literal_eval``) take the lock; idempotent."""
    if getattr(ast.parse, "_module_validator_lock", False):
        return
    _parse_one_at_a_time._module_validator_lock = True
    ast.parse = _parse_one_at_a_time


def installed():
    return getattr(ast.parse, "_module_validator_lock", False)
