# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Dependency rules (DEP, MAN009): what the module needs must exist where it is deployed."""

from ..index import is_test_or_migration
from .registry import Issue, rule


def dependency_chains(ctx):
    """``(module, chain)`` for every module the install reaches through 'depends'.

    ``chain`` runs from the validated module to ``module`` (the shortest one,
    breadth first); modules Odoo could not load are yielded, not walked through.
    """
    catalog = ctx.facts.catalog
    seen = {ctx.module.name}
    queue = [(ctx.module.name, [ctx.module.name])]
    while queue:
        name, chain = queue.pop(0)
        source = ctx.module if name == ctx.module.name else catalog.get(name)
        for dep in source.depends():
            if dep in seen:
                continue
            seen.add(dep)
            yield dep, [*chain, dep]
            if catalog.unavailable_reason(dep) is None:
                queue.append((dep, [*chain, dep]))


def _chain(chain):
    return " → ".join(chain)


@rule(
    "DEP001",
    title="Declared dependencies are available and installable",
    category="dependency", level="static", severity="error", impact="install",
    rationale="Every 'depends' entry must be a module on the addons path with a "
    "manifest that Odoo can use and 'installable' not False. A missing Enterprise "
    "or OCA submodule is the classic cause of red odoo.sh builds. The same holds "
    "for the dependencies of the dependencies: Odoo refuses the install exactly as "
    "if the module itself were at fault, so the chain is reported on the module.",
    bad="'depends': ['sale', 'sale_extra_from_a_missing_submodule']",
    good="'depends': ['sale']   # and every other module on the addons path",
    remedy="Add the missing repository to the addons path (submodule, "
    "requirements), or remove the dependency.",
    prevents="You try to install module X that depends on module Y. But the "
    "latter module is not available in your system.",
)
def check_depends_available(ctx):
    line = ctx.index.manifest_key_line("depends")
    for dep, chain in dependency_chains(ctx):
        why = ctx.facts.catalog.unavailable_reason(dep)
        if not why:
            continue
        if len(chain) == 2:
            yield Issue(ctx.module.manifest_file, line, f"Dependency {dep!r} {why}.", key=dep)
        else:
            yield Issue(ctx.module.manifest_file, line, f"Dependency {dep!r} of {chain[-2]!r} "
                        f"{why} ({_chain(chain)}): Odoo refuses to install {chain[0]!r} too.",
                        key=f"closure:{dep}")


@rule(
    "MAN009",
    title="External dependencies of the module and its closure are installed",
    category="dependency", level="dynamic", severity="error", impact="install",
    rationale="Odoo refuses to install a module whose external_dependencies "
    "are not importable in the server's interpreter (Python packages, found "
    "without importing them) or not on the PATH (binaries), and it refuses the "
    "same way when a module of the dependency closure lacks them: the chain is "
    "reported on the module. On odoo.sh they must also be listed in the "
    "repository's requirements.txt.",
    bad="'external_dependencies': {'python': ['not_installed_lib'], 'bin': ['not_on_path']}\n"
    "# or in the manifest of a module of the 'depends' closure",
    good="'external_dependencies': {'python': ['requests']}",
    remedy="Install the package in the server's environment (requirements.txt).",
    prevents='Unable to install module "X" because an external dependency is not met',
)
def check_external_python(ctx):
    line = ctx.index.manifest_key_line("external_dependencies")
    for problem, requirement in _external_problems(ctx.facts, ctx.index.manifest):
        yield Issue(ctx.module.manifest_file, line, f"{problem}.", key=requirement)
    # Modules already installed had their external dependencies met; Odoo checks
    # those of the modules it is about to install.
    states = ctx.facts.module_states() if hasattr(ctx.facts, "module_states") else {}
    manifest_line = ctx.index.manifest_key_line("depends")
    for dep, chain in dependency_chains(ctx):
        source = ctx.facts.catalog.get(dep)
        if source is None or source.manifest is None or states.get(dep) == "installed":
            continue
        for problem, requirement in _external_problems(ctx.facts, source.manifest):
            yield Issue(ctx.module.manifest_file, manifest_line,
                        f"{problem}, which {dep!r} declares ({_chain(chain)}): Odoo refuses "
                        f"to install {chain[0]!r} too.", key=f"closure:{dep}:{requirement}")


def _external_problems(facts, manifest):
    """``(problem, requirement)`` of the external dependencies ``manifest`` declares."""
    value = manifest.get("external_dependencies", {}) if isinstance(manifest, dict) else {}
    if not isinstance(value, dict):
        return
    python = value.get("python", [])
    for requirement in python if isinstance(python, list | tuple) else []:
        if isinstance(requirement, str):
            problem = facts.probe("python", requirement)
            if problem:
                yield problem, requirement
    binaries = value.get("bin", [])
    for binary in binaries if isinstance(binaries, list | tuple) else []:
        if isinstance(binary, str) and binary and not facts.probe("bin", binary):
            yield f"Binary {binary!r} is not on the PATH", binary


@rule(
    "DEP002",
    title="No dependency cycle",
    category="dependency", level="static", severity="error", impact="install",
    rationale="Odoo orders modules by 'depends'. A module that depends on itself "
    "through other modules never has its dependencies met: it stays 'to install' "
    "and the loading ends in errors.",
    bad="a depends on b, b depends on a",
    good="a depends on b; the shared code moves to a module both depend on",
    remedy="Break the cycle: move what both need to a third module.",
    prevents="ERROR Some modules have inconsistent states, some dependencies may be "
    "missing / Recursion error in modules dependencies!",
)
def check_dependency_cycle(ctx):
    catalog = ctx.facts.catalog
    start = ctx.module.name
    # Breadth-first search over depends, remembering how each module was reached.
    came_from = {}
    queue = list(ctx.module.depends())
    for dep in queue:
        came_from.setdefault(dep, start)
    while queue:
        current = queue.pop(0)
        if current == start:
            path, node = [start], came_from[start]
            while node != start:
                path.append(node)
                node = came_from[node]
            path.append(start)
            yield Issue(ctx.module.manifest_file, ctx.index.manifest_key_line("depends"),
                        "Dependency cycle: " + " -> ".join(reversed(path)) + ".", key="cycle")
            return
        source = catalog.get(current)
        for dep in source.depends() if source else ():
            if dep not in came_from:
                came_from[dep] = current
                queue.append(dep)


@rule(
    "DEP005",
    title="Python code references modules and models of the closure",
    category="dependency", level="static", severity="error", impact="install",
    rationale="'from odoo.addons.x import ...' needs x on the addons path: otherwise "
    "the import raises when Odoo imports the module (ImportError, the install "
    "aborts), or when the function holding it runs. If x is on the path but is not "
    "a (transitive) dependency, the import works, but x may be absent where the "
    "module is deployed and its models are not loaded before this module's. "
    "self.env['a.b'] on a model that no module of the closure defines raises "
    "KeyError at run time on a database where the model's module is not installed.",
    bad="'depends': ['base']\nfrom odoo.addons.sale.models.sale_order import SaleOrder\n"
    "orders = self.env['sale.order'].search([])",
    good="'depends': ['sale']   # or test first: if 'sale.order' in self.env: ...",
    remedy="Add the module to 'depends', or guard optional code with try/except "
    "ImportError and \"if 'a.b' in self.env\".",
    prevents="ImportError: No module named 'odoo.addons.x' / KeyError: 'a.b'",
)
def check_python_references(ctx):
    module = ctx.module.name
    scope = set(ctx.facts.scope(module))
    catalog = ctx.facts.catalog
    checked = set()
    for summary in ctx.index.python.values():
        checked |= summary.env_checked
    models_known = (ctx.facts.closure_models_complete(module)
                    and ctx.facts.closure_python_models(module).all_named)
    models = ctx.facts.closure_models(module) if models_known else set()
    for relative, summary in ctx.index.python.items():
        if is_test_or_migration(relative):
            continue
        for addon, line, at_import, guarded in summary.addon_imports:
            # web is a server-wide module: always loaded, whatever the dependencies.
            if addon in scope or addon == "web" or guarded:
                continue
            if addon not in catalog:
                when = "when Odoo imports the module" if at_import else "when this code runs"
                yield Issue(relative, line, f"odoo.addons.{addon} is not on the addons path: "
                            f"the import fails {when}.",
                            severity=None if at_import else "warning",
                            impact=None if at_import else "runtime", key=f"import:{addon}")
            else:
                yield Issue(relative, line, f"odoo.addons.{addon} is imported but {addon!r} is "
                            "not in the dependencies; add it to 'depends'.",
                            severity="warning", impact="runtime", key=f"import:{addon}")
        if not models_known:
            continue
        for model, line, guarded in summary.env_models:
            if model in models or model in checked or guarded or "." not in model:
                continue
            yield Issue(relative, line, f"env[{model!r}]: no module of the closure defines "
                        "that model (KeyError where its module is not installed).",
                        severity="warning", impact="runtime", key=f"env:{model}")
