# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import os

from odoo.tests import tagged
from odoo.tools.translate import TRANSLATED_ATTRS

from ..engine import compat
from ..engine.rules import structure_rules
from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRulesStructure(ValidatorCase):
    """Structure rules (VIEW009-VIEW011, VIEW015, DAT002) and SEC003 on their fixtures."""

    def findings(self, name, series=None):
        return self.run_engine([name], series=series).modules[0].findings

    def summary(self, name):
        return [(f.rule, f.severity, f.path, f.line) for f in self.findings(name)]

    def test_close_variants_give_no_finding(self):
        # mvt_structure_ok holds the correct form of every mistake below; it
        # installs without a WARNING.
        self.assertEqual(self.codes("mvt_structure_ok"), [])
        self.assertEqual(self.codes("mvt_clean"), [])

    def test_schemas_are_the_running_odoo_ones(self):
        self.assertEqual(structure_rules._odoo_root(), os.path.realpath(compat.odoo_root_path()))
        schema = structure_rules._schema("import_xml.rng")
        self.assertIsNotNone(schema)
        # Compiled once per process.
        self.assertIs(structure_rules._schema("import_xml.rng"), schema)
        # The attributes an inheritance spec may not select on are Odoo's own.
        self.assertEqual(set(structure_rules.TRANSLATED_ATTRS[compat.series()]), set(TRANSLATED_ATTRS))

    def test_sec003_access_row_without_group(self):
        (finding,) = self.findings("mvt_sec003")
        self.assertEqual((finding.rule, finding.severity, finding.path, finding.line),
                         ("SEC003", "warning", "security/ir.model.access.csv", 2))
        self.assertIn("access_partner_everyone has no group", finding.message)
        self.assertIn("perm_read", finding.message)

    def test_view009_label_targets_pages_and_column_counts(self):
        path = "views/partner_views.xml"
        self.assertEqual(self.summary("mvt_view009"), [
            ("VIEW009", "error", path, 14), ("VIEW009", "error", path, 15),
            ("VIEW009", "error", path, 18), ("VIEW009", "error", path, 25),
        ])
        messages = [f.message for f in self.findings("mvt_view009")]
        self.assertIn('<label for="email">', messages[0])
        self.assertIn("col='two' must be an integer", messages[1])
        self.assertIn("<page> must be a direct child of <notebook>, not of <sheet>", messages[2])
        # In the one2many's sub-view, the outer view's fields are not in scope.
        self.assertIn('<label for="phone">', messages[3])

    def test_view010_views_that_fail_odoo_rng_schemas(self):
        findings = self.findings("mvt_view010")
        self.assertEqual([(f.rule, f.severity, f.line) for f in findings],
                         [("VIEW010", "error", 9), ("VIEW010", "error", 21)])
        self.assertIn("list_view.rng: Invalid attribute limit for element list", findings[0].message)
        self.assertIn("search_view.rng: Did not expect element div there", findings[1].message)

    def test_view011_directives_comp_tooltips_and_translated_selectors(self):
        findings = self.findings("mvt_view011")
        self.assertEqual([(f.rule, f.severity, f.line, f.message) for f in findings], [
            ("VIEW011", "error", 13, "Forbidden owl directive used in arch (t-if)."),
            ("VIEW011", "error", 14, "Forbidden attribute used in arch (data-tooltip)."),
            ("VIEW011", "error", 29, "Forbidden owl directive used in arch (t-on-click)."),
            ("VIEW011", "error", 30, "Forbidden use of `__comp__` in arch."),
            ("VIEW011", "error", 42, "Forbidden owl directive used in arch (t-on-click)."),
            ("VIEW011", "error", 51,
             "View inheritance may not use attribute 'string' as a selector."),
        ])

    def test_view015_deprecated_kanban_and_chatter_idioms(self):
        # The 18.0 reactions (19.0's: TestRulesSeries).
        findings = self.findings("mvt_view015", series="18.0")
        self.assertEqual([(f.rule, f.severity, f.line) for f in findings], [
            ("VIEW015", "warning", 11), ("VIEW015", "info", 12), ("VIEW015", "warning", 29),
            ("VIEW015", "warning", 30), ("VIEW015", "warning", 31),
        ])
        self.assertIn("'kanban-box' is deprecated, define a 'card' template", findings[0].message)
        self.assertIn("oe_kanban_global_click", findings[1].message)
        self.assertIn('<div class="oe_chatter">', findings[2].message)
        self.assertIn("'mail_followers'", findings[3].message)
        self.assertIn("'mail_thread'", findings[4].message)

    def test_dat002_data_and_demo_files_outside_import_xml_rng(self):
        findings = self.findings("mvt_dat002")
        self.assertEqual([(f.rule, f.severity, f.path, f.line) for f in findings], [
            ("DAT002", "error", "data/partners.xml", 4),
            ("DAT002", "error", "demo/partners_demo.xml", 2),
        ])
        self.assertIn('<record id="partner_a">', findings[0].message)
        self.assertIn("Invalid attribute noupdate for element record", findings[0].message)
        self.assertIn("Invalid attribute version for element odoo", findings[1].message)
