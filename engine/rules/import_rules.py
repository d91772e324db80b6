# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""PY002: what runs when Odoo imports the module must not raise."""

import os

from .python_rules import reachable_files
from .registry import Issue, rule

# Migration scripts are loaded by path during an upgrade, not imported with the package.
NOT_IMPORTED = ("migrations", "upgrades")
# Odoo imports the tests package itself when tests run (odoo.sh always runs them).
TESTS = "tests"


@rule(
    "PY002",
    title="The module's Python imports cleanly",
    category="python", level="static", severity="error", impact="install",
    rationale="Odoo imports the addon package before it installs anything: every "
    "module-level statement and class body runs then. A name that is defined "
    "nowhere (a typo, a constant never imported) or a relative import of a file "
    "that does not exist raises at import, and the install aborts. Function bodies "
    "are not checked: they run later. Files that create names dynamically (star "
    "imports, globals(), exec) are skipped rather than guessed at.",
    bad="size = fields.Integer(default=DEFAULT_SIZE)   # DEFAULT_SIZE defined nowhere",
    good="DEFAULT_SIZE = 10\n...\nsize = fields.Integer(default=DEFAULT_SIZE)",
    remedy="Define or import the name; add the missing file or fix the import.",
    prevents="CRITICAL Couldn't load module X (NameError / ImportError)",
)
def check_import_time(ctx):
    # Only files Odoo imports fail the install: a script beside the package
    # (run with odoo-bin shell, say) may rely on names its runner provides.
    imported = reachable_files(ctx)
    for relative in ctx.index.python:
        top = relative.split(os.sep)[0]
        if top in NOT_IMPORTED or (relative not in imported and top != TESTS):
            continue
        for kind, name, line in ctx.index.import_problems(relative):
            if kind == "import":
                message = (f"Relative import of {name!r}, but there is no {name}.py or "
                           f"{name}/ beside this file (ImportError when Odoo loads the module).")
            else:
                message = (f"{name!r} is used at import time but defined nowhere in this file "
                           "(NameError when Odoo loads the module).")
            yield Issue(relative, line, message, key=f"{kind}:{name}")
