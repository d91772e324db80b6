# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRulesViews(ValidatorCase):
    """View and action rules: each fires on its fixture, with the exact codes."""

    def findings(self, name):
        return self.run_engine([name]).modules[0].findings

    def test_view001_tree_root_and_tree_xpath(self):
        findings = self.findings("mvt_view001")
        self.assertEqual([(f.rule, f.line) for f in findings], [("VIEW001", 8), ("VIEW001", 16)])

    def test_view002_attrs_and_states(self):
        findings = self.findings("mvt_view002")
        self.assertEqual([f.rule for f in findings], ["VIEW002", "VIEW002"])
        self.assertEqual({f.message.split("'")[1] for f in findings}, {"attrs", "states"})

    def test_view003_view_of_an_unknown_model(self):
        (finding,) = self.findings("mvt_view003")
        self.assertEqual(finding.rule, "VIEW003")

    def test_view004_unknown_fields_in_view_sub_view_and_extension(self):
        findings = self.findings("mvt_view004")
        self.assertEqual([f.rule for f in findings], ["VIEW004"] * 3)
        messages = [f.message for f in findings]
        self.assertIn("Field 'no_such_partner_field' does not exist on model 'res.partner'.", messages)
        # Inside the one2many's sub-view, fields belong to the comodel.
        self.assertIn("Field 'no_such_contact_field' does not exist on model 'res.partner'.", messages)
        self.assertIn("Field 'no_such_inherited_field' does not exist on model 'res.partner'.", messages)

    def test_view005_parent_outside_closure_bad_position_bad_xpath(self):
        findings = self.findings("mvt_view005")
        self.assertEqual([f.rule for f in findings], ["VIEW005"] * 3)
        messages = " ".join(f.message for f in findings)
        self.assertIn("not in the dependencies", messages)
        self.assertIn("Invalid position 'next_to'", messages)
        self.assertIn("Invalid xpath", messages)

    def test_act002_tree_view_mode_in_xml_and_python(self):
        findings = self.findings("mvt_act002")
        self.assertEqual([(f.rule, f.path) for f in findings],
                         [("ACT002", "actions.py"), ("ACT002", "data/actions.xml")])

    def test_act004_cron_without_model_and_with_a_bad_interval(self):
        findings = self.findings("mvt_act004")
        self.assertEqual([f.rule for f in findings], ["ACT004", "ACT004"])
        messages = " ".join(f.message for f in findings)
        self.assertIn("no model_id", messages)
        self.assertIn("interval_type 'day'", messages)

    def test_act004_cron_linking_an_existing_server_action(self):
        # OCA pattern (product-attribute): a cron with ir_actions_server_id only;
        # the delegated server action brings name and model_id, Odoo installs it.
        self.assertEqual(self.findings("mvt_act004_ok"), [])

    def test_view008_special_accepted_by_a_button_validation_override(self):
        # OCA pattern (product-configurator): the module extends ir.ui.view's
        # _validate_tag_button to accept special="no_save"; Odoo installs it.
        self.assertEqual(self.findings("mvt_view008_ok"), [])

    def test_view007_tree_view_ref_is_a_warning(self):
        (finding,) = self.findings("mvt_view007")
        self.assertEqual((finding.rule, finding.severity, finding.line), ("VIEW007", "warning", 9))

    def test_view008_unknown_private_and_special_buttons(self):
        findings = self.findings("mvt_view008")
        self.assertEqual([(f.rule, f.line) for f in findings],
                         [("VIEW008", 10), ("VIEW008", 11), ("VIEW008", 12)])
        self.assertIn("'action_no_such_method' is not a method", findings[0].message)

    def test_view006_modifier_syntax_and_unknown_name(self):
        findings = self.findings("mvt_view006")
        self.assertEqual([(f.rule, f.line) for f in findings], [("VIEW006", 9), ("VIEW006", 10)])
        self.assertIn("is not a Python expression", findings[0].message)
        self.assertIn("'email_locked'", findings[1].message)

    def test_act001_model_outside_closure_and_view_that_is_a_menu(self):
        findings = self.findings("mvt_act001")
        self.assertEqual([(f.rule, f.line) for f in findings], [("ACT001", 6), ("ACT001", 13)])
        self.assertIn("'sale.order'", findings[0].message)
        self.assertIn("is a ir.ui.menu record, not a view", findings[1].message)

    def test_act003_server_action_code_refused(self):
        syntax, forbidden = self.findings("mvt_act003")
        self.assertEqual((syntax.rule, syntax.path, syntax.line), ("ACT003", "data/actions.xml", 8))
        self.assertIn("does not compile", syntax.message)
        # Compiles, but Odoo's own check (test_python_expr) refuses the import opcode.
        self.assertEqual((forbidden.rule, forbidden.path), ("ACT003", "data/forbidden.xml"))
        self.assertIn("safe_eval refuses", forbidden.message)
        self.assertIn("IMPORT_NAME", forbidden.message)

    def test_view012_unknown_groups(self):
        findings = self.findings("mvt_view012")
        self.assertEqual([(f.rule, f.severity, f.line) for f in findings],
                         [("VIEW012", "warning", 10), ("VIEW012", "warning", 11)])

    def test_view008_action_buttons_missing_or_not_an_action(self):
        findings = self.findings("mvt_view008_action")
        self.assertEqual([(f.rule, f.line) for f in findings], [("VIEW008", 10), ("VIEW008", 11)])
        self.assertIn("'base.mvt_no_such_action' does not exist", findings[0].message)
        self.assertIn("is a ir.ui.view record, not an action", findings[1].message)
