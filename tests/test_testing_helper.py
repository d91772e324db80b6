# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The helper other modules' tests call (testing.py): assert that modules
validate at a level. It also runs under pytest-odoo (test_pytest_odoo.py)."""

import os
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from ..testing import ValidationMixin, assert_validates, validation_failures

CLEAN, BROKEN = "mv_example_clean", "mv_example_broken"  # examples/, on the addons path


@tagged("post_install", "-at_install")
class TestValidationHelper(ValidationMixin, TransactionCase):
    def test_a_clean_module_validates(self):
        assert_validates(self, [CLEAN])
        self.assertValidates(CLEAN, level="fast")
        run = self.env["module.validator.run"].search([], order="id desc", limit=1)
        self.assertEqual((run.origin, run.level, run.verdict, run.scope), ("test", "static", "pass", CLEAN))

    def test_a_broken_module_fails_with_its_findings(self):
        with self.assertRaises(AssertionError) as caught:
            assert_validates(self, [CLEAN, BROKEN])
        message = str(caught.exception)
        self.assertRegex(message, r"^\d+ finding\(s\) at or above error:\n")
        self.assertIn(f"[static] {BROKEN}: error DEP001 __manifest__.py:", message)
        self.assertNotIn(f"{CLEAN}:", message)
        # An environment instead of a test case: a plain AssertionError.
        with self.assertRaises(AssertionError):
            assert_validates(self.env, BROKEN)

    def test_fail_on_warning_counts_warnings(self):
        errors = validation_failures(self.env, [BROKEN])
        everything = validation_failures(self.env, [BROKEN], fail_on="warning")
        self.assertTrue(all(" error " in line for _level, line in errors))
        self.assertTrue(any(" warning " in line for _level, line in everything))
        self.assertGreater(len(everything), len(errors))

    def test_the_process_variables_apply(self):
        with patch.dict(os.environ, {"ODOO_VALIDATION_LEVEL": "comprehensive",
                                     "ODOO_REQUIRE_ALL_VALIDATIONS": "1"}):
            failures = validation_failures(self.env, [BROKEN])
        self.assertEqual({level for level, _line in failures}, {"static", "dynamic"})
        # An explicit level wins over the variable, as a flag does.
        with patch.dict(os.environ, {"ODOO_VALIDATION_LEVEL": "comprehensive"}):
            self.assertEqual({level for level, _line in validation_failures(self.env, [BROKEN], "static")},
                             {"static"})

    def test_a_run_that_cannot_start_is_a_failure(self):
        with self.assertRaises(AssertionError) as caught:
            assert_validates(self, ["mv_no_such_module"])
        self.assertIn("Modules not found on the addons path: mv_no_such_module", str(caught.exception))
        with self.assertRaises(ValueError):
            assert_validates(self, [])
