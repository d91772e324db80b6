# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..engine import compat
from ..engine.facts import StaticFacts
from ..service import validation
from ..service.validation import ValidationRequest
from .common import EXAMPLES, ValidatorCase, odoo_bin

BROKEN = "mv_example_broken"


@tagged("post_install", "-at_install")
class TestProfiles(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Profile = cls.env["module.validator.profile"]
        cls.watcher = new_test_user(cls.env, "mv_watcher", groups="module_validator.group_module_validator_user")
        cls.manager = new_test_user(cls.env, "mv_profile_manager",
                                    groups="module_validator.group_module_validator_manager")

    def profile(self, **values):
        values = {"name": "Test profile", "module_selection": "list", "module_names": BROKEN,
                  "level": "static", **values}
        return self.Profile.create(values)

    def test_each_kind_of_module_selection(self):
        def validated(**values):
            run = self.profile(name=str(values), **values).action_run()
            return sorted(run.result_ids.mapped("name"))

        self.assertEqual(validated(module_names=f"{BROKEN}, mv_example_clean"),
                         [BROKEN, "mv_example_clean"])
        self.assertEqual(validated(module_selection="pattern", module_names="mv_example_*"),
                         [BROKEN, "mv_example_clean"])
        self.assertEqual(validated(module_selection="folder", module_names=EXAMPLES),
                         [BROKEN, "mv_example_clean"])
        installed = validated(module_selection="installed")
        self.assertIn("module_validator", installed)
        self.assertNotIn(BROKEN, installed)

    def test_a_selection_that_matches_nothing_fails_the_run_with_a_reason(self):
        run = self.profile(module_selection="pattern", module_names="zz_nothing_*").action_run()
        self.assertEqual(run.state, "failed")
        self.assertIn("zz_nothing_*", run.error_message)
        with self.assertRaises(ValidationError):
            self.profile(name="empty list", module_names=False)

    def test_run_links_to_its_profile_and_keeps_its_level_fail_on_and_rules(self):
        only_py001 = self.env.ref("module_validator.rule_py001")
        run = self.profile(rule_ids=[only_py001.id], fail_on="warning").action_run()
        self.assertEqual((run.profile_id.name, run.fail_on, run.origin), ("Test profile", "warning", "profile"))
        self.assertEqual(set(run.finding_ids.mapped("rule_code")), {"PY001"})
        everything = self.profile(name="all rules").action_run()
        self.assertGreater(len(set(everything.finding_ids.mapped("rule_code"))), 1)

    def test_time_budget_leaves_late_modules_unvalidated_and_failed(self):
        catalog = validation.build_catalog([EXAMPLES])
        request = ValidationRequest(names=("mv_example_clean",), time_budget_s=60)
        modules, _problem = validation.select_modules(catalog, request)
        report = validation.execute(request, modules, StaticFacts(catalog), version="test")
        self.assertEqual(report.verdict, "pass")
        late = validation.execute(request, modules, StaticFacts(catalog), version="test",
                                  started=time.monotonic() - 61)
        self.assertEqual(late.verdict, "fail")
        self.assertEqual([f.rule for f in late.modules[0].findings], ["MV002"])

    def test_scheduled_action_follows_the_profile(self):
        profile = self.profile(scheduled=True, interval_number=3, interval_type="hours")
        cron = profile.cron_id
        self.assertEqual((cron.active, cron.interval_number, cron.interval_type), (True, 3, "hours"))
        profile.write({"interval_type": "days", "name": "Renamed"})
        self.assertEqual(cron.interval_type, "days")
        self.assertIn("Renamed", cron.name)
        profile.action_archive()
        self.assertFalse(cron.active)
        profile.action_unarchive()
        self.assertTrue(cron.active)
        # 19.0 runs it in a cursor of its own: this test's transaction.
        with compat.registry_test_mode(self):
            cron.method_direct_trigger()
        self.assertEqual(profile.run_ids.origin, "cron")
        profile.unlink()
        self.assertFalse(cron.exists())

    def test_regressions_new_persisting_fixed_and_notification(self):
        profile = self.profile(notify_user_ids=[self.watcher.id])
        self.assertIn(self.watcher.partner_id, profile.message_partner_ids)
        first = profile.action_run()
        self.assertTrue(first.finding_ids)
        self.assertEqual(set(first.finding_ids.mapped("state")), {"new"})
        self.assertEqual(first.new_finding_count, len(first.finding_ids))
        notices = self.env["mail.message"].search([
            ("model", "=", profile._name), ("res_id", "=", profile.id),
            ("partner_ids", "in", self.watcher.partner_id.id),
        ])
        self.assertEqual(len(notices), 1)
        self.assertIn(first.name, notices.body)

        # The same code again: everything persists, nothing is fixed, nobody is told.
        second = profile.action_run()
        self.assertEqual(second.previous_run_id, first)
        self.assertEqual(set(second.finding_ids.mapped("state")), {"persisting"})
        self.assertEqual((second.new_finding_count, second.fixed_finding_count),
                         (0, 0))
        self.assertEqual(second.persisting_finding_count, len(first.finding_ids))

        # Fewer rules: their findings count as fixed, by fingerprint.
        profile.rule_ids = self.env.ref("module_validator.rule_py001")
        third = profile.action_run()
        gone = set(second.finding_ids.mapped("fingerprint")) - set(third.finding_ids.mapped("fingerprint"))
        self.assertTrue(gone)
        self.assertEqual(set(third.fixed_fingerprints.split()), gone)
        self.assertEqual(third.fixed_finding_count, len(gone))
        self.assertEqual(third.new_finding_count, 0)

        # Back to every rule: those findings are new again and the users hear of it.
        profile.rule_ids = False
        fourth = profile.action_run()
        self.assertEqual(fourth.new_finding_count, len(gone))
        self.assertEqual(self.env["mail.message"].search_count([
            ("model", "=", profile._name), ("res_id", "=", profile.id),
            ("partner_ids", "in", self.watcher.partner_id.id),
        ]), 2)

    def test_runs_without_profile_are_not_compared(self):
        run, _report = self.env["module.validator.run"]._launch([BROKEN], origin="test")
        self.assertEqual(set(run.finding_ids.mapped("state")), {False})
        self.assertFalse(run.previous_run_id)

    def test_users_run_profiles_but_only_managers_define_them(self):
        profile = self.profile()
        run = profile.with_user(self.watcher).action_run()
        self.assertEqual(run.user_id, self.watcher)
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.watcher).create({"name": "x", "module_selection": "custom"})
        with self.assertRaises(AccessError):
            profile.with_user(self.watcher).write({"level": "dynamic"})
        with self.assertRaises(AccessError):
            profile.with_user(self.watcher).unlink()
        managed = self.Profile.with_user(self.manager).create({"name": "mine", "module_selection": "custom",
                                                               "scheduled": True})
        self.assertTrue(managed.cron_id.active)
        managed.unlink()


@tagged("post_install", "-at_install")
class TestProfileCli(ValidatorCase):
    def validate(self, *args, database=False):
        return odoo_bin("validate", *args, database=self.env.cr.dbname if database else None)

    def test_validate_a_profile_from_the_command_line(self):
        result = self.validate("--profile", "Installed custom modules", "--level", "static",
                               "--format", "json", database=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        names = [module["name"] for module in json.loads(result.stdout)["modules"]]
        self.assertIn("module_validator", names)
        self.assertNotIn(BROKEN, names)
        self.assertTrue(all(m.get("code_fingerprint") for m in json.loads(result.stdout)["modules"]))
        unknown = self.validate("--profile", "No such profile", database=True)
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("no active profile named 'No such profile'", unknown.stderr)
        mixed = self.validate("--profile", "Installed custom modules", "--modules", BROKEN, database=True)
        self.assertEqual(mixed.returncode, 2)
