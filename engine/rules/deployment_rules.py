# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deployment rules (ODS001-ODS003): what an odoo.sh-like deployment needs besides the code."""

import os

from ..facts import requirement_name
from .registry import Issue, rule

# Module states Odoo leaves behind when an install, upgrade or removal did not finish.
TRANSIENT_STATES = ("to install", "to upgrade", "to remove")
# States whose modules the registry loads, or will at the next upgrade.
LOADED_STATES = ("installed", "to upgrade")


def _scope_names(ctx):
    """The module and every name its ``depends`` reach, unknown names included."""
    catalog = ctx.facts.catalog
    seen, queue = {ctx.module.name}, [ctx.module.name]
    while queue:
        source = catalog.get(queue.pop(0))
        for dep in source.depends() if source else ():
            if dep not in seen:
                seen.add(dep)
                queue.append(dep)
    return sorted(seen)


@rule(
    "ODS001",
    title="Installed dependencies are on the deployed addons path",
    category="dependency", level="dynamic", severity="error", impact="build",
    rationale="A module installed in the database must be found, installable, on "
    "the addons path of the server that runs it: the registry loads installed "
    "modules from the code, and one that is missing (a submodule or Enterprise not "
    "deployed, a folder renamed, 'installable' set to False) is silently left out. "
    "Its models, fields and views disappear, and every module depending on it "
    "breaks at the next upgrade. Checked for the module and its dependency closure.",
    bad="database: sale_extra installed; addons path: no sale_extra folder "
    "(the submodule that holds it is not deployed)",
    good="every installed module of the closure has its folder on the addons path, "
    "with 'installable': True",
    remedy="Deploy the repository that holds the module (add the submodule, fix the "
    "addons path), or uninstall the module from the database before deploying.",
    prevents="ERROR Some modules are not loaded, some dependencies or manifest may "
    "be missing: ['x']",
)
def check_installed_dependencies_deployed(ctx):
    states = ctx.facts.module_states()
    catalog = ctx.facts.catalog
    line = ctx.index.manifest_key_line("depends")
    for name in _scope_names(ctx):
        if states.get(name) not in LOADED_STATES:
            continue
        why = catalog.unavailable_reason(name)
        if why is None:
            continue
        what = "This module" if name == ctx.module.name else f"Dependency {name!r}"
        yield Issue(ctx.module.manifest_file, line,
                    f"{what} is {states[name]} in the database but {why}: Odoo will not "
                    "load it.", key=name)


@rule(
    "ODS003",
    title="No module of the closure is left half installed, upgraded or removed",
    category="dependency", level="dynamic", severity="error", impact="build",
    rationale="States 'to install', 'to upgrade' and 'to remove' are leftovers of an "
    "operation that did not finish (an interrupted upgrade, an unmet dependency, a "
    "button clicked without applying). At every start Odoo logs an ERROR about them, "
    "and the scheduler skips the whole database: no scheduled action runs until the "
    "states are resolved.",
    bad="ir_module_module: sale_extra in state 'to upgrade' after a failed -u",
    good="every module of the closure is 'installed' or 'uninstalled'",
    remedy="Finish the operation (odoo-bin -u the modules, or install their missing "
    "dependencies), or cancel it (Apps > the module > Cancel Install / Cancel "
    "Upgrade / Cancel Uninstall), then restart.",
    prevents="ERROR Some modules have inconsistent states, some dependencies may be "
    "missing: ['x'] / WARNING Skipping database x because of modules to "
    "install/upgrade/remove.",
)
def check_transient_module_states(ctx):
    states = ctx.facts.module_states()
    line = ctx.index.manifest_key_line("depends")
    for name in _scope_names(ctx):
        state = states.get(name)
        if state in TRANSIENT_STATES:
            what = "This module" if name == ctx.module.name else f"Dependency {name!r}"
            yield Issue(ctx.module.manifest_file, line,
                        f"{what} is in state {state!r} in the database.", key=name)


@rule(
    "ODS002",
    title="External Python dependencies are listed in a requirements.txt",
    category="dependency", level="static", severity="warning", impact="hygiene",
    rationale="odoo.sh (and most container builds) installs the Python packages "
    "listed in the requirements.txt files of the repository, on top of Odoo's own; "
    "nothing reads a manifest's external_dependencies to install them. An entry "
    "that no requirements.txt of the module's folder or of its addons folder "
    "(the repository root) lists is missing on the build, and the module cannot "
    "be installed there.",
    bad="'external_dependencies': {'python': ['openpyxl']}   # no requirements.txt "
    "lists it",
    good="'external_dependencies': {'python': ['openpyxl']}   # and 'openpyxl' in "
    "the repository's requirements.txt",
    remedy="Add the package (its PyPI name) to the requirements.txt at the root of "
    "the repository (the addons folder) or in the module's folder.",
    prevents='Unable to install module "x" because an external dependency is not '
    "met: Python library not installed: y",
)
def check_requirements_listed(ctx):
    root = ctx.facts.odoo_source_root
    if ctx.module.odoo_core or (root and os.path.realpath(ctx.module.path).startswith(root + os.sep)):
        return  # Odoo's own modules: its requirements are the build's
    value = ctx.index.manifest.get("external_dependencies", {})
    requirements = value.get("python", []) if isinstance(value, dict) else []
    if not isinstance(requirements, list | tuple):
        return
    facts = ctx.facts
    listed = set(facts.odoo_requirement_names())
    for folder in (ctx.module.path, os.path.dirname(ctx.module.path)):
        names = facts.requirement_names(folder)
        if names is None:
            return  # a file includes others: unknown is not missing
        listed |= names
    line = ctx.index.manifest_key_line("external_dependencies")
    for requirement in requirements:
        if not isinstance(requirement, str):
            continue
        name = requirement_name(requirement.strip())
        if not name:
            continue
        accepted = {name, *facts.distribution_aliases(name)}
        if accepted & listed:
            continue
        yield Issue(ctx.module.manifest_file, line,
                    f"{requirement!r} is listed in no requirements.txt of the module or "
                    "of its addons folder: odoo.sh would not install it.", key=requirement)
