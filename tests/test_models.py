# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..engine.rules import RULES
from .common import EXAMPLES, ValidatorCase


@tagged("post_install", "-at_install")
class TestModels(ValidatorCase):
    def test_every_engine_rule_is_a_record_with_its_knowledge(self):
        rules = self.env["module.validator.rule"].with_context(active_test=False).search([])
        self.assertEqual(set(rules.mapped("code")), set(RULES))
        man010 = rules.filtered(lambda r: r.code == "MAN010")
        self.assertEqual(man010.level, "static")
        self.assertEqual(man010.severity, "error")
        self.assertIn("case-sensitive", man010.rationale)
        self.assertTrue(man010.bad_example and man010.good_example and man010.remedy and man010.prevents)
        self.assertEqual(self.env.ref("module_validator.rule_man010"), man010)

    def test_sync_keeps_what_users_tuned_and_refreshes_knowledge(self):
        rule = self.env.ref("module_validator.rule_dep001")
        rule.write({"severity": "warning", "active": False})
        rule.sudo().write({"rationale": "stale"})
        self.env["module.validator.rule"]._sync_from_engine()
        self.assertEqual((rule.severity, rule.active), ("warning", False))
        self.assertEqual(rule.rationale, RULES["DEP001"].rationale)

    def test_tuned_rules_apply_to_runs(self):
        self.env.ref("module_validator.rule_py001").active = False
        self.env.ref("module_validator.rule_dep001").severity = "warning"
        run, _report = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        self.assertNotIn("PY001", run.finding_ids.mapped("rule_code"))
        dep = run.finding_ids.filtered(lambda f: f.rule_code == "DEP001")
        self.assertEqual(dep.severity, "warning")

    def test_launch_stores_run_results_and_findings(self):
        run, report = self.env["module.validator.run"]._launch(
            ["mv_example_broken", "mv_example_clean", "base"], level="dynamic", origin="test"
        )
        self.assertEqual((run.state, run.verdict, run.origin, run.level), ("done", "fail", "test", "dynamic"))
        self.assertTrue(run.name.startswith("VAL/"))
        self.assertEqual(run.user_id, self.env.user)
        self.assertEqual(run.module_count, 3)
        self.assertEqual(run.failed_module_count, 1)
        self.assertEqual(run.error_count, report.counts()["error"])
        broken = run.result_ids.filtered(lambda r: r.name == "mv_example_broken")
        self.assertEqual((broken.verdict, broken.origin), ("fail", "addons_path"))
        self.assertEqual(broken.error_count, len(broken.finding_ids.filtered(lambda f: f.severity == "error")))
        # 'datas' is a warning since issue 9: Odoo installs without its files.
        self.assertGreaterEqual(broken.error_count, 6)
        self.assertTrue(broken.path.startswith(EXAMPLES))
        base = run.result_ids.filtered(lambda r: r.name == "base")
        self.assertEqual((base.verdict, base.origin, base.error_count), ("pass", "installed", 0))
        finding = broken.finding_ids.filtered(lambda f: f.rule_code == "PY001")
        self.assertEqual(finding.rule_id, self.env.ref("module_validator.rule_py001"))
        self.assertEqual((finding.path, finding.line), ("models/mv_example_broken_thing.py", 10))
        self.assertEqual(finding.run_id, run)
        self.assertEqual(finding.level, "dynamic")

    def test_same_problem_same_fingerprint_across_runs(self):
        first, _ = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        second, _ = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        self.assertEqual(
            sorted(first.finding_ids.mapped("fingerprint")), sorted(second.finding_ids.mapped("fingerprint"))
        )

    def test_finished_runs_are_read_only(self):
        run, _ = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        with self.assertRaises(UserError):
            run.write({"verdict": "pass"})
        with self.assertRaises(UserError):
            run.finding_ids[0].sudo().write({"message": "edited"})
        with self.assertRaises(UserError):
            run.result_ids.sudo().write({"verdict": "pass"})

    def test_unknown_module_gives_a_failed_run_with_a_message(self):
        run, report = self.env["module.validator.run"]._launch(["mvt_no_such_module"], origin="test")
        self.assertIsNone(report)
        self.assertEqual(run.state, "failed")
        self.assertIn("mvt_no_such_module", run.error_message)

    def test_deleting_a_run_deletes_its_results_and_findings(self):
        run, _ = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        findings, results = run.finding_ids, run.result_ids
        run.unlink()
        self.assertFalse(findings.exists())
        self.assertFalse(results.exists())

    def test_rule_and_run_actions_open_their_findings(self):
        run, _ = self.env["module.validator.run"]._launch(["mv_example_broken"], origin="test")
        action = run.action_view_findings()
        errors = self.env["module.validator.finding"].search(action["domain"])
        self.assertEqual(len(errors), run.error_count)
        self.assertEqual(errors, run.finding_ids.filtered(lambda f: f.severity == "error"))
        rule = self.env.ref("module_validator.rule_dat001")
        self.assertGreaterEqual(rule.finding_count, 1)
        found = self.env["module.validator.finding"].search(rule.action_view_findings()["domain"])
        self.assertEqual(found.rule_id, rule)
        self.assertEqual(rule.display_name, f"DAT001 {rule.name}")
