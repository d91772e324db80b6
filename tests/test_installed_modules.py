# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The test gate: with ``--test-tags module_validator_gate`` an ``odoo-bin`` test
run fails when any installed non-Odoo module has an error-level finding.

It also runs in this addon's own suite, where it validates module_validator.
"""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install", "module_validator_gate")
class TestInstalledModulesAreValid(TransactionCase):
    def test_installed_custom_modules_have_no_error(self):
        Run = self.env["module.validator.run"]
        catalog = Run._build_catalog()
        names = [m.name for m in catalog.modules.values() if m.installed and not m.odoo_core]
        run, report = Run._launch(names, level="dynamic", origin="test")
        self.assertIn("module_validator", names)
        errors = [f"{f.module}: {f.rule} {f.path}:{f.line} {f.message}"
                  for m in report.modules for f in m.findings
                  if f.severity == "error" and f.counts_toward_verdict]
        self.assertEqual(errors, [], "\n".join(errors))
        self.assertEqual(run.verdict, "pass")
