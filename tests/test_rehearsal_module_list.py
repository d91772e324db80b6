# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bulletproof level knows addons that appear after its template databases exist,
on the addons path given before the command, as users run it."""

import os
import shutil
import tempfile
import uuid

from odoo.tests import tagged

from ..engine import compat
from .common import ValidatorCase, odoo_bin
from .test_bulletproof import FIXTURES_INSTALL


@tagged("post_install", "-at_install")
class TestRehearsalModuleList(ValidatorCase):
    def new_addon_folder(self):
        """A folder holding a copy of a clean fixture under a name no database has listed."""
        name = f"mvb_new_{uuid.uuid4().hex[:8]}"
        folder = tempfile.mkdtemp(prefix="mv_new_addons_")
        self.addCleanup(shutil.rmtree, folder, True)
        # Sources only: earlier rehearsals may have left compiled files beside them.
        shutil.copytree(os.path.join(FIXTURES_INSTALL, "mvb_clean"), os.path.join(folder, name),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for root, _dirs, files in os.walk(os.path.join(folder, name)):
            for file_name in files:
                path = os.path.join(root, file_name)
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(text.replace("mvb_clean", name).replace("mvb.clean", name.replace("_", ".")))
        return folder, name

    def test_addon_on_the_command_line_addons_path_installs_green(self):
        # The configuration file (-c) has an addons_path of its own, without the
        # new folder: the rehearsal must still use the path the command was given.
        folder, name = self.new_addon_folder()
        result = odoo_bin("validate", "--modules", name, "--level", "bulletproof",
                          addons_path=f"{folder},{compat.addons_path_option()}", timeout=600)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"PASS  {name}", result.stdout)
        self.assertNotIn("invalid module names", result.stdout + result.stderr)
