# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Validating for another Odoo series than the running one (a porting rehearsal).

Every entry point that offers a target series (``odoo-bin validate
--target-series``, the wizard, and the queue that works off its background
runs) asks here which series can be targeted and gets its rehearsal here, so
the ported copies are made and removed the same way everywhere. The static
rules of the target series need nothing but the series itself
(``StaticFacts(series=...)``); the bulletproof level needs an Odoo of that
series on this machine (engine/rehearsal/porting.py says where it is looked for).
"""

import logging
import shutil

from ..engine import compat
from ..engine.rehearsal import porting
from ..engine.rehearsal.rehearse import Rehearsal

_logger = logging.getLogger(__name__)

TargetNotFound = porting.TargetNotFound


def other_series(series):
    """``series`` when it names a series other than the running one, else ""."""
    return series if series and series != compat.series() else ""


def rehearsable_series():
    """The later series whose Odoo is on this machine, so a port to them can be rehearsed."""
    found = []
    for series in compat.SERIES:
        if int(series.split(".")[0]) <= compat.major():
            continue
        try:
            porting.find_target(series)
        except TargetNotFound:
            continue
        found.append(series)
    return found


def target_problem(series, level):
    """Why ``level`` cannot validate for the other series ``series`` here, or None."""
    if not other_series(series):
        return None
    if level == "dynamic":
        return (f"The dynamic level reads this server's Odoo {compat.series()} registry and database; "
                f"to validate for Odoo {series}, use the static level (its rules) or the "
                "bulletproof level (installs on an Odoo of that series).")
    if level == "bulletproof":
        try:
            porting.find_target(series)
        except TargetNotFound as error:
            return str(error)
    return None


def porting_rehearsal(launcher, catalog, modules, request):
    """``(rehearse, cleanup)`` for the bulletproof level of ``request`` on its
    target series: installs of ported copies of ``modules`` and of their
    dependencies outside Odoo (found in ``catalog``; made now, removed by
    ``cleanup()``) with the Odoo of that series and ``launcher``'s database
    server and sandbox. Raises TargetNotFound when that Odoo is not here."""
    target = porting.find_target(request.target_series)
    _logger.info("rehearsing installs on Odoo %s from %s", target.series, target.source)
    ported, folder = porting.ported_catalog(modules, target, catalog)
    rehearsal = Rehearsal(porting.porting_launcher(launcher, target, folder), ported,
                          with_tests=request.with_tests)

    def rehearse(module):
        return rehearsal.module_issues(ported.get(module.name) or module)

    return rehearse, lambda: shutil.rmtree(folder, ignore_errors=True)
