# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The severity contract: every rule and every finding states an impact that
its severity follows (install/build = error, warning-log/runtime = warning,
hygiene = info or warning). What each impact means was proven by real
installs of the fixtures (bench/run contract)."""

import json
import os

import jsonschema

from odoo.tests import tagged

from ..engine.rules import RULES
from ..engine.rules.registry import IMPACT_SEVERITIES, IMPACTS, Issue, coherent, finding_impact
from .common import FIXTURES, ValidatorCase
from .test_engine import REPORT_SCHEMA


@tagged("post_install", "-at_install")
class TestSeverityContract(ValidatorCase):
    def findings(self, name):
        return self.run_engine([name]).modules[0].findings

    def test_every_rule_states_an_impact_its_severity_follows(self):
        self.assertGreaterEqual(len(RULES), 89)
        for code, rule in RULES.items():
            with self.subTest(code=code):
                self.assertIn(rule.impact, IMPACTS)
                self.assertIn(rule.severity, IMPACT_SEVERITIES[rule.impact])
                if rule.severity == "error":
                    self.assertIn(rule.impact, ("install", "build"))
                else:
                    self.assertNotIn(rule.impact, ("install", "build"))

    def test_every_finding_on_every_fixture_is_coherent(self):
        names = sorted(n for n in os.listdir(FIXTURES) if n in self.catalog
                       and os.path.realpath(self.catalog.get(n).path).startswith(FIXTURES))
        self.assertGreater(len(names), 90)
        report = self.run_engine(names)
        impacts = set()
        for module in report.modules:
            for finding in module.findings:
                with self.subTest(module=module.name, rule=finding.rule, message=finding.message):
                    self.assertTrue(coherent(finding.severity, finding.impact), finding.impact)
                impacts.add(finding.impact)
        # The fixtures exercise every impact.
        self.assertEqual(impacts, set(IMPACTS))

    def test_an_issue_keeping_its_rules_severity_keeps_its_impact(self):
        rule = RULES["DAT004"]
        self.assertEqual(finding_impact(rule, Issue("data/x.xml", 1, "m")), "install")
        # Odoo loads demo files in a savepoint: a refused record there only fails the demo data.
        self.assertEqual(finding_impact(rule, Issue("demo/x.xml", 1, "m"), {"demo/x.xml"}), "build")
        # A check lowering the severity without an impact gets the first one the severity allows.
        self.assertEqual(finding_impact(rule, Issue("data/x.xml", 1, "m", severity="warning")),
                         "warning-log")
        self.assertEqual(finding_impact(rule, Issue("", 1, "m", severity="warning", impact="runtime")),
                         "runtime")

    def test_a_demo_file_problem_is_a_red_build_not_a_refused_install(self):
        findings = [f for f in self.findings("mvt_dat002") if f.rule == "DAT002"]
        by_path = {f.path: f.impact for f in findings}
        self.assertEqual(by_path["demo/partners_demo.xml"], "build")
        self.assertIn("install", by_path.values())

    # -- the three re-graded false errors of issue 9 ------------------------------
    def test_act002_tree_in_an_action_installs_and_breaks_when_opened(self):
        # odoo-bin -i: exit 0, installed, no WARNING, for 'tree,form' in XML and in Python.
        findings = self.findings("mvt_act002")
        self.assertEqual([(f.rule, f.path, f.severity, f.impact) for f in findings],
                         [("ACT002", "actions.py", "warning", "runtime"),
                          ("ACT002", "data/actions.xml", "warning", "runtime")])

    def test_act002_what_odoo_refuses_stays_an_error(self):
        # odoo-bin -i: exit 255, "ValidationError: The modes in view_mode must not be
        # duplicated" and "Wrong value for ir.actions.act_window.view.view_mode: 'tree'".
        findings = self.findings("mvt_act002_install")
        self.assertEqual([(f.rule, f.line, f.severity, f.impact) for f in findings],
                         [("ACT002", 8, "error", "install"), ("ACT002", 12, "error", "install")])
        self.assertIn("repeats a mode", findings[0].message)

    def test_py007_missing_compute_computed_during_the_install_is_an_error(self):
        # odoo-bin -i: exit 255, AttributeError: 'res.partner' object has no attribute
        # '_compute_mvt_totl' (the new stored column is computed for the existing partners).
        findings = self.findings("mvt_py007")
        self.assertEqual([(f.rule, f.line, f.severity, f.impact) for f in findings],
                         [("PY007", 7, "error", "install"), ("PY007", 8, "warning", "runtime")])
        self.assertIn("rows the table already has", findings[0].message)

    def test_py007_missing_methods_odoo_never_calls_at_install_are_warnings(self):
        # odoo-bin -i: exit 0, installed: a new table, a non-stored compute, an inverse.
        findings = self.findings("mvt_py007_runtime")
        self.assertEqual(sorted((f.path, f.line, f.severity, f.impact) for f in findings), [
            ("models/res_partner.py", 7, "warning", "runtime"),
            ("models/res_partner.py", 8, "warning", "runtime"),
            ("models/thing.py", 11, "warning", "runtime"),
        ])

    def test_mig007_accepts_a_migrate_under_the_openupgrade_decorator(self):
        # odoo-bin -u with openupgradelib 3.13.7: the decorated migrate(env, version)
        # runs; the plain one stops the upgrade with TypeError (exit 255).
        findings = self.findings("mvt_mig007")
        self.assertEqual([(f.rule, f.path, f.severity, f.impact) for f in findings],
                         [("MIG007", "migrations/18.0.1.0.1/pre-plain.py", "error", "install")])

    # -- where the impact goes -----------------------------------------------------
    def test_rule_records_and_stored_findings_carry_the_impact(self):
        rules = self.env["module.validator.rule"].with_context(active_test=False).search(
            [("is_custom", "=", False)])
        self.assertEqual({r.code: r.impact for r in rules}, {c: r.impact for c, r in RULES.items()})
        run, report = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        self.assertTrue(run.finding_ids)
        for finding in run.finding_ids:
            self.assertTrue(coherent(finding.severity, finding.impact), finding.rule_code)
        engine = {f.fingerprint: f.impact for m in report.modules for f in m.findings}
        self.assertEqual({f.fingerprint: f.impact for f in run.finding_ids}, engine)

    def test_json_report_states_the_impact_and_fits_the_schema(self):
        values = json.loads(json.dumps(self.run_engine(["mvt_py007"]).as_dict()))
        jsonschema.validate(values, REPORT_SCHEMA)
        self.assertEqual([f["impact"] for f in values["modules"][0]["findings"]],
                         ["install", "runtime"])

    def test_custom_rules_default_to_hygiene(self):
        rule = self.env["module.validator.rule"].create({
            "code": "X-MVIMPACT1", "name": "No print", "custom_kind": "regex",
            "pattern": r"print\(", "file_glob": "**/*.py",
        })
        self.assertEqual(rule.impact, "hygiene")
        (spec,) = [s for s in rule._custom_rule_specs() if s["code"] == "X-MVIMPACT1"]
        self.assertEqual(spec["impact"], "hygiene")


@tagged("post_install", "-at_install")
class TestClosureChains(ValidatorCase):
    """Faults deeper in the dependency closure refuse the install of the module
    itself (odoo-bin -i mvt_dep001_chain: exit 255, UserError 'You try to install
    module "mvt_dep001" that depends on module "mvt_not_on_any_path"'; odoo-bin -i
    mvt_man009_chain: exit 255, 'Unable to install module "mvt_man009_bin" because
    an external dependency is not met: Unable to find 'mvt-binary-not-on-path' in
    path'). They are reported on the module validated, with the chain."""

    def rule_findings(self, name, rule, level="static"):
        return [f for f in self.run_engine([name], level).modules[0].findings if f.rule == rule]

    def test_dep001_names_the_chain_to_a_missing_dependency_of_a_dependency(self):
        (finding,) = self.rule_findings("mvt_dep001_chain", "DEP001")
        self.assertEqual((finding.severity, finding.impact), ("error", "install"))
        self.assertIn("mvt_dep001_chain → mvt_dep001 → mvt_not_on_any_path", finding.message)
        # The dependency itself still gets the direct finding, without a chain.
        (direct,) = self.rule_findings("mvt_dep001", "DEP001")
        self.assertNotIn("→", direct.message)

    def test_dep001_silent_when_the_whole_closure_is_available(self):
        self.assertEqual(self.rule_findings("mvt_dep006", "DEP001"), [])
        self.assertEqual(self.rule_findings("mvt_clean", "DEP001"), [])

    def test_man009_names_the_chain_to_missing_packages_and_binaries(self):
        findings = self.rule_findings("mvt_man009_chain", "MAN009", "dynamic")
        messages = sorted(f.message for f in findings)
        self.assertEqual(len(messages), 2, messages)
        self.assertIn("'mvt-binary-not-on-path' is not on the PATH", messages[0])
        self.assertIn("mvt_man009_chain → mvt_man009_bin", messages[0])
        self.assertIn("'mvt_package_not_installed' is not installed", messages[1])
        self.assertIn("mvt_man009_chain → mvt_man009", messages[1])
        self.assertEqual({(f.severity, f.impact) for f in findings}, {("error", "install")})
        (own,) = self.rule_findings("mvt_man009_bin", "MAN009", "dynamic")
        self.assertNotIn("→", own.message)

    def test_man009_silent_on_a_closure_whose_dependencies_are_met(self):
        # mvt_dep006 reaches a fixture of its own (mvt_dep006_provider) that declares nothing.
        self.assertEqual(self.rule_findings("mvt_dep006", "MAN009", "dynamic"), [])
        self.assertEqual(self.rule_findings("mvt_clean", "MAN009", "dynamic"), [])

    def test_sec002_acl_row_naming_a_group_that_does_not_exist(self):
        # odoo-bin -i: the CSV import finds no record for 'base.group_no_such_group'.
        (finding,) = self.rule_findings("mvt_sec002_group", "SEC002")
        self.assertEqual((finding.severity, finding.impact), ("error", "install"))
        self.assertIn("no group 'base.group_no_such_group'", finding.message)
