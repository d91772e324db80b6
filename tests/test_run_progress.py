# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Readable bulletproof findings (issue 11 item 2) and live run progress (items 3, 7)."""

import json
import os

from odoo.tests import tagged

from ..engine import discovery
from ..engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from .common import HERE, ValidatorCase

FIXTURES_INSTALL = os.path.join(HERE, "fixtures_install")


@tagged("post_install", "-at_install")
class TestRehearsalFindings(ValidatorCase):
    """Real odoo-bin installs: one finding per root cause, the traceback apart."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.launcher = odoo_launcher([FIXTURES_INSTALL])
        addons_paths, core_paths = discovery.odoo_paths()
        cls.install_catalog = discovery.discover([FIXTURES_INSTALL, *addons_paths], core_paths=core_paths)
        cls.rehearsal = Rehearsal(cls.launcher, cls.install_catalog)

    def rehearse(self, name):
        return self.rehearsal.fresh_install(self.install_catalog.get(name), demo=False)

    def assertNoServerPath(self, text):
        for root in [*self.launcher.addons_path.split(","), os.path.dirname(HERE)]:
            self.assertNotIn(os.path.realpath(root) + os.sep, text or "")

    def test_python_error_gives_one_finding_with_its_root_cause(self):
        issues = self.rehearse("mvb_python_error")
        self.assertEqual([code for code, _ in issues], ["TST001"], [i.message for _, i in issues])
        issue = issues[0][1]
        self.assertEqual(issue.message.splitlines()[0],
                         "The install without demo data fails: NameError: name 'DEFAULT_SIZE' is not defined")
        self.assertEqual((issue.path, issue.line), ("models/thing.py", 10))
        self.assertIn("Traceback (most recent call last)", issue.excerpt)
        self.assertIn('File "mvb_python_error/models/thing.py", line 10', issue.excerpt)
        self.assertNoServerPath(issue.message)
        self.assertNoServerPath(issue.excerpt)

    def test_missing_dependency_points_at_the_manifest_without_consequence_warnings(self):
        issues = self.rehearse("mvb_missing_dep")
        # No "Transient module states were reset" (TST006): a consequence, not a cause.
        self.assertEqual([code for code, _ in issues], ["TST001"], [i.message for _, i in issues])
        issue = issues[0][1]
        self.assertIn('UserError: You try to install module "mvb_missing_dep" that depends on module '
                      '"mvb_no_such_module"', issue.message)
        self.assertEqual(issue.path, "__manifest__.py")
        self.assertNotIn("Failed to load registry", issue.message)
        self.assertIn("Failed to load registry", issue.excerpt)

    def test_bad_data_ref_says_the_cause_and_the_file(self):
        issues = self.rehearse("mvb_bad_data_ref")
        self.assertEqual([code for code, _ in issues], ["TST001"])
        issue = issues[0][1]
        self.assertIn("while parsing mvb_bad_data_ref/data/thing_data.xml:3: ValueError: "
                      "External ID not found in the system: base.no_such_partner", issue.message)
        self.assertEqual((issue.path, issue.line), ("data/thing_data.xml", 3))

    def test_a_run_stores_the_excerpt_apart_and_the_json_has_it(self):
        run, report = self.env["module.validator.run"]._launch(
            ["mvb_python_error"], level="bulletproof", origin="test", extra_paths=[FIXTURES_INSTALL],
        )
        findings = run.finding_ids.filtered(lambda f: f.rule_code == "TST001")
        # One root cause per rehearsal: with and without demo data.
        self.assertEqual(len(findings), 2, findings.mapped("message"))
        self.assertFalse(run.finding_ids.filtered(lambda f: f.rule_code == "TST006"))
        for finding in findings:
            self.assertIn("NameError", finding.message)
            self.assertNotIn("Traceback", finding.message)
            self.assertIn("Traceback", finding.excerpt)
        data = json.loads(json.dumps(report.as_dict()))
        self.assertTrue(all(f.get("excerpt") for f in data["modules"][0]["findings"] if f["rule"] == "TST001"))


@tagged("post_install", "-at_install")
class TestRunProgress(ValidatorCase):
    """A queued run: live counters, progress, bus messages, Process now, Cancel."""

    def queue(self, names):
        run, report = self.env["module.validator.run"]._launch(
            names, level="static", origin="wizard", background=True)
        self.assertIsNone(report)
        return run

    def bus_messages(self, kind):
        return [value for value in self.env.cr.precommit.data.get("bus.bus.values", [])
                if json.loads(value["message"])["type"] == kind]

    def test_counters_progress_and_bus_follow_each_stored_module(self):
        run = self.queue(["mv_example_broken", "mv_example_clean"])
        self.assertEqual((run.state, run.progress_percent), ("queued", 0.0))
        Run = self.env["module.validator.run"]
        Run._cron_process_queue()
        self.assertEqual((run.state, run.progress_percent), ("running", 50.0))
        broken = run.result_ids.filtered(lambda r: r.name == "mv_example_broken")
        # Live counters: the errors of the module validated so far, not 0.
        self.assertEqual((run.error_count, run.failed_module_count, run.module_count),
                         (broken.error_count, 1, 1))
        self.assertGreater(run.error_count, 0)
        updates = self.bus_messages("module_validator.run/updated")
        self.assertEqual(json.loads(updates[-1]["message"])["payload"]["id"], run.id)
        self.assertFalse(self.bus_messages("simple_notification"))
        Run._cron_process_queue()
        self.assertEqual((run.state, run.verdict), ("done", "fail"))
        notices = self.bus_messages("simple_notification")
        self.assertEqual(len(notices), 1)
        notice = json.loads(notices[0]["message"])["payload"]
        self.assertEqual((notice["title"], notice["type"]), ("Validation finished", "danger"))
        self.assertIn(run.name, notice["message"])
        self.assertIn(str(run.user_id.partner_id.id), notices[0]["channel"])

    def test_process_now_triggers_the_queue_cron(self):
        run = self.queue(["mv_example_clean"])
        cron = self.env.ref("module_validator.ir_cron_module_validator_process_queue")
        before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = run.action_process_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), before)
        self.assertEqual(run.state, "queued")

    def test_cancel_drops_pending_modules_and_says_so(self):
        run = self.queue(["mv_example_broken", "mv_example_clean"])
        self.env["module.validator.run"]._cron_process_queue()
        run.action_cancel()
        self.assertEqual((run.state, run.pending_modules), ("cancelled", ""))
        self.assertIn("Cancelled by", run.error_message)
        self.assertIn("1 of 2", run.error_message)
        self.assertEqual(run.module_count, 1)
        self.assertFalse(self.env["module.validator.run"]._cron_process_queue())
