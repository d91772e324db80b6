# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The application service that runs a validation, for every entry point.

The wizard, profiles and their scheduled actions, the queue, ``odoo-bin
validate`` with and without a database and the test gate all describe what
to validate as a :class:`ValidationRequest` and run it here, so module
selection, rule selection, time budgets and waivers mean the same everywhere.
Storing the report is the caller's business (the run model stores it; the
CLI without a database only renders it). Nothing here imports Odoo's ORM.
"""

import os
import time
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..engine import discovery
from ..engine.rehearsal.rehearse import rehearse_parallelism
from ..engine.rules import RULES
from ..engine.runner import validate
from ..engine.waivers import apply_waivers


@dataclass
class ValidationRequest:
    """What to validate and how; the four selections add up."""

    names: tuple = ()
    all_custom: bool = False
    installed_custom: bool = False  # installed modules that are not part of Odoo
    pattern: str = ""  # a glob over technical names, e.g. "acme_*"
    folder: str = ""  # every module in this addons folder
    level: str = "static"
    fail_on: str = "error"
    extra_paths: tuple = ()
    with_tests: bool = False
    rule_codes: frozenset | None = None  # None: every active rule
    time_budget_s: float | None = None
    target_series: str = ""  # another Odoo series to validate for (service/porting.py)

    def __post_init__(self):
        self.names = tuple(n.strip() for n in self.names if n and n.strip())
        self.extra_paths = tuple(p for p in self.extra_paths if p)
        if self.folder and self.folder not in self.extra_paths:
            self.extra_paths = (*self.extra_paths, self.folder)

    def scope_label(self):
        parts = [", ".join(self.names)] if self.names else []
        if self.pattern:
            parts.append(f"modules matching {self.pattern}")
        if self.folder:
            parts.append(f"modules in {self.folder}")
        if self.all_custom:
            parts.append("all non-Odoo modules")
        elif self.installed_custom:
            parts.append("installed non-Odoo modules")
        return " + ".join(parts)


def build_catalog(extra_paths=(), installed=()):
    """Every module on this server's addons path and ``extra_paths``."""
    addons_paths, core_paths = discovery.odoo_paths()
    return discovery.discover([*extra_paths, *addons_paths], core_paths=core_paths, installed=installed)


def select_modules(catalog, request):
    """``(modules, problem)``: what ``request`` selects, or why it selects nothing valid."""
    names = list(request.names)
    if request.installed_custom:
        names += [name for name, module in catalog.modules.items() if module.installed and not module.odoo_core]
    if request.pattern:
        names += [name for name in catalog.modules if fnmatchcase(name, request.pattern)]
    if request.folder:
        folder = os.path.realpath(request.folder)
        names += [
            name for name, module in catalog.modules.items()
            if os.path.dirname(os.path.realpath(module.path)) == folder
        ]
    modules, unknown = discovery.select(catalog, names, all_custom=request.all_custom)
    if unknown:
        return modules, f"Modules not found on the addons path: {', '.join(unknown)}"
    if not modules and (request.pattern or request.folder):
        return modules, f"No module matches the selection: {request.scope_label()}"
    return modules, None


def engine_settings(request, settings):
    """Users' rule tuning, narrowed to the request's subset of rules."""
    settings = dict(settings or {})
    if request.rule_codes is None:
        return settings
    for code in set(RULES) | set(settings):
        if code not in request.rule_codes:
            settings[code] = (False, settings.get(code, (True, None))[1] or RULES[code].severity)
    return settings


def execute(request, modules, facts, *, version, settings=None, rehearse=None, started=None,
            waivers=(), **engine_options):
    """Validate ``modules`` as ``request`` says; returns the engine's RunReport.

    ``waivers`` (engine Waivers in force) mark the findings they accept.
    ``started`` (a ``time.monotonic()`` value) is when the time budget began,
    for runs whose modules are validated over several calls. ``parallel``
    (in ``engine_options``): the database's setting for rehearsals at once.
    """
    deadline = None
    if request.time_budget_s:
        deadline = (started if started is not None else time.monotonic()) + request.time_budget_s
    report = validate(
        modules, facts, request.level, version=version, fail_on=request.fail_on,
        settings=engine_settings(request, settings), rehearse=rehearse,
        parallel=rehearse_parallelism(engine_options.pop("parallel", None)), deadline=deadline,
        **engine_options,
    )
    return apply_waivers(report, waivers)
