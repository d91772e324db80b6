# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Static validation spread over processes, each file parsed once.

Two passes over a pool of forked workers:

1. every Python file the run needs is summarized into the parse cache, one
   module per task, the most depended-upon first, so no two workers parse the
   same file; the module's result-cache stamp is taken then too, and shipped
   to every worker for pass 2 (each would otherwise stat the files of nearly
   every module);
2. the sorted names are cut in one contiguous region per worker (the l10n_*
   and website_* families share their closures and stay together), and each
   worker validates its region from the front, keeping what it read for the
   next module; a worker whose region is done takes modules from the back of
   the region with the most left, so the workers end together. Each worker
   stores the results it made in the result cache itself (stamping a
   module's closure costs a stat per file: spread over the workers too).

Only the static level runs here: it reads files and nothing else, so a fork
shares nothing a child could break. Callers inside a server (threads,
database connections) validate in their own process instead.
"""

import gc
import multiprocessing
import tempfile

from .facts import StaticFacts
from .parse_cache import ParseCache

# Set in the parent before the fork; each child builds its facts from it once.
_STATE = {}


def can_fork():
    return "fork" in multiprocessing.get_all_start_methods()


def _worker_facts():
    if "facts" not in _STATE:
        # A worker lives for one run and builds millions of small objects it keeps:
        # each collection would rescan them, for almost nothing to free (summaries,
        # trees and records hold no reference cycles). Without the collector the
        # run takes 10 to 20 % less CPU and about 20 MiB more per worker, all
        # returned when the worker exits at the end of the run.
        gc.disable()
        _STATE["facts"] = StaticFacts(_STATE["catalog"], ParseCache(_STATE["cache_directory"]),
                                      _STATE["series"])
    return _STATE["facts"]


def _summarize(name):
    """Fill the parse cache with the module's summaries; ``(name, its stamp or None)``."""
    facts = _worker_facts()
    facts.index(name).python  # noqa: B018 - fills the parse cache
    cache = _STATE["result_cache"]
    return name, (cache.stamp_entry(name) if cache is not None else None)


def _validate_region(task):
    """Validate the modules of region ``task[0]``, then those other workers have not
    reached; ``task[1]`` holds the stamps pass 1 took."""
    from .runner import validate_module  # noqa: PLC0415 - runner imports this module

    region, stamps = task
    facts = _worker_facts()
    cache = _STATE["result_cache"]
    if cache is not None:
        cache.add_stamps(stamps)
    names = _STATE["names"]
    done = []
    while (at := _next_module(region)) is not None:
        name = names[at]
        facts.touched, facts.probes = set(), {}
        module = facts.catalog.get(name)
        report = validate_module(module, facts, _STATE["rules"], limits=_STATE["rule_limits"])
        if cache is not None:
            cache.store(module, report, facts.touched, facts.probes)
        done.append(report)
    return done


def _next_module(region):
    """Index of the next name to validate: the front of ``region``, else the back of the
    region with the most left; None when all are taken. ``bounds`` holds each region's
    [next, end) pair, shared by the workers."""
    bounds = _STATE["bounds"]
    with bounds.get_lock():
        start, end = bounds[2 * region], bounds[2 * region + 1]
        if start < end:
            bounds[2 * region] = start + 1
            return start
        left = [(bounds[2 * other + 1] - bounds[2 * other], other) for other in range(len(bounds) // 2)]
        most, other = max(left)
        if most <= 0:
            return None
        bounds[2 * other + 1] -= 1
        return bounds[2 * other + 1]


def regions(count, jobs):
    """``[start, end, start, end...]``: ``count`` names cut in ``jobs`` contiguous regions."""
    cuts = [count * part // jobs for part in range(jobs + 1)]
    return [bound for part in range(jobs) for bound in (cuts[part], cuts[part + 1])]


def dependents_count(facts, names):
    """``{module: how many of ``names`` need it}``: a free proxy of a module's size.

    Big modules (base, web, mail, account...) are the ones most others depend on;
    parsing them first keeps a large one from being the last task of the pass.
    """
    counts = {}
    for name in names:
        for dep in facts.scope(name):
            counts[dep] = counts.get(dep, 0) + 1
    return counts


def validate_in_processes(modules, facts, rules, jobs, cache_directory=None, rule_limits=None,
                          result_cache=None):
    """The ModuleReports of ``modules``, in their order, using ``jobs`` processes;
    each report is also kept in ``result_cache`` (result_cache.ResultCache) when given."""
    names = [module.name for module in modules]
    needed = sorted({dep for name in names for dep in facts.scope(name)})
    catalog = facts.catalog
    needed = [name for name in needed if catalog.get(name) is not None]
    weight = dependents_count(facts, names)
    needed.sort(key=lambda name: weight.get(name, 0), reverse=True)
    ordered = sorted(names)
    context = multiprocessing.get_context("fork")
    _STATE.clear()
    # Without a cache of the caller's, the passes still share their parses for this run.
    scratch = tempfile.TemporaryDirectory(prefix="mv-parse-") if cache_directory is None else None
    _STATE.update(catalog=catalog, rules=rules, rule_limits=rule_limits, series=facts.series,
                  cache_directory=scratch.name if scratch else cache_directory,
                  result_cache=result_cache, names=ordered,
                  bounds=context.Array("l", regions(len(ordered), jobs)))
    try:
        with context.Pool(jobs) as pool:
            stamps = {name: stamp for name, stamp in pool.imap_unordered(_summarize, needed)
                      if stamp is not None}
            tasks = [(region, stamps) for region in range(jobs)]
            results = {report.name: report
                       for part in pool.imap_unordered(_validate_region, tasks) for report in part}
    finally:
        _STATE.clear()
        if scratch is not None:
            scratch.cleanup()
    return [results[name] for name in names]
