# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRulesPython(ValidatorCase):
    """Python, package, dependency and security rules on their fixtures."""

    def findings(self, name):
        return self.run_engine([name]).modules[0].findings

    def test_dep002_dependency_cycle(self):
        (finding,) = self.findings("mvt_dep002_a")
        self.assertEqual(finding.rule, "DEP002")
        self.assertIn("mvt_dep002_a -> mvt_dep002_b -> mvt_dep002_a", finding.message)

    def test_dep003_extension_of_a_model_outside_the_closure(self):
        (finding,) = self.findings("mvt_dep003")
        self.assertEqual((finding.rule, finding.path), ("DEP003", "models/sale_order.py"))

    def test_py003_invalid_model_name(self):
        (finding,) = self.findings("mvt_py003")
        self.assertEqual(finding.rule, "PY003")
        self.assertIn("'Mvt.Bad Name'", finding.message)

    def test_py004_model_without_description_is_a_warning(self):
        (finding,) = self.findings("mvt_py004")
        self.assertEqual((finding.rule, finding.severity), ("PY004", "warning"))

    def test_py009_renamed_field_parameter(self):
        (finding,) = self.findings("mvt_py009")
        self.assertEqual((finding.rule, finding.severity), ("PY009", "warning"))
        self.assertIn("'group_operator'", finding.message)

    def test_py010_required_many2one_set_null(self):
        (finding,) = self.findings("mvt_py010")
        self.assertEqual(finding.rule, "PY010")

    def test_man007_auto_install_outside_depends(self):
        (finding,) = self.findings("mvt_man007")
        self.assertEqual(finding.rule, "MAN007")
        self.assertIn("web", finding.message)

    def test_man008_old_signature_and_missing_hook(self):
        findings = self.findings("mvt_man008")
        self.assertEqual([f.rule for f in findings], ["MAN008", "MAN008"])
        messages = " ".join(f.message for f in findings)
        self.assertIn("'post_init' must take env", messages)
        self.assertIn("'uninstall' is not defined", messages)

    def test_man008_hooks_bound_by_assignment_in_init(self):
        # OCA pattern (l10n-bulgaria): post_load_hook = hooks.post_load_hook in
        # __init__.py; Odoo installs it, it only does getattr() on the package.
        self.assertEqual(self.findings("mvt_man008_ok"), [])

    def test_man011_models_file_never_imported(self):
        (finding,) = self.findings("mvt_man011")
        self.assertEqual((finding.rule, finding.severity, finding.path),
                         ("MAN011", "error", "models/forgotten.py"))

    def test_man011_forgotten_file_of_non_model_classes_is_no_error(self):
        # OCA pattern (shopfloor): a services file of connector components
        # (_name/_inherit, no models.Model base) left out of __init__.py.
        findings = self.findings("mvt_man011_ok")
        self.assertEqual([f for f in findings if f.severity == "error"], [])

    def test_sec001_model_without_access_rule_is_a_warning(self):
        (finding,) = self.findings("mvt_sec001")
        self.assertEqual((finding.rule, finding.severity), ("SEC001", "warning"))

    def test_sec002_unknown_group_foreign_model_bad_permission(self):
        findings = self.findings("mvt_sec002")
        self.assertEqual([f.rule for f in findings], ["SEC002"] * 3)
        messages = " ".join(f.message for f in findings)
        self.assertIn("no group 'base.no_such_group'", messages)
        self.assertIn("use base.model_res_partner", messages)
        self.assertIn("not 'yes please'", messages)

    def test_py013_removed_call_and_never_called_override(self):
        findings = self.findings("mvt_py013")
        self.assertEqual([(f.rule, f.severity, f.line) for f in findings],
                         [("PY013", "warning", 7), ("PY013", "warning", 12)])
        self.assertIn("user_has_groups() is removed in 18.0", findings[1].message)

    def test_man012_legacy_manifest_name_is_a_warning(self):
        (finding,) = self.findings("mvt_man012")
        self.assertEqual((finding.rule, finding.severity, finding.path),
                         ("MAN012", "warning", "__openerp__.py"))

    def test_py006_related_path_with_a_missing_step(self):
        (finding,) = self.findings("mvt_py006")
        self.assertEqual((finding.rule, finding.line), ("PY006", 7))
        self.assertIn("'cty' is not a field of 'res.partner'", finding.message)

    def test_py007_compute_and_selection_methods_that_do_not_exist(self):
        findings = self.findings("mvt_py007")
        self.assertEqual([(f.rule, f.line) for f in findings], [("PY007", 7), ("PY007", 8)])
        self.assertIn("compute='_compute_mvt_totl'", findings[0].message)

    def test_py005_unknown_comodel_warns_and_missing_inverse_fails(self):
        # An unknown comodel: 18.0 logs a WARNING; 19.0 asserts and the install fails
        # (the accuracy benchmark's python_comodel_unknown variants, installed for real).
        for series, comodel in (("18.0", ("warning", "warning-log")), ("19.0", ("error", "install"))):
            with self.subTest(series=series):
                findings = self.run_engine(["mvt_py005"], series=series).modules[0].findings
                self.assertEqual([(f.rule, f.severity, f.impact, f.line) for f in findings],
                                 [("PY005", *comodel, 7), ("PY005", "error", "install", 8)])

    def test_py012_rec_name_and_order_fields(self):
        findings = self.findings("mvt_py012")
        self.assertEqual([f.rule for f in findings], ["PY012", "PY012"])
        messages = " ".join(f.message for f in findings)
        self.assertIn("_rec_name 'title'", messages)
        self.assertIn("_order names 'sequance'", messages)
