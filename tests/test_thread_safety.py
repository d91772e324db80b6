# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A validation in a request thread must not break other requests' parsing."""

import ast
import threading

from odoo.modules.module import load_manifest
from odoo.tests import tagged

from ..engine import ast_lock
from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestThreadSafety(ValidatorCase):
    def test_validation_and_manifest_parsing_in_other_threads(self):
        self.assertTrue(ast_lock.installed())
        self.assertEqual(ast.literal_eval("{'a': [1, 2]}"), {"a": [1, 2]})
        # What a busy server does beside a validation: read manifests over and
        # over, as Odoo does for the Apps menu and module loading.
        modules = sorted(self.catalog.modules)[:60]
        errors, stop = [], threading.Event()

        def read_manifests():
            while not stop.is_set():
                for name in modules:
                    try:
                        load_manifest(name)
                    except Exception as error:  # noqa: BLE001 - what the test looks for
                        errors.append(f"{name}: {type(error).__name__}: {error}")
                        return

        readers = [threading.Thread(target=read_manifests, daemon=True) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            for _ in range(3):
                report = self.run_engine(["mv_example_broken", "mvt_clean", "base"], "static")
                self.assertEqual([m.name for m in report.modules], ["base", "mv_example_broken", "mvt_clean"])
                self.assertFalse([f for m in report.modules for f in m.findings if f.rule == "MV001"])
        finally:
            stop.set()
            for reader in readers:
                reader.join(30)
        self.assertEqual(errors, [])
