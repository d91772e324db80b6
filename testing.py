# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""For other modules' tests: assert that modules validate at a level.

::

    from odoo.addons.module_validator.testing import assert_validates

    class TestMyModule(TransactionCase):
        def test_my_module_validates(self):
            assert_validates(self, ["my_module"], level="dynamic")

The validation goes through the one application service (a stored run, as
the test gate's: :meth:`module.validator.run._launch_request`), inside the
test's transaction, so it is rolled back with it. It works the same under
``odoo-bin --test-enable`` and under pytest-odoo.
"""

from .engine.results import fails
from .service import environment
from .service.validation import ValidationRequest

__all__ = ["ValidationMixin", "assert_validates", "validation_failures"]


def validation_failures(env, modules, level=None, fail_on="error"):
    """The findings that fail ``modules`` at ``level``: ``[(level, line), ...]``.

    ``modules``: technical names (a list, or one comma-separated string) of
    modules on the addons path. ``level``: ``static``, ``dynamic``,
    ``bulletproof`` or an alias (``fast``, ``comprehensive``); None: the
    process's ``ODOO_VALIDATION_LEVEL``, else static. The other variables
    apply as everywhere (``ODOO_REQUIRE_ALL_VALIDATIONS`` runs every level up
    to it, ``ODOO_SKIP_BULLETPROOF`` runs bulletproof as dynamic). A run that
    cannot start (unknown module...) is a failure too.
    """
    if isinstance(modules, str):
        modules = modules.split(",")
    names = tuple(name.strip() for name in modules if name and name.strip())
    if not names:
        raise ValueError("assert_validates: no module given")
    if fail_on not in ("error", "warning"):
        raise ValueError(f"assert_validates: fail_on={fail_on!r}: expected error or warning")
    plan = environment.plan(level=level)
    failures = []
    for run_level in plan.levels:
        run, report = env["module.validator.run"]._launch_request(
            ValidationRequest(names=names, level=run_level, fail_on=fail_on,
                              time_budget_s=plan.time_budget_s),
            origin="test",
        )
        if report is None:
            failures.append((run_level, f"run {run.name} failed: {run.error_message}"))
            continue
        failures += [
            (run_level, f"{finding.module}: {finding.severity} {finding.rule} "
                        f"{finding.path}:{finding.line or ''} {finding.message}")
            for module in report.modules for finding in module.findings
            if finding.counts_toward_verdict and fails(finding.severity, fail_on)
        ]
    return failures


def assert_validates(case_or_env, modules, level=None, fail_on="error"):
    """Fail unless ``modules`` validate at ``level``, listing the findings.

    ``case_or_env``: the running test case (its ``env`` is used and its
    ``fail`` reports), or an Odoo environment (AssertionError is raised).
    Other arguments: :func:`validation_failures`.
    """
    env = getattr(case_or_env, "env", case_or_env)
    failures = validation_failures(env, modules, level=level, fail_on=fail_on)
    if failures:
        lines = "\n".join(f"  [{run_level}] {line}" for run_level, line in failures)
        message = f"{len(failures)} finding(s) at or above {fail_on}:\n{lines}"
        fail = getattr(case_or_env, "fail", None)
        if fail is not None:
            fail(message)
        raise AssertionError(message)


class ValidationMixin:
    """``self.assertValidates(modules, level=None, fail_on="error")`` for test cases."""

    def assertValidates(self, modules, level=None, fail_on="error"):  # noqa: N802 (unittest style)
        assert_validates(self, modules, level=level, fail_on=fail_on)
