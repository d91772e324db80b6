# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Porting rehearsal: install modules of this server on another Odoo series.

``odoo-bin validate --target-series 19.0 --level bulletproof`` on an 18.0
server rehearses the installs with a 19.0 Odoo: its source tree and a Python
that runs it. They are found in this order:

* ``ODOO_VALIDATION_TARGET_SRC`` (the source tree) and
  ``ODOO_VALIDATION_TARGET_PYTHON`` (default: the Python of a venv of the
  per-user cache that points at that tree);
* the per-user cache that ``dev/run --series 19.0`` fills
  (``~/.cache/module_validator/odoo-19.0`` and its ``venv-*``).

The modules are copied first, with a version that names the old series made
series-less (``18.0.1.2.0`` becomes ``1.2.0``, which Odoo prefixes with the
series it runs), so that the rehearsal shows what else must change.
"""

import dataclasses
import glob
import os
import re
import shutil
import tempfile

from ..discovery import discover, find_manifest
from .rehearse import holds_modules

SOURCE_VARIABLE = "ODOO_VALIDATION_TARGET_SRC"
PYTHON_VARIABLE = "ODOO_VALIDATION_TARGET_PYTHON"
VERSION_INFO_RE = re.compile(r"^version_info = \((\d+), *(\d+)", re.MULTILINE)
SERIES_VERSION_RE = re.compile(r"""((['"])version\2\s*:\s*(['"]))\d+\.\d+\.(\d+\.\d+(?:\.\d+)?\3)""")


class TargetNotFound(Exception):
    """No Odoo of the target series to rehearse with; the message says what to set."""


@dataclasses.dataclass(frozen=True)
class TargetOdoo:
    series: str
    source: str  # the folder that holds odoo-bin and the odoo package
    python: str

    @property
    def core_paths(self):
        """Odoo's own addons folders: odoo/addons, plus addons/ when it holds modules
        (a git checkout of 18.0; 19.0 keeps an empty one, which odoo-bin refuses)."""
        return [path for path in (os.path.join(self.source, "odoo", "addons"),
                                  os.path.join(self.source, "addons")) if holds_modules(path)]

    @property
    def version(self):
        return f"{self.series} ({self.source})"


def series_of(source):
    """The series ("19.0") of the Odoo source tree ``source``, or None."""
    try:
        with open(os.path.join(source, "odoo", "release.py"), encoding="utf-8") as handle:
            match = VERSION_INFO_RE.search(handle.read())
    except OSError:
        return None
    return f"{match.group(1)}.{match.group(2)}" if match else None


def _cache_root():
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                        "module_validator")


def _python_for(source):
    """The Python of a venv whose path files name ``source``: the per-user
    cache's, or one beside the tree (the cache that holds it)."""
    real = os.path.realpath(source)
    roots = dict.fromkeys([_cache_root(), os.path.dirname(real)])
    for pth in sorted(path for root in roots for path in glob.glob(
            os.path.join(root, "venv-*", "lib", "python*", "site-packages", "*.pth"))):
        try:
            with open(pth, encoding="utf-8") as handle:
                lines = {os.path.realpath(line.strip()) for line in handle if line.strip()}
        except OSError:
            continue
        if real in lines:
            venv = pth.split(os.sep + "lib" + os.sep)[0]
            return os.path.join(venv, "bin", "python")
    return None


def find_target(series):
    """The Odoo of ``series`` to rehearse with, or TargetNotFound."""
    source = os.environ.get(SOURCE_VARIABLE) or os.path.join(_cache_root(), f"odoo-{series}")
    found = series_of(source)
    if found != series:
        raise TargetNotFound(
            f"rehearsing installs on Odoo {series} needs its source tree: set {SOURCE_VARIABLE} "
            f"(and {PYTHON_VARIABLE}), or run dev/run --series {series} once to fill "
            f"{os.path.join(_cache_root(), f'odoo-{series}')}"
            + (f" ({source} holds Odoo {found})" if found else ""))
    python = os.environ.get(PYTHON_VARIABLE) or _python_for(source)
    if not python or not os.access(python, os.X_OK):
        raise TargetNotFound(f"no Python for the Odoo {series} at {source}: set {PYTHON_VARIABLE} "
                             "to an interpreter with its requirements")
    return TargetOdoo(series, os.path.realpath(source), python)


def ported_copy(modules, folder=None):
    """Copy ``modules`` (ModuleSource) into one folder, each manifest's series
    prefix dropped from its version; returns the folder."""
    folder = folder or tempfile.mkdtemp(prefix="mv_porting_")
    for module in modules:
        target = os.path.join(folder, module.name)
        shutil.copytree(module.path, target, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".git"))
        manifest = find_manifest(target)
        if manifest:
            with open(manifest, encoding="utf-8") as handle:
                text = handle.read()
            with open(manifest, "w", encoding="utf-8") as handle:
                handle.write(SERIES_VERSION_RE.sub(r"\1\4", text, count=1))
    return folder


def porting_launcher(launcher, target, ported_folder):
    """``launcher`` (this server's) made to run the target Odoo on the ported copies."""
    addons = [ported_folder, *target.core_paths]
    env = dict(launcher.env if launcher.env is not None else os.environ, PYTHONPATH=target.source)
    return dataclasses.replace(
        launcher, command=[target.python, os.path.join(target.source, "odoo-bin")],
        addons_path=",".join(addons), odoo_version=target.version, env=env, series=target.series)


def modules_to_port(modules, catalog):
    """``modules`` and the modules of their closures that are not part of Odoo, in
    ``catalog``: what a project ports together. Odoo's own modules come from the
    target's tree (a module 19.0 dropped is then missing there, as it would be)."""
    selected = {module.name: module for module in modules}
    for module in modules:
        for name in catalog.closure(module.name):
            dependency = catalog.get(name)
            if dependency is not None and not dependency.odoo_core:
                selected.setdefault(name, dependency)
    return list(selected.values())


def ported_catalog(modules, target, catalog):
    """``(catalog, folder)``: ported copies of ``modules`` and of the modules they
    depend on outside Odoo (``catalog``: where they are found here), alone in one
    folder beside the target's own addons. Nothing else of this server's addons
    path is on the target's: one module there that the target refuses to even
    list (a manifest 19.0 asserts on) would fail every install."""
    folder = ported_copy(modules_to_port(modules, catalog))
    return discover([folder, *target.core_paths], core_paths=target.core_paths), folder
