# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestSecurity(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mv_user", groups="module_validator.group_module_validator_user")
        cls.other_user = new_test_user(cls.env, "mv_user2", groups="module_validator.group_module_validator_user")
        cls.manager = new_test_user(cls.env, "mv_manager", groups="module_validator.group_module_validator_manager")
        cls.outsider = new_test_user(cls.env, "mv_outsider", groups="base.group_user")

    def launch_as(self, user):
        run, _ = self.env["module.validator.run"].with_user(user)._launch(["mv_example_broken"], origin="test")
        return run

    def test_user_runs_and_reads_but_cannot_tune_rules_or_delete_runs(self):
        run = self.launch_as(self.user)
        self.assertEqual(run.user_id, self.user)
        self.assertTrue(run.finding_ids.mapped("message"))
        rule = self.env.ref("module_validator.rule_py001").with_user(self.user)
        self.assertEqual(rule.code, "PY001")
        with self.assertRaises(AccessError):
            rule.write({"severity": "warning"})
        with self.assertRaises(AccessError):
            run.unlink()
        with self.assertRaises(AccessError):
            run.finding_ids[:1].unlink()

    def test_users_read_every_run_but_only_start_their_own(self):
        run = self.launch_as(self.other_user)
        self.assertEqual(run.with_user(self.user).name, run.name)
        with self.assertRaises(AccessError):
            self.env["module.validator.run"].with_user(self.user).create({"user_id": self.other_user.id})

    def test_manager_tunes_rules_and_deletes_runs(self):
        run = self.launch_as(self.user)
        rule = self.env.ref("module_validator.rule_py001").with_user(self.manager)
        rule.write({"severity": "warning", "active": False})
        self.assertEqual(rule.severity, "warning")
        findings = run.finding_ids
        run.with_user(self.manager).unlink()
        self.assertFalse(findings.exists())

    def test_nobody_edits_findings(self):
        run = self.launch_as(self.user)
        for user in (self.user, self.manager):
            for model in ("module.validator.finding", "module.validator.result"):
                self.assertFalse(self.env[model].with_user(user).has_access("write"), model)
            with self.assertRaises(UserError):  # AccessError is a UserError
                run.finding_ids[:1].with_user(user).write({"message": "edited"})

    def test_users_without_the_group_see_nothing(self):
        self.launch_as(self.user)
        with self.assertRaises(AccessError):
            self.env["module.validator.run"].with_user(self.outsider).search([])
        with self.assertRaises(AccessError):
            self.env["module.validator.rule"].with_user(self.outsider).search([])
