# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
import os
import re

from odoo.tests import TransactionCase, tagged

from .common import ADDON_ROOT


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "module_validator_gen_readme", os.path.join(ADDON_ROOT, "dev", "gen_readme.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestReadme(TransactionCase):
    def test_readme_is_generated_and_fresh(self):
        outputs = load_generator().outputs()
        self.assertEqual(list(outputs), [os.path.join(ADDON_ROOT, "README.rst")])
        for target, text in outputs.items():
            with open(target, encoding="utf-8") as handle:
                self.assertEqual(handle.read(), text, f"{target} is stale: run dev/gen_readme.py")

    def test_apps_page_is_for_users_and_works_offline(self):
        """static/description/index.html: hand-written, every image shipped with the addon."""
        description = os.path.join(ADDON_ROOT, "static", "description")
        with open(os.path.join(description, "index.html"), encoding="utf-8") as handle:
            page = handle.read()
        self.assertNotIn("Docutils", page)
        for developer_word in ("dev/run", "dev/test", "bench/", "engine/"):
            self.assertNotIn(developer_word, page)
        images = re.findall(r"<img[^>]*\ssrc=\"([^\"]+)\"", page)
        self.assertGreaterEqual(len(images), 4)
        for source in images:
            self.assertFalse(source.startswith(("http:", "https:", "//")), source)
            self.assertTrue(os.path.isfile(os.path.join(description, source)), source)

    def test_rule_catalogue_lists_every_rule_record(self):
        with open(os.path.join(ADDON_ROOT, "README.rst"), encoding="utf-8") as handle:
            readme = handle.read()
        # Rules a team wrote without code belong to their database, not to the catalogue.
        rules = self.env["module.validator.rule"].with_context(active_test=False).search(
            [("is_custom", "=", False)]
        )
        self.assertGreater(len(rules), 80)
        for rule in rules:
            row = (f"   * - {rule.code}\n     - {rule.level}\n     - {rule.default_severity}\n"
                   f"     - {rule.impact}\n     - {rule.series or 'all'}\n     - {rule.name}")
            self.assertIn(row, readme)
            if rule.series_note:
                self.assertIn(f"{rule.name} *{rule.series_note}*", readme)
