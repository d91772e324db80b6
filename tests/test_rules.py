# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from ..engine.index import ModuleIndex
from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRules(ValidatorCase):
    """Each rule fires on its fixture, with the exact codes, and not elsewhere."""

    def test_clean_fixture_has_no_finding_at_any_level(self):
        self.assertEqual(self.codes("mvt_clean"), [])
        self.assertEqual(self.codes("mvt_clean", "dynamic"), [])

    def test_real_odoo_modules_have_no_finding(self):
        report = self.run_engine(["base", "web", "mail", "sale"], "dynamic")
        findings = [f.as_dict() for m in report.modules for f in m.findings]
        self.assertEqual(findings, [])

    def test_man001_manifest_not_a_literal(self):
        report = self.run_engine(["mvt_man001"])
        (finding,) = report.modules[0].findings
        self.assertEqual((finding.rule, finding.severity, finding.path), ("MAN001", "error", "__manifest__.py"))
        self.assertIn("not a Python literal", finding.message)

    def test_man001_manifest_not_utf8(self):
        (finding,) = self.run_engine(["mvt_hostile_manifest"]).modules[0].findings
        self.assertEqual(finding.rule, "MAN001")
        self.assertIn("not UTF-8", finding.message)

    def test_man002_version_of_another_series(self):
        report = self.run_engine(["mvt_man002"])
        (finding,) = report.modules[0].findings
        self.assertEqual((finding.rule, finding.line), ("MAN002", 1))
        self.assertIn("'17.0.1.0.0'", finding.message)

    def test_man004_misspelt_and_unknown_keys(self):
        findings = self.run_engine(["mvt_man004"]).modules[0].findings
        by_impact = {f.impact: f.message for f in findings}
        self.assertEqual([(f.rule, f.severity) for f in findings], [("MAN004", "warning")] * 2)
        # Odoo installs the module without the files of 'datas' (issue 9: was an error).
        self.assertIn("Did you mean 'data'", by_impact["runtime"])
        self.assertIn("'colour'", by_impact["hygiene"])

    def test_man005_string_depends(self):
        self.assertEqual(self.codes("mvt_man005"), ["MAN005"])

    def test_man010_missing_wrong_case_and_escaping_files(self):
        findings = self.run_engine(["mvt_man010"]).modules[0].findings
        self.assertEqual([f.rule for f in findings], ["MAN010"] * 3)
        messages = " ".join(f.message for f in findings)
        self.assertIn("views/Views.xml does not exist", messages)
        self.assertIn("views/absent.xml does not exist", messages)
        self.assertIn("points outside the module", messages)

    def test_man013_licence_not_accepted_and_missing(self):
        (bad,) = self.run_engine(["mvt_man013"]).modules[0].findings
        self.assertEqual((bad.rule, bad.severity), ("MAN013", "error"))
        (missing,) = self.run_engine(["mvt_man013_missing"]).modules[0].findings
        self.assertEqual((missing.rule, missing.severity), ("MAN013", "warning"))

    def test_dep001_dependency_not_on_addons_path(self):
        (finding,) = self.run_engine(["mvt_dep001"]).modules[0].findings
        self.assertEqual(finding.rule, "DEP001")
        self.assertIn("'mvt_not_on_any_path'", finding.message)

    def test_dat001_malformed_xml(self):
        (finding,) = self.run_engine(["mvt_dat001"]).modules[0].findings
        self.assertEqual((finding.rule, finding.path, finding.line), ("DAT001", "data/broken.xml", 3))

    def test_dat001_entities_are_not_resolved(self):
        # An external entity must neither be read nor crash the parse. Odoo does not
        # resolve entities either: the reference stays and import_xml.rng refuses the
        # record (a real install fails with "Element odoo has extra content: record").
        (finding,) = self.run_engine(["mvt_hostile_xml"]).modules[0].findings
        self.assertEqual((finding.rule, finding.severity, finding.line), ("DAT002", "error", 4))
        self.assertIn("extra content", finding.message)
        tree = ModuleIndex(self.catalog.get("mvt_hostile_xml")).xml("data/entity.xml")
        self.assertNotIn("root:", "".join(tree.getroot().itertext()))

    def test_py001_syntax_error(self):
        (finding,) = self.run_engine(["mvt_py001"]).modules[0].findings
        self.assertEqual((finding.rule, finding.path, finding.line), ("PY001", "broken.py", 1))

    def test_py002_import_time_name_and_missing_import(self):
        findings = self.run_engine(["mvt_py002"]).modules[0].findings
        self.assertEqual(
            sorted((f.rule, f.path, f.line) for f in findings),
            [("PY002", "__init__.py", 2), ("PY002", "models/thing.py", 8)],
        )
        self.assertIn("'DEFAULT_SIZE'", " ".join(f.message for f in findings))
        self.assertIn("'wizards'", " ".join(f.message for f in findings))

    def test_dat012_csv_named_after_no_model_and_without_id(self):
        findings = self.run_engine(["mvt_dat012"]).modules[0].findings
        self.assertEqual([f.rule for f in findings], ["DAT012", "DAT012"])
        self.assertIn("No model 'ir_model_access'", findings[0].message)
        self.assertIn("no 'id' column", findings[1].message)

    def test_man009_only_at_dynamic_level(self):
        self.assertEqual(self.codes("mvt_man009"), [])
        self.assertEqual(self.codes("mvt_man009", "dynamic"), ["MAN009"])

    def test_broken_example_gives_the_expected_findings(self):
        self.assertEqual(
            self.codes("mv_example_broken", "dynamic"),
            ["DAT001", "DAT012", "DEP001", "MAN004", "MAN009", "MAN010", "ODS002", "PY001"],
        )
        self.assertEqual(self.codes("mv_example_clean", "dynamic"), [])
