# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRulesData(ValidatorCase):
    """XML id and data file rules: each fires on its fixture, with the exact codes."""

    def findings(self, name, series=None):
        return self.run_engine([name], series=series).modules[0].findings

    def test_close_variants_give_no_finding(self):
        # mvt_static_ok holds the correct form of every mistake the fixtures make.
        self.assertEqual(self.codes("mvt_static_ok"), [])

    def test_dep004_foreign_xmlids_outside_closure_or_missing(self):
        findings = self.findings("mvt_dep004")
        self.assertEqual([f.rule for f in findings], ["DEP004", "DEP004"])
        messages = " ".join(f.message for f in findings)
        self.assertIn("'mvt_not_a_dependency', which is not in the dependencies", messages)
        self.assertIn("no record 'base.no_such_company'", messages)

    def test_dat014_reference_before_definition_and_undefined(self):
        findings = self.findings("mvt_dat014")
        self.assertEqual([f.rule for f in findings], ["DAT014", "DAT014"])
        by_line = {f.line: f.message for f in findings}
        self.assertIn("in views/actions.xml, loaded later", by_line[4])
        self.assertIn("'partner_never_defined' is not defined", by_line[7])

    def test_dat011_two_dots_and_two_models(self):
        findings = self.findings("mvt_dat011")
        self.assertEqual([f.rule for f in findings], ["DAT011", "DAT011"])
        self.assertIn("more than one dot", findings[0].message)
        self.assertIn("cannot also be a res.partner.category record", findings[1].message)

    def test_dat010_update_of_a_missing_foreign_record(self):
        (finding,) = self.findings("mvt_dat010")
        self.assertEqual((finding.rule, finding.severity), ("DAT010", "error"))
        self.assertIn("base.mvt_partner_base_never_had", finding.message)

    def test_dat003_removed_act_window_shortcut_is_a_warning(self):
        # 18.0 ignores the element with a WARNING; 19.0 refuses it (TestRulesSeries).
        # (On a 19.0 server its own data schema also refuses the element: DAT002.)
        (finding,) = [f for f in self.findings("mvt_dat003", series="18.0") if f.rule == "DAT003"]
        self.assertEqual((finding.rule, finding.severity, finding.line), ("DAT003", "warning", 4))

    def test_dat007_syntax_error_and_unknown_name(self):
        findings = self.findings("mvt_dat007")
        self.assertEqual([f.rule for f in findings], ["DAT007", "DAT007"])
        self.assertIn("unknown name(s) today", findings[1].message)

    def test_dat004_record_of_a_model_outside_the_closure(self):
        (finding,) = self.findings("mvt_dat004")
        self.assertEqual(finding.rule, "DAT004")
        self.assertIn("'sale.order'", finding.message)

    def test_dat005_cron_field_removed_in_18(self):
        (finding,) = self.findings("mvt_dat005")
        self.assertEqual((finding.rule, finding.line), ("DAT005", 10))
        self.assertIn("no field 'numbercall'", finding.message)

    def test_dat016_menu_action_parent_and_sequence(self):
        findings = self.findings("mvt_dat016")
        # sequence="ten" also breaks import_xml.rng, which Odoo checks first (DAT002).
        self.assertEqual([(f.rule, f.line) for f in findings],
                         [("DAT016", 9), ("DAT016", 10), ("DAT002", 11), ("DAT016", 11)])
        self.assertIn("is a ir.ui.view record, not an action", findings[0].message)

    def test_dat017_records_colliding_on_a_unique_constraint(self):
        # The fixture declares _sql_constraints, which only 18.0 creates (TestRulesSeries).
        (finding,) = self.findings("mvt_dat017", series="18.0")
        self.assertEqual((finding.rule, finding.severity, finding.path, finding.line),
                         ("DAT017", "error", "data/codes.xml", 7))
        self.assertIn("code='A-12', like data/codes.xml:3", finding.message)
        (closure,) = self.findings("mvt_dat017_closure")
        self.assertEqual((closure.rule, closure.line), ("DAT017", 4))
        self.assertIn("name='EUR', like base.EUR of module 'base'", closure.message)
        # Distinct values, a second definition of the same xmlid, base.EUR updated by its xmlid.
        self.assertEqual(self.findings("mvt_dat017_ok", series="18.0"), [])

    def test_dat012_csv_column_that_is_no_field(self):
        (finding,) = self.findings("mvt_dat012_columns")
        self.assertEqual(finding.rule, "DAT012")
        self.assertIn("'colour' is not a field of res.partner.category", finding.message)

    def test_dat015_data_file_needs_demo_data(self):
        (finding,) = self.findings("mvt_dat015")
        self.assertEqual((finding.rule, finding.severity), ("DAT015", "error"))
        self.assertIn("only exists in the demo data of 'base'", finding.message)

    def test_dat006_int_value_missing_file_unknown_type(self):
        findings = self.findings("mvt_dat006")
        # An unknown type= also breaks import_xml.rng, which Odoo checks first (DAT002).
        self.assertEqual(sorted((f.rule, f.line) for f in findings),
                         [("DAT002", 6), ("DAT006", 6), ("DAT006", 7), ("DAT006", 8)])

    def test_dat009_function_calls_a_missing_method(self):
        (finding,) = self.findings("mvt_dat009")
        self.assertEqual((finding.rule, finding.line), ("DAT009", 4))
        self.assertIn("'_mvt_install_defaults'", finding.message)
