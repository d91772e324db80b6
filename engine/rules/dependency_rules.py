# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Dependency rules (DEP, MAN009): what the module needs must exist where it is deployed."""

from ..index import is_test_or_migration
from .registry import Issue, rule


@rule(
    "DEP001",
    title="Declared dependencies are available and installable",
    category="dependency", level="static", severity="error",
    rationale="Every 'depends' entry must be a module on the addons path with a "
    "manifest that Odoo can use and 'installable' not False. A missing Enterprise "
    "or OCA submodule is the classic cause of red odoo.sh builds.",
    bad="'depends': ['sale', 'sale_extra_from_a_missing_submodule']",
    good="'depends': ['sale']   # and every other module on the addons path",
    remedy="Add the missing repository to the addons path (submodule, "
    "requirements), or remove the dependency.",
    prevents="You try to install module X that depends on module Y. But the "
    "latter module is not available in your system.",
)
def check_depends_available(ctx):
    line = ctx.index.manifest_key_line("depends")
    for dep in ctx.module.depends():
        why = ctx.facts.catalog.unavailable_reason(dep)
        if why:
            yield Issue(ctx.module.manifest_file, line, f"Dependency {dep!r} {why}.", key=dep)


@rule(
    "MAN009",
    title="External Python dependencies are installed",
    category="dependency", level="dynamic", severity="error",
    rationale="Odoo refuses to install a module whose external_dependencies "
    "are not importable in the server's interpreter. On odoo.sh they must also be "
    "listed in the repository's requirements.txt.",
    bad="'external_dependencies': {'python': ['not_installed_lib']}",
    good="'external_dependencies': {'python': ['requests']}",
    remedy="Install the package in the server's environment (requirements.txt).",
    prevents='Unable to install module "X" because an external dependency is not met',
)
def check_external_python(ctx):
    value = ctx.index.manifest.get("external_dependencies", {})
    requirements = value.get("python", []) if isinstance(value, dict) else []
    line = ctx.index.manifest_key_line("external_dependencies")
    for requirement in requirements if isinstance(requirements, list | tuple) else []:
        if not isinstance(requirement, str):
            continue
        problem = ctx.facts.python_distribution_problem(requirement)
        if problem:
            yield Issue(ctx.module.manifest_file, line, f"{problem}.", key=requirement)


@rule(
    "DEP002",
    title="No dependency cycle",
    category="dependency", level="static", severity="error",
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
    category="dependency", level="static", severity="error",
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
                            severity=None if at_import else "warning", key=f"import:{addon}")
            else:
                yield Issue(relative, line, f"odoo.addons.{addon} is imported but {addon!r} is "
                            "not in the dependencies; add it to 'depends'.",
                            severity="warning", key=f"import:{addon}")
        if not models_known:
            continue
        for model, line, guarded in summary.env_models:
            if model in models or model in checked or guarded or "." not in model:
                continue
            yield Issue(relative, line, f"env[{model!r}]: no module of the closure defines "
                        "that model (KeyError where its module is not installed).",
                        severity="warning", key=f"env:{model}")
