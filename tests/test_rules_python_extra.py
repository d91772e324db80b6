# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import ValidatorCase

NEW_CODES = ("PY011", "PY015", "ACT005", "AST001", "DEP005")


@tagged("post_install", "-at_install")
class TestRulesPythonExtra(ValidatorCase):
    """Selections, settings fields, reports, assets and Python references."""

    def findings(self, name):
        return self.run_engine([name]).modules[0].findings

    def assertNoNewFindings(self, name):
        found = [(f.rule, f.message) for f in self.findings(name) if f.rule in NEW_CODES]
        self.assertEqual(found, [], name)

    def test_py011_selection_definitions(self):
        findings = self.findings("mvt_py011")
        self.assertEqual([(f.rule, f.severity, f.path, f.line) for f in findings], [
            ("PY011", "error", "models/things.py", 8),
            ("PY011", "error", "models/things.py", 18),
            ("PY011", "error", "models/things.py", 24),
            ("PY011", "error", "models/things.py", 30),
        ])
        self.assertIn("selection value 1 is not a str", findings[0].message)
        self.assertIn("selection is not a list ('_get_levels')", findings[1].message)
        self.assertIn("ir.actions.report.report_type is required", findings[2].message)
        self.assertIn("'set null'", findings[2].message)
        self.assertIn("ondelete policy 'restrict'", findings[3].message)

    def test_py011_valid_extensions(self):
        self.assertEqual(self.findings("mvt_py011_ok"), [])

    def test_py015_settings_fields(self):
        findings = self.findings("mvt_py015")
        self.assertEqual([(f.rule, f.severity, f.line) for f in findings],
                         [("PY015", "warning", line) for line in (7, 8, 9, 10, 11)])
        messages = [f.message for f in findings]
        self.assertIn("default_mvt_note has no default_model", messages[0])
        self.assertIn("group_mvt_char is a Char", messages[1])
        self.assertIn("implied_group 'base.mvt_no_such_group' does not exist", messages[2])
        self.assertIn("module_mvt_text is a Char", messages[3])
        self.assertIn("mvt_body is a Text with config_parameter", messages[4])

    def test_py015_valid_settings_fields(self):
        self.assertEqual(self.findings("mvt_py015_ok"), [])

    def test_act005_reports(self):
        findings = self.findings("mvt_act005")
        self.assertEqual([(f.rule, f.severity, f.path, f.line) for f in findings], [
            ("ACT005", "error", "report/partner_report.xml", 9),
            ("ACT005", "warning", "report/partner_report.xml", 14),
            ("ACT005", "warning", "report/partner_report.xml", 16),
            ("ACT005", "warning", "report/partner_report.xml", 17),
        ])
        self.assertIn("report_type 'pdf' is not one of qweb-html, qweb-pdf, qweb-text",
                      findings[0].message)
        self.assertIn("the model 'res.partnr'", findings[1].message)
        self.assertIn("report_name 'mvt_act005.report_partnr'", findings[2].message)
        self.assertIn("is a res.company record, not a report.paperformat", findings[3].message)

    def test_act005_valid_report(self):
        self.assertEqual(self.findings("mvt_act005_ok"), [])

    def test_ast001_asset_declarations(self):
        findings = self.findings("mvt_ast001")
        # odoo-bin -i installs the fixture (exit 0, no WARNING): bundles are built
        # when a page needs them, so every finding is a warning (issue 9).
        self.assertEqual([(f.rule, f.severity, f.impact, f.line) for f in findings], [
            ("AST001", "warning", "runtime", 6),
            ("AST001", "warning", "runtime", 9),
            ("AST001", "warning", "hygiene", 10),
            ("AST001", "warning", "runtime", 11),
            ("AST001", "warning", "runtime", 12),
            ("AST001", "warning", "runtime", 13),
            ("AST001", "warning", "runtime", 14),
        ])
        messages = [f.message for f in findings]
        self.assertIn("'mvt_ast001_bundle' is not 'module.bundle'", messages[0])
        self.assertIn("unknown directive 'add'", messages[1])
        self.assertIn("matches no .js", messages[2])
        self.assertIn("'mvt_ast001/static/src/missing.js' does not exist", messages[3])
        self.assertIn("'sale', which is not in the dependencies", messages[4])
        self.assertIn("before target 'web/static/src/no_such_file.js'", messages[5])
        self.assertIn("'web/static/src/core' is no file of web/static/", messages[6])

    def test_ast001_valid_assets(self):
        self.assertEqual(self.findings("mvt_ast001_ok"), [])

    def test_dep005_python_references(self):
        findings = self.findings("mvt_dep005")
        self.assertEqual([(f.rule, f.severity, f.path, f.line) for f in findings], [
            ("DEP005", "error", "models/res_partner.py", 3),
            ("DEP005", "warning", "models/res_partner.py", 4),
            ("DEP005", "warning", "models/res_partner.py", 11),
        ])
        self.assertIn("odoo.addons.mvt_no_such_addon is not on the addons path", findings[0].message)
        self.assertIn("'mail' is not in the dependencies", findings[1].message)
        self.assertIn("env['sale.order']", findings[2].message)

    def test_dep005_guarded_references(self):
        self.assertEqual(self.findings("mvt_dep005_ok"), [])

    def test_clean_and_example_modules_stay_quiet(self):
        for name in ("mvt_clean", "mvt_static_ok"):
            self.assertNoNewFindings(name)

    def test_py016_package_imported_at_import_time_is_missing(self):
        # The interpreter is asked at the dynamic level only: files alone say nothing.
        self.assertEqual(self.findings("mvt_py016"), [])
        (finding,) = self.run_engine(["mvt_py016"], "dynamic").modules[0].findings
        self.assertEqual((finding.rule, finding.severity, finding.path, finding.line),
                         ("PY016", "error", "models/mvt_py016_partner.py", 1))
        self.assertIn("'mvt_package_nobody_installed'", finding.message)

    def test_py016_guarded_typed_and_deferred_imports(self):
        # try/except ImportError, if TYPE_CHECKING, an import inside a method, and an
        # installed package (lxml) do not stop Odoo from loading the module.
        self.assertEqual(self.run_engine(["mvt_py016_ok"], "dynamic").modules[0].findings, [])

    def test_py016_declared_distributions_cover_their_import_names(self):
        from ..engine.rules.import_rules import _declared_packages  # noqa: PLC0415

        declared = _declared_packages({"external_dependencies": {
            "python": ["erpbrasil.base", "github3.py>=4", "python-stdnum"]}})
        for imported in ("erpbrasil", "github3", "python_stdnum"):
            self.assertIn(imported, declared)
        self.assertNotIn("stdnum", declared)  # python-stdnum is imported as stdnum: not guessed
