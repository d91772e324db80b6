# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The test gate: with ``--test-tags module_validator_gate`` an ``odoo-bin`` test
run fails when any installed non-Odoo module has an error-level finding.

It runs at the dynamic level unless the process's variables say otherwise
(``ODOO_VALIDATION_LEVEL``, ``ODOO_VALIDATION_TIMEOUT``,
``ODOO_SKIP_BULLETPROOF``, ``ODOO_REQUIRE_ALL_VALIDATIONS``: README, "Command
line"), read by the same code as ``odoo-bin validate``'s.

It also runs in this addon's own suite, where it validates module_validator.
"""

import logging

from odoo.tests import TransactionCase, tagged

from ..service import environment
from ..service.validation import ValidationRequest

_logger = logging.getLogger(__name__)

GATE_LEVEL = "dynamic"


def gate_plan(environ=None):
    """The levels and time budget of the gate: the variables, else the dynamic level."""
    return environment.plan(default_level=GATE_LEVEL, environ=environ)


@tagged("post_install", "-at_install", "module_validator_gate")
class TestInstalledModulesAreValid(TransactionCase):
    def test_installed_custom_modules_have_no_error(self):
        plan = gate_plan()
        Run = self.env["module.validator.run"]
        catalog = Run._build_catalog()
        names = [m.name for m in catalog.modules.values() if m.installed and not m.odoo_core]
        self.assertIn("module_validator", names)
        for note in plan.notes:
            _logger.info("module_validator_gate: %s", note)
        for level in plan.levels:
            with self.subTest(level=level):
                run, report = Run._launch_request(
                    ValidationRequest(names=tuple(names), level=level, time_budget_s=plan.time_budget_s),
                    origin="test",
                )
                self.assertIsNotNone(report, run.error_message)
                errors = [f"{f.module}: {f.rule} {f.path}:{f.line} {f.message}"
                          for m in report.modules for f in m.findings
                          if f.severity == "error" and f.counts_toward_verdict]
                self.assertEqual(errors, [], f"{level} level:\n" + "\n".join(errors))
                self.assertEqual(run.verdict, "pass")
