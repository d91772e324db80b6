# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ValidatorCase

BROKEN = "mv_example_broken"


@tagged("post_install", "-at_install")
class TestWaivers(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mv_waiver_user", groups="module_validator.group_module_validator_user")
        cls.manager = new_test_user(cls.env, "mv_waiver_manager",
                                    groups="module_validator.group_module_validator_manager")
        cls.Waiver = cls.env["module.validator.waiver"]

    def launch(self, names=(BROKEN,), **kwargs):
        return self.env["module.validator.run"]._launch(list(names), origin="test", **kwargs)

    def waive_everything(self, run, expiry):
        """One waiver per (rule, module) of the run's error findings, as a manager."""
        pairs = {(f.rule_id, f.module_name) for f in run.finding_ids if f.severity == "error"}
        return self.Waiver.with_user(self.manager).create([
            {"rule_id": rule.id, "module_name": module, "justification": "Known, fixed in next sprint",
             "expiry_date": expiry}
            for rule, module in pairs
        ])

    def test_waived_findings_stay_visible_but_no_longer_fail_the_run(self):
        failing, report = self.launch()
        self.assertEqual(failing.verdict, "fail")
        errors = failing.error_count
        waivers = self.waive_everything(failing, date.today() + timedelta(days=30))
        waived, report = self.launch()
        self.assertEqual(waived.verdict, "pass")
        self.assertEqual(len(waived.finding_ids), len(failing.finding_ids))
        error_findings = waived.finding_ids.filtered(lambda f: f.severity == "error")
        self.assertTrue(all(error_findings.mapped("waived")))
        self.assertEqual(error_findings.waiver_id, waivers)
        self.assertEqual((waived.error_count, waived.waived_count), (0, errors))
        self.assertEqual(report.verdict, "pass")
        self.assertTrue(all(f["waived"] for m in report.as_dict()["modules"]
                            for f in m["findings"] if f["severity"] == "error"))
        self.assertEqual(sum(waivers.mapped("finding_count")), errors)

    def test_a_path_glob_limits_the_waiver_to_those_files(self):
        run, _report = self.launch()
        finding = run.finding_ids.filtered(lambda f: f.severity == "error" and f.path)[:1]
        self.assertTrue(finding)
        self.Waiver.create({"rule_id": finding.rule_id.id, "module_name": BROKEN,
                            "path_glob": "no_such_folder/*", "justification": "x",
                            "expiry_date": date.today() + timedelta(days=5)})
        elsewhere, _report = self.launch()
        self.assertFalse(elsewhere.finding_ids.filtered(lambda f: f.fingerprint == finding.fingerprint).waiver_id)
        self.Waiver.create({"rule_id": finding.rule_id.id, "module_name": BROKEN,
                            "path_glob": finding.path, "justification": "x",
                            "expiry_date": date.today() + timedelta(days=5)})
        here, _report = self.launch()
        self.assertTrue(here.finding_ids.filtered(lambda f: f.fingerprint == finding.fingerprint).waiver_id)

    def test_an_expired_waiver_stops_applying(self):
        run, _report = self.launch()
        self.waive_everything(run, date.today() + timedelta(days=10))
        with freeze_time(date.today() + timedelta(days=10)):
            still, _report = self.launch()
            self.assertEqual(still.verdict, "pass")
        with freeze_time(date.today() + timedelta(days=11)):
            expired, _report = self.launch()
            self.assertEqual(expired.verdict, "fail")
            self.assertFalse(expired.finding_ids.waiver_id)
            self.assertEqual(self.Waiver.search_count([("is_expired", "=", True)]),
                             len(self.Waiver.search([])))

    def test_justification_and_expiry_are_required_and_bounded(self):
        rule = self.env.ref("module_validator.rule_py001")
        base = {"rule_id": rule.id, "module_name": BROKEN, "justification": "ok",
                "expiry_date": date.today() + timedelta(days=180)}
        self.Waiver.create(base)
        with self.assertRaises(ValidationError):
            self.Waiver.create(dict(base, expiry_date=date.today() + timedelta(days=181)))
        with self.assertRaises(ValidationError):
            self.Waiver.create(dict(base, justification="   "))
        self.env["ir.config_parameter"].sudo().set_param("module_validator.waiver_max_days", "30")
        with self.assertRaises(ValidationError):
            self.Waiver.create(base)

    def test_only_managers_waive_and_the_trail_is_kept(self):
        rule = self.env.ref("module_validator.rule_py001")
        values = {"rule_id": rule.id, "module_name": BROKEN, "justification": "ok",
                  "expiry_date": date.today() + timedelta(days=7)}
        with self.assertRaises(AccessError):
            self.Waiver.with_user(self.user).create(values)
        waiver = self.Waiver.with_user(self.manager).create(values)
        self.assertEqual(waiver.create_uid, self.manager)
        self.assertEqual(waiver.with_user(self.user).justification, "ok")
        with self.assertRaises(AccessError):
            waiver.with_user(self.user).write({"justification": "changed"})
        with self.assertRaises(AccessError):
            waiver.with_user(self.user).unlink()
        # The suite disables tracking by default; a user's database does not.
        waiver.with_user(self.manager).with_context(tracking_disable=False, mail_notrack=False).write(
            {"justification": "Vendor fix due in March"}
        )
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = waiver.sudo().message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "justification")
        self.assertEqual(tracked.old_value_text, "ok")
        # A waiver that accepted findings is audit trail: archived, never deleted.
        self.launch()
        self.assertTrue(waiver.finding_ids)
        with self.assertRaises(UserError):
            waiver.with_user(self.manager).unlink()
        waiver.with_user(self.manager).action_archive()
        self.assertFalse(waiver.active)

    def test_waive_button_prefills_the_waiver(self):
        run, _report = self.launch()
        finding = run.finding_ids[:1]
        action = finding.action_waive()
        self.assertEqual(action["res_model"], "module.validator.waiver")
        self.assertEqual(action["context"]["default_module_name"], BROKEN)
        self.assertEqual(action["context"]["default_rule_id"], finding.rule_id.id)
