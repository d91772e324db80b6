# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The suite and the test gate under pytest-odoo (``pytest --odoo-database=DB``).

pytest-odoo imports a test file under ``odoo.addons.<folder name>``: it must
be given the addon's folder as the addons path names it (``module_validator``),
which this server's path is. The database is this suite's own: module_validator
is installed there, and the child's test cases, like the parent's, roll back
what they write. This test writes nothing before the child runs, so the
child never waits for a lock that this transaction holds.
"""

import os
import re
import subprocess
import sys

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from ..engine import compat
from .common import subprocess_env

# A small selection: the gate, the helper, and a check of the variables.
SELECTION = (
    "tests/test_installed_modules.py",
    "tests/test_testing_helper.py::TestValidationHelper::test_a_clean_module_validates",
    "tests/test_testing_helper.py::TestValidationHelper::test_a_broken_module_fails_with_its_findings",
    "tests/test_process_variables.py::TestProcessVariables::test_flag_beats_variable_beats_settings_beats_default",
)


def pytest_odoo(database, *args, timeout=900):
    """``python -m pytest`` with pytest-odoo on ``database``, in this server's setup."""
    line = [sys.executable, "-m", "pytest", "-rA", "-q",
            f"--odoo-database={database}", f"--odoo-addons-path={compat.addons_path_option()}"]
    config_file = compat.config_file()
    if config_file and os.path.exists(config_file):
        line.append(f"--odoo-config={config_file}")
    for option in ("db_host", "db_port", "db_user", "db_password"):
        if config[option]:
            line.append(f"--odoo-extra={option}={config[option]}")
    return subprocess.run([*line, *args], capture_output=True, text=True, timeout=timeout,
                          env=subprocess_env(), cwd=os.path.dirname(get_module_path("module_validator")),
                          check=False)


@tagged("post_install", "-at_install")
class TestPytestOdoo(TransactionCase):
    def test_suite_and_gate_run_under_pytest_odoo(self):
        addon = get_module_path("module_validator")
        self.assertEqual(os.path.basename(addon), "module_validator")
        result = pytest_odoo(self.env.cr.dbname, *(os.path.join(addon, path) for path in SELECTION))
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[-6000:])
        passed = re.search(r"(\d+) passed", output)
        self.assertTrue(passed, output[-3000:])
        self.assertNotRegex(output, r"\d+ (failed|error)")
        # The gate and the helper's tests did run (not skipped), each by its id.
        for test in ("test_installed_modules.py::TestInstalledModulesAreValid::"
                     "test_installed_custom_modules_have_no_error",
                     "test_testing_helper.py::TestValidationHelper::test_a_broken_module_fails_with_its_findings"):
            self.assertRegex(output, rf"PASSED \S*{re.escape(test)}")

    def test_the_whole_suite_is_collectable(self):
        addon = get_module_path("module_validator")
        result = pytest_odoo(self.env.cr.dbname, "--collect-only", os.path.join(addon, "tests"),
                             timeout=300)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output[-6000:])
        collected = re.search(r"(\d+) tests? collected", output)
        self.assertTrue(collected, output[-3000:])
        self.assertGreater(int(collected.group(1)), 300)
        # Fixture addons are data for the rules, not tests (pytest.ini).
        self.assertNotRegex(output, r"tests/fixtures[^/]*/")
