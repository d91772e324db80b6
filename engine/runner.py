# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Runs the rules of a level over modules; one rule's crash never stops a run."""

import logging
import os
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

from . import rule_guard, secret_mask
from .parallel import can_fork, validate_in_processes
from .result_cache import ResultCache
from .results import Finding, ModuleReport, RunReport, fingerprint
from .rules import RULES
from .rules.registry import BUDGET_EXHAUSTED, INTERNAL_ERROR, LEVELS, Issue, finding_impact

_logger = logging.getLogger(__name__)
PARALLEL_FROM = 8  # modules to validate, at least, before they are spread over processes


class ModuleContext:
    """What a rule's check sees: the module, its parsed files and the facts."""

    def __init__(self, module, facts):
        self.module = module
        self.facts = facts
        self.index = facts.index(module.name)

    @cached_property
    def secrets(self):
        """Secret values of the module's files and of the server, masked in its findings."""
        return secret_mask.module_secrets(self.module.path) | secret_mask.server_secrets()


def active_rules(level, settings=None, extra_rules=(), series=None):
    """Rules that run at ``level``, with each one's effective severity.

    ``series`` (e.g. "19.0") keeps the rules that apply to that Odoo series;
    None keeps every rule.

    ``settings`` maps a rule code to ``(active, severity)`` as tuned by users.
    ``extra_rules`` are Rule-like objects not in RULES (custom rules), run
    after the engine's rules in code order.
    """
    settings = settings or {}
    selected = []
    engine_rules = [RULES[code] for code in sorted(RULES)]
    extra_rules = sorted((r for r in extra_rules if r.code not in RULES), key=lambda r: r.code)
    for rule in engine_rules + extra_rules:
        code = rule.code
        active, severity = settings.get(code, (True, rule.severity))
        if active and rule.runs_at(level) and (series is None or rule.applies_to(series)):
            selected.append((rule, severity))
    return selected


def validate_module(module, facts, rules, rehearsal_issues=(), limits=None):
    """Run ``rules`` on one module; ``rehearsal_issues`` are ``(code, Issue)``
    pairs from the bulletproof level, reported under their own rule codes.
    Each rule runs under ``limits`` (rule_guard.RuleLimits, default limits)."""
    limits = limits or rule_guard.RuleLimits()
    started = time.perf_counter()
    report = ModuleReport(module.name, module.path, module.origin, _printable(module.version))
    ctx = ModuleContext(module, facts)
    # A module with an unreadable manifest has nothing else to check reliably.
    if module.manifest is None:
        rules = [(rule, severity) for rule, severity in rules if rule.code == "MAN001"]
    demo_paths = _demo_paths(ctx)
    with RuleTransaction(facts) as transaction:
        for rule, severity in rules:
            _run_rule(report, ctx, rule, severity, rehearsal_issues, demo_paths, transaction, limits)
    report.findings.sort(key=lambda f: (f.path, f.line or 0, f.rule, f.message))
    report.duration_s = time.perf_counter() - started
    return report


def _run_rule(report, ctx, rule, severity, rehearsal_issues, demo_paths, transaction, limits):
    """Add one rule's findings to ``report``; a crash, or a rule stopped by its
    time or memory limit, is the rule's MV001 finding."""
    module = ctx.module
    guard = rule_guard.guarded(limits)
    stopped = False
    try:
        with guard:
            issues = list(rule.check(ctx))
    except rule_guard.RuleStopped:
        stopped = True
        _logger.warning("rule %s stopped on module %s: it %s", rule.code, module.name, guard.watch.reason)
        issues = [Issue("", None, f"Rule {rule.code} was stopped: it {guard.watch.reason}; "
                        "the other rules ran.", key=f"{rule.code}:stopped")]
        rule, severity = RULES[INTERNAL_ERROR], RULES[INTERNAL_ERROR].severity
    except Exception as error:  # noqa: BLE001 - reported as a finding, run goes on
        # The traceback may quote the module's values (ValueError: ... 'hunter2'): masked.
        _logger.warning("rule %s crashed on module %s:\n%s", rule.code, module.name,
                        secret_mask.mask(traceback.format_exc(), ctx.secrets))
        where = traceback.extract_tb(error.__traceback__)[-1]
        issues = [_internal_issue(rule, error, where)]
        rule, severity = RULES[INTERNAL_ERROR], RULES[INTERNAL_ERROR].severity
    finally:
        # A stopped rule may have been cut off between two writes to the
        # environment's caches: they are dropped even if the transaction is sound.
        transaction.after_rule(force=stopped)
    if rule.level == "bulletproof":
        issues = [issue for code, issue in rehearsal_issues if code == rule.code]
    for issue in issues:
        # No secret of the module's files or of the server is stored verbatim (secret_mask.py).
        known = ctx.secrets
        report.findings.append(Finding(
            rule=rule.code,
            severity=issue.severity if issue.severity and rule.severity == severity else severity,
            module=module.name,
            path=_printable(issue.path or ""),
            line=issue.line if isinstance(issue.line, int) and issue.line > 0 else None,
            message=_printable(secret_mask.mask(issue.message, known)),
            fingerprint=fingerprint(rule.code, module.name, issue.path or "",
                                    secret_mask.mask(issue.key or issue.message, known)),
            impact=finding_impact(rule, issue, demo_paths),
            excerpt=_printable(secret_mask.mask(issue.excerpt, known)),
        ))


def _printable(text):
    """``text`` with NUL characters spelt out: PostgreSQL refuses them in text
    columns, and a module's file names and values may hold them."""
    return text.replace("\0", "\\x00") if isinstance(text, str) and "\0" in text else text


class RuleTransaction:
    """Each rule of a dynamic run starts in a healthy transaction.

    A rule whose query fails (the registry names a column the table does not
    have yet, after new code was deployed but before ``-u``) leaves PostgreSQL's
    transaction aborted: every later query of every later rule, and storing
    the run, would fail too. So a savepoint is taken before a module's rules
    run, and after each rule that leaves the transaction aborted (crashed or
    not), the transaction is rolled back to it and the environment's caches
    are dropped. Rules only read, so rolling back to the savepoint taken
    before the first rule is the same as rolling back to one taken before
    the failing rule, for two queries per module instead of two per rule.
    Static facts have no cursor: nothing to do.
    """

    NAME = "module_validator_rules"

    def __init__(self, facts):
        env = getattr(facts, "env", None) if facts.level != "static" else None
        self.env = env
        self.cr = env.cr if env is not None else None

    def _execute(self, statement):
        from odoo.tools import SQL  # noqa: PLC0415 - only a dynamic run has a cursor

        self.cr.execute(SQL(statement, SQL.identifier(self.NAME)))

    def __enter__(self):
        if self.cr is not None:
            # What the ORM has pending is written first: a rollback must not drop it.
            self.env.flush_all()
            self._execute("SAVEPOINT %s")
        return self

    def after_rule(self, force=False):
        """Undo what a rule left broken; True when it had aborted the transaction
        (or ``force``: the rule was stopped midway)."""
        if self.cr is None or not (force or _aborted(self.cr)):
            return False
        self._execute("ROLLBACK TO SAVEPOINT %s")
        # Values the failed rule fetched, or marked as fetched, are not to be trusted.
        self.env.invalidate_all(flush=False)
        return True

    def __exit__(self, exc_type, exc, tb):
        if self.cr is not None:
            self.after_rule()
            self._execute("RELEASE SAVEPOINT %s")
        return False


def _aborted(cr):
    """True when PostgreSQL refuses every query until a rollback (a query failed)."""
    from psycopg2.extensions import TRANSACTION_STATUS_INERROR  # noqa: PLC0415

    return cr.connection.info.transaction_status == TRANSACTION_STATUS_INERROR


def _demo_paths(ctx):
    """Files the module loads only as demo data (where Odoo never refuses the install)."""
    if ctx.module.manifest is None:
        return frozenset()
    kinds = {}
    for key, relative in ctx.index.loaded_files():
        kinds.setdefault(relative, set()).add(key)
    return frozenset(relative for relative, keys in kinds.items() if keys == {"demo"})


def worker_lost(name, module, attempts):
    """The report of a module whose workers stopped ``attempts`` times before
    storing it (killed, out of memory, past the server's time limit):
    an internal error (MV001), so the rest of the run completes."""
    if module is None:
        report = ModuleReport(name, "", "", "")
    else:
        report = ModuleReport(module.name, module.path, module.origin, module.version)
    message = (f"Not validated: the worker validating this module stopped {attempts} times "
               "before it could store a result (killed, out of memory, or past the server's "
               "time limit); the other modules of the run were validated.")
    report.findings.append(Finding(
        rule=INTERNAL_ERROR, severity=RULES[INTERNAL_ERROR].severity, module=name,
        path="", line=None, message=message,
        fingerprint=fingerprint(INTERNAL_ERROR, name, "", "worker-lost"),
        impact=RULES[INTERNAL_ERROR].impact,
    ))
    return report


def budget_exhausted(module):
    """The report of a module left unvalidated when the time budget ran out."""
    report = ModuleReport(module.name, module.path, module.origin, module.version)
    message = "Not validated: the time budget ran out before this module's turn."
    report.findings.append(Finding(
        rule=BUDGET_EXHAUSTED, severity=RULES[BUDGET_EXHAUSTED].severity, module=module.name,
        path="", line=None, message=message,
        fingerprint=fingerprint(BUDGET_EXHAUSTED, module.name, "", "budget"),
        impact=RULES[BUDGET_EXHAUSTED].impact,
    ))
    return report


def _internal_issue(rule, error, where):
    # A custom rule's own failure (timeout, bad definition) says all there is
    # to say; the engine line it was raised from would only mislead.
    location = "" if getattr(error, "custom_rule", False) else f" (at {where.name}, line {where.lineno})"
    return Issue(
        "", None,
        f"Rule {rule.code} failed: {type(error).__name__}: {str(error)[:300]}"
        f"{location}; the other rules ran.",
        key=f"{rule.code}:{type(error).__name__}",
    )


def rehearse_all(modules, rehearse, parallel=None):
    """``{module name: [(code, Issue)]}``, rehearsing up to ``parallel`` modules at once.

    Each rehearsal is a subprocess on its own scratch database, so threads
    only wait; the default is one rehearsal per core.
    """
    parallel = max(1, parallel or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        results = pool.map(lambda module: (module.name, _safe_rehearse(rehearse, module)), modules)
        return dict(results)


def _safe_rehearse(rehearse, module):
    """``(issues, seconds)``; a module whose manifest is unreadable is not rehearsed
    (MAN001 already fails it and Odoo would only ignore it)."""
    started = time.perf_counter()
    if module.manifest is None:
        return [], 0.0
    try:
        issues = rehearse(module)
    except Exception as error:  # noqa: BLE001 - one module's crash is that module's finding
        _logger.warning("rehearsal of %s crashed:\n%s", module.name, secret_mask.mask(
            traceback.format_exc(), secret_mask.module_secrets(module.path) | secret_mask.server_secrets()))
        issues = [("TST001", Issue("", None, f"The rehearsal could not run: {type(error).__name__}: "
                                   f"{str(error)[:500]}", key="rehearsal-crash"))]
    return issues, time.perf_counter() - started


def validate(modules, facts, level, *, version, settings=None, fail_on="error",
             rehearse=None, parallel=None, deadline=None, extra_rules=(), cache_directory=None,
             jobs=1, rule_limits=None):
    """Validate ``modules`` (ModuleSource list) at ``level``; returns a RunReport.

    ``extra_rules`` are custom rules (engine/rules/custom_rules.py) run with the
    engine's rules.

    At the bulletproof level ``rehearse(module)`` returns the ``(code, Issue)``
    pairs of its real install and upgrade rehearsals. Modules whose turn comes
    after ``deadline`` (a ``time.monotonic()`` value) are reported unvalidated.

    With a ``cache_directory``, static results are reused while nothing they
    depend on has changed (result_cache.py). ``jobs`` > 1 validates the
    static level in that many forked processes (parallel.py): for command
    lines, never inside a server. ``rule_limits`` (rule_guard.RuleLimits)
    bound each rule's time and memory on each module.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if level == "bulletproof" and rehearse is None:
        raise ValueError("the bulletproof level needs a rehearsal")
    started = time.perf_counter()
    # Without a database (a bulletproof run from the CLI without -d) the
    # dynamic rules have nothing to read: they are skipped, not crashed.
    rules = [(rule, severity) for rule, severity in active_rules(level, settings, extra_rules, facts.series)
             if rule.level != "dynamic" or facts.level == "dynamic"]
    rehearsed = rehearse_all(modules, rehearse, parallel) if rehearse else {}
    report = RunReport(version=version, level=level, fail_on=fail_on, series=facts.series)
    static_only = level == "static" and facts.level == "static" and not extra_rules
    cache = ResultCache(facts, rules, cache_directory) if cache_directory and static_only else None
    done = {}
    if cache is not None:
        for module in modules:
            lookup_started = time.perf_counter()
            cached = cache.lookup(module)
            if cached is not None:
                cached.duration_s = time.perf_counter() - lookup_started
                done[module.name] = cached
    report.reused = len(done)
    pending = [module for module in modules if module.name not in done]
    # Forking and sharing parses costs about a second: worth it for many modules only.
    if static_only and deadline is None and jobs > 1 and len(pending) >= PARALLEL_FROM and can_fork():
        for module_report in validate_in_processes(
                pending, facts, rules, jobs, cache_directory, rule_limits, result_cache=cache):
            done[module_report.name] = module_report
    for module in modules:
        if module.name in done:
            report.modules.append(done[module.name])
            continue
        if deadline is not None and time.monotonic() > deadline:
            report.modules.append(budget_exhausted(module))
            continue
        issues, seconds = rehearsed.get(module.name, ((), 0.0))
        facts.touched, facts.probes = set(), {}
        module_report = validate_module(module, facts, rules, issues, rule_limits)
        module_report.duration_s += seconds
        if cache is not None:
            cache.store(module, module_report, facts.touched, facts.probes)
        report.modules.append(module_report)
    report.duration_s = time.perf_counter() - started
    return report
