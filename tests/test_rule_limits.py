# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A built-in rule that hangs or exhausts memory on one module is stopped by
its per-rule limit: an MV001 finding for that module and rule, and the rest
of the run completes (engine/rule_guard.py)."""

import threading
import time

from odoo.tests import tagged

from ..engine import discovery, rule_guard
from ..engine.facts import StaticFacts
from ..engine.rule_guard import RuleLimits
from ..engine.rules import RULES
from ..engine.rules.registry import Rule
from ..engine.runner import validate
from .common import FIXTURES, ValidatorCase

# Bounds that keep a broken guard from hanging or swapping the test run:
# the test then fails on its assertions instead.
HANG_BOUND_S = 30
MEMORY_BOUND_MB = 1536


def hang(ctx):
    """Loops, swallowing ordinary exceptions, as a buggy rule might."""
    ends = time.monotonic() + HANG_BOUND_S
    while time.monotonic() < ends:
        try:
            sum(range(1000))
        except Exception:  # noqa: BLE001, S112 - the rule under test swallows errors
            continue
    yield from ()


def hoard(ctx):
    """Keeps allocating (and writing) 32 MiB blocks."""
    kept = []
    while len(kept) * 32 < MEMORY_BOUND_MB:
        kept.append(b"x" * (32 * 1024 * 1024))
        time.sleep(0.01)
    yield from ()


def hang_on_queries(ctx):
    """Loops on the database cursor of a dynamic run."""
    ends = time.monotonic() + HANG_BOUND_S
    while time.monotonic() < ends:
        ctx.facts.env.cr.execute("SELECT 1")
    yield from ()


class RuleLimitsCase(ValidatorCase):
    def register(self, code, check, level="static"):
        RULES[code] = Rule(code, "runaway rule", "engine", level, "warning", "", "", "", "", "", check)
        self.addCleanup(RULES.pop, code, None)

    def run_warm(self, names, **kwargs):
        """Validate ``names`` with facts already parsed by a first run: parsing is
        charged to the first rule that reads a file, and these tests time rules."""
        modules, unknown = discovery.select(self.catalog, names)
        self.assertFalse(unknown)
        facts = StaticFacts(self.catalog)
        code_under_test = {code: RULES.pop(code) for code in list(RULES) if code.startswith("ZZZ")}
        validate(modules, facts, "static", version="test")
        RULES.update(code_under_test)
        return validate(modules, facts, "static", version="test", **kwargs)


@tagged("post_install", "-at_install")
class TestRuleLimits(RuleLimitsCase):
    def test_a_rule_past_its_time_limit_is_stopped_and_the_run_goes_on(self):
        self.register("ZZZ901", hang)
        report = self.run_warm(["mvt_py001", "mvt_clean"], rule_limits=RuleLimits(time_s=0.5))
        for module in report.modules:
            codes = sorted(f.rule for f in module.findings)
            self.assertEqual(codes, ["MV001", "PY001"] if module.name == "mvt_py001" else ["MV001"])
            internal = next(f for f in module.findings if f.rule == "MV001")
            self.assertIn("Rule ZZZ901 was stopped: it ran longer than its limit of 0.5 s", internal.message)

    def test_a_rule_that_keeps_allocating_is_stopped_by_its_memory_limit(self):
        self.register("ZZZ902", hoard)
        report = self.run_warm(["mvt_clean"], rule_limits=RuleLimits(time_s=60, memory_mb=200))
        findings = report.modules[0].findings
        self.assertEqual([f.rule for f in findings], ["MV001"])
        self.assertIn("Rule ZZZ902 was stopped: it made the process grow by", findings[0].message)
        self.assertIn("past its limit of 200 MiB", findings[0].message)

    def test_rules_within_their_limits_are_not_stopped(self):
        self.register("ZZZ903", lambda ctx: iter(()))
        report = self.run_warm(["mv_example_broken", "mvt_clean"], rule_limits=RuleLimits(time_s=30))
        self.assertNotIn("MV001", {f.rule for module in report.modules for f in module.findings})

    def test_forked_workers_stop_a_hanging_rule_too(self):
        self.register("ZZZ904", hang)
        names = sorted(name for name, module in self.catalog.modules.items()
                       if name.startswith("mvt_man") and module.manifest is not None)[:8]
        self.assertEqual(len(names), 8)
        # Forked workers parse for themselves: a limit above what real rules take.
        report = self.run_engine(names, rule_limits=RuleLimits(time_s=3), jobs=2)
        stopped = {module.name for module in report.modules
                   for f in module.findings if f.rule == "MV001" and "ZZZ904 was stopped" in f.message}
        self.assertEqual(stopped, set(names))

    def test_a_stop_fired_while_the_rule_ends_is_raised_by_the_guard(self):
        # The watchdog fires under its lock while the rule's thread waits for that
        # lock to leave the guard: the stop must come out of the ``with``, where
        # the runner catches it, not later in the runner's own code (a stop there
        # would escape a forked worker and leave its pool waiting).
        main = threading.get_ident()
        ready = threading.Event()

        def fire_while_the_guard_waits():
            with rule_guard._lock:
                ready.set()
                time.sleep(0.2)  # the main thread is now blocked in __exit__
                rule_guard._raise_in(main, rule_guard.RuleStopped)

        watchdog = threading.Thread(target=fire_while_the_guard_waits)
        raised_by_guard = False
        try:
            with rule_guard.guarded(RuleLimits(time_s=60)):
                watchdog.start()
                ready.wait(5)
        except rule_guard.RuleStopped:
            raised_by_guard = True
        watchdog.join(5)
        self.assertTrue(raised_by_guard)

    def test_settings_limit_a_dynamic_rule_and_the_stored_run_completes(self):
        self.register("ZZZ905", hang_on_queries, level="dynamic")
        self.env["ir.config_parameter"].sudo().set_param("module_validator.rule_time_limit", "5")
        run, _report = self.env["module.validator.run"]._launch(["mvt_clean"], level="dynamic",
                                                                extra_paths=[FIXTURES])
        self.assertEqual(run.state, "done", run.error_message)
        messages = run.finding_ids.filtered(lambda f: f.rule_code == "MV001").mapped("message")
        stopped = [message for message in messages if "ZZZ905" in message]
        self.assertEqual(len(stopped), 1, messages)
        self.assertIn("Rule ZZZ905 was stopped: it ran longer than its limit of 5 s", stopped[0])
        # The cursor is usable after the stop: the run was stored through it.
        self.env.cr.execute("SELECT 1")
