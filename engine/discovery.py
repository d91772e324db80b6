# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 1: which modules exist, where, with which manifest, and their closure."""

import ast
import os
import re
from dataclasses import dataclass, field

MANIFEST_NAMES = ("__manifest__.py", "__openerp__.py")
# A manifest is a small literal; anything bigger is not one and is not read.
MANIFEST_MAX_BYTES = 1024 * 1024
OBJECT_ADDRESS_RE = re.compile(r" object at 0x[0-9a-fA-F]+>")


@dataclass
class ManifestProblem:
    message: str
    line: int | None = None


@dataclass
class ModuleSource:
    """One module folder as found on disk; its manifest is read, never run."""

    name: str
    path: str
    manifest_file: str
    manifest: dict | None = None
    problem: ManifestProblem | None = None
    installed: bool = False
    odoo_core: bool = False

    @property
    def origin(self):
        return "installed" if self.installed else "addons_path"

    @property
    def version(self):
        value = (self.manifest or {}).get("version", "")
        return value if isinstance(value, str) else str(value)

    def depends(self):
        """Declared dependencies that are usable names; bad shapes are a rule's job."""
        value = (self.manifest or {}).get("depends", [])
        if not isinstance(value, list | tuple):
            return []
        return [dep for dep in value if isinstance(dep, str)]


def read_manifest(manifest_path):
    """Return ``(manifest, problem)``: the literal dict, or why it is not one."""
    try:
        if os.path.getsize(manifest_path) > MANIFEST_MAX_BYTES:
            return None, ManifestProblem("The manifest is larger than 1 MiB.")
        with open(manifest_path, "rb") as handle:
            raw = handle.read()
        source = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, ManifestProblem(f"The manifest is not UTF-8 text: {error.reason}.")
    except OSError as error:
        return None, ManifestProblem(f"The manifest cannot be read: {error.strerror}.")
    try:
        manifest = ast.literal_eval(source)
    except SyntaxError as error:
        return None, ManifestProblem(
            f"The manifest is not valid Python: {error.msg}.", error.lineno
        )
    except (ValueError, TypeError, MemoryError, RecursionError) as error:
        # "<ast.Call object at 0x7f...>": the address changes from run to run.
        reason = OBJECT_ADDRESS_RE.sub(">", str(error)[:200])
        return None, ManifestProblem(
            f"The manifest is not a Python literal (Odoo reads it with ast.literal_eval): {reason}."
        )
    if not isinstance(manifest, dict):
        return None, ManifestProblem(
            f"The manifest is a {type(manifest).__name__}, not a dict."
        )
    return manifest, None


def find_manifest(folder):
    for name in MANIFEST_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


@dataclass
class Catalog:
    """Every module reachable from the addons paths; the first path wins, as in Odoo."""

    modules: dict = field(default_factory=dict)
    shadowed: dict = field(default_factory=dict)

    def get(self, name):
        return self.modules.get(name)

    def __contains__(self, name):
        return name in self.modules

    def unavailable_reason(self, name):
        """Why Odoo could not load ``name`` from these addons paths, or None."""
        source = self.modules.get(name)
        if source is None:
            return "is not on the addons path"
        if source.manifest is None:
            return "has an unreadable manifest"
        if source.manifest.get("installable", True) is False:
            return "is not installable"
        return None

    def closure(self, name):
        """The module's transitive ``depends`` in load order, itself excluded.

        Cycle-safe and tolerant of unknown names (they are left out: a rule
        reports them). Order is a depth-first post-order, so every module comes
        after the modules it depends on, as on a fresh database.
        """
        order, seen = [], {name}
        stack = [(name, iter(self._depends(name)))]
        while stack:
            current, pending = stack[-1]
            for dep in pending:
                if dep not in seen and dep in self.modules:
                    seen.add(dep)
                    stack.append((dep, iter(self._depends(dep))))
                    break
            else:
                stack.pop()
                if current != name:
                    order.append(current)
        return order

    def _depends(self, name):
        source = self.modules.get(name)
        return source.depends() if source else []


def discover(addons_paths, core_paths=(), installed=()):
    """Scan addons folders for module folders, without importing anything."""
    catalog = Catalog()
    core_paths = {os.path.realpath(path) for path in core_paths}
    installed = set(installed)
    for addons_path in addons_paths:
        real_path = os.path.realpath(addons_path)
        try:
            entries = sorted(os.listdir(real_path))
        except OSError:
            continue
        for entry in entries:
            folder = os.path.join(real_path, entry)
            manifest_file = os.path.isdir(folder) and find_manifest(folder)
            if not manifest_file:
                continue
            if entry in catalog.modules:
                catalog.shadowed.setdefault(entry, []).append(folder)
                continue
            manifest, problem = read_manifest(manifest_file)
            catalog.modules[entry] = ModuleSource(
                name=entry,
                path=folder,
                manifest_file=os.path.basename(manifest_file),
                manifest=manifest,
                problem=problem,
                installed=entry in installed,
                odoo_core=real_path in core_paths,
            )
    return catalog


def odoo_paths():
    """``(addons paths, Odoo's own addons folders)`` of the running Odoo process."""
    import odoo.addons
    from odoo.modules.module import initialize_sys_path

    from . import compat

    initialize_sys_path()
    root = compat.odoo_root_path()
    core = [os.path.join(root, "addons"), os.path.join(os.path.dirname(root), "addons")]
    return list(odoo.addons.__path__), core


def select(catalog, names=(), all_custom=False):
    """Modules to validate: the named ones and/or every non-Odoo module.

    Returns ``(modules, unknown names)``.
    """
    chosen, unknown = {}, []
    for name in names:
        if name in catalog.modules:
            chosen[name] = catalog.modules[name]
        else:
            unknown.append(name)
    if all_custom:
        for name, source in catalog.modules.items():
            if not source.odoo_core:
                chosen.setdefault(name, source)
    return [chosen[name] for name in sorted(chosen)], unknown
