# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRulesDeployment(ValidatorCase):
    """PY014 (field labels) and the deployment rules ODS001-ODS003 on their fixtures."""

    def findings(self, name, level="static", code=None):
        findings = self.run_engine([name], level).modules[0].findings
        return [f for f in findings if code is None or f.rule == code]

    def set_state(self, name, state):
        Module = self.env["ir.module.module"].with_context(active_test=False)
        module = Module.search([("name", "=", name)])
        if module:
            module.state = state
        else:
            Module.create({"name": name, "state": state})

    def test_py014_duplicate_labels_own_derived_and_inherited(self):
        findings = self.findings("mvt_py014")
        self.assertEqual([(f.rule, f.severity, f.line) for f in findings],
                         [("PY014", "warning", 10), ("PY014", "warning", 15),
                          ("PY014", "warning", 21)])
        messages = " ".join(f.message for f in findings)
        # A label given as string= and one Odoo derives from the name (partner_id).
        self.assertIn("customer_id, partner_id of 'mvt.py014.thing' have the same label "
                      "'Partner'", messages)
        # The automatic create_date, and a field of the model in the closure.
        self.assertIn("create_date, created", messages)
        self.assertIn("lang, mvt_lang of 'res.partner'", messages)
        # Related fields and positional labels are unknown, never reported.
        self.assertNotIn("partner_name", messages)
        self.assertNotIn("title", messages)

    def test_ods002_python_dependency_not_in_requirements(self):
        (finding,) = self.findings("mvt_ods002")
        self.assertEqual((finding.rule, finding.severity), ("ODS002", "warning"))
        self.assertIn("'mvt_ods002_unlisted_package'", finding.message)

    def test_ods002_listed_with_other_spelling_and_pins(self):
        self.assertEqual(self.findings("mvt_ods002_listed"), [])
        # MAN009's package is listed in its requirements.txt, only not installed.
        self.assertEqual(self.findings("mvt_man009", code="ODS002"), [])

    def test_ods001_installed_dependency_missing_from_the_addons_path(self):
        self.assertEqual(self.findings("mvt_ods001", "dynamic", "ODS001"), [])
        self.set_state("mvt_ods001_gone", "installed")
        (finding,) = self.findings("mvt_ods001", "dynamic", "ODS001")
        self.assertEqual(finding.severity, "error")
        self.assertIn("'mvt_ods001_gone' is installed in the database but is not on the "
                      "addons path", finding.message)
        # Static level: no database, no finding.
        self.assertEqual(self.findings("mvt_ods001", code="ODS001"), [])

    def test_ods001_installed_dependency_not_installable(self):
        self.set_state("mvt_ods001_mid", "to upgrade")
        self.env["ir.module.module"].flush_model()
        source = self.catalog.get("mvt_ods001_mid")
        self.patch(source, "manifest", {**source.manifest, "installable": False})
        findings = self.findings("mvt_ods001", "dynamic", "ODS001")
        self.assertEqual([f.message for f in findings],
                         ["Dependency 'mvt_ods001_mid' is to upgrade in the database but "
                          "is not installable: Odoo will not load it."])

    def test_ods003_transient_states_in_the_closure_only(self):
        self.set_state("mvt_ods003_unrelated", "to install")
        self.assertEqual(self.findings("mvt_ods003", "dynamic", "ODS003"), [])
        self.set_state("mvt_ods003", "to upgrade")
        (finding,) = self.findings("mvt_ods003", "dynamic", "ODS003")
        self.assertEqual(finding.severity, "error")
        self.assertIn("This module is in state 'to upgrade'", finding.message)
        self.assertEqual(self.findings("mvt_ods003", code="ODS003"), [])
