# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""PY002, PY016: what runs when Odoo imports the module must not raise."""

import os
import re
import sys

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


def _declared_packages(manifest):
    """Normalised names of the external Python dependencies the manifest declares."""
    value = manifest.get("external_dependencies", {}) if isinstance(manifest, dict) else {}
    python = value.get("python", []) if isinstance(value, dict) else []
    names = set()
    for requirement in python if isinstance(python, list | tuple) else []:
        if isinstance(requirement, str):
            name = re.split(r"[<>=!~;\[\s]", requirement.strip(), maxsplit=1)[0].lower()
            # Distribution and import names differ: erpbrasil.base or erpbrasil-base
            # is imported as erpbrasil, github3.py as github3.
            names.update((name.replace("-", "_"), re.split(r"[._-]", name, maxsplit=1)[0]))
    return names


@rule(
    "PY016",
    title="Packages imported at import time are installed",
    category="python", level="dynamic", severity="error", impact="install",
    rationale="Odoo imports the addon package before installing it. An absolute "
    "import of a package this Python cannot find, at module level and outside a "
    "try/except ImportError, raises ModuleNotFoundError: the registry load stops and "
    "the install fails. Declared external dependencies are MAN009's business. Like "
    "MAN009 it asks the server's interpreter, so it runs at the dynamic level (the "
    "static level reads files only): the package is looked up with "
    "importlib.util.find_spec on its top-level name, never imported.",
    bad="import phonenumbers   # not installed, not in external_dependencies",
    good="'external_dependencies': {'python': ['phonenumbers']}, and the package "
    "installed where Odoo runs",
    remedy="Install the package where Odoo runs and declare it in the manifest's "
    "external_dependencies, or import it inside try/except ImportError.",
    prevents="ModuleNotFoundError: No module named 'x' (Couldn't load module)",
)
def check_imported_packages_exist(ctx):
    if ctx.module.manifest.get("installable", True) is False:
        return  # Odoo never loads it (hw_escpos imports drivers of a device image)
    imported = reachable_files(ctx)
    declared = _declared_packages(ctx.module.manifest)
    for relative, summary in ctx.index.python.items():
        if relative not in imported or relative.split(os.sep)[0] in (*NOT_IMPORTED, TESTS):
            continue
        for package, line in summary.package_imports:
            if (package in sys.stdlib_module_names or package.lower() in declared
                    or ctx.facts.probe("package", package)):
                continue
            yield Issue(relative, line,
                        f"Import of {package!r}: no such package in this Python, and the "
                        "manifest does not declare it in external_dependencies "
                        "(ModuleNotFoundError when Odoo loads the module).",
                        key=f"package:{package}")
