# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestWizard(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mv_wizard_user", groups="module_validator.group_module_validator_user")
        cls.env["ir.module.module"].update_list()
        cls.Module = cls.env["ir.module.module"]

    def test_validate_selected_modules_and_land_on_the_report(self):
        modules = self.Module.search([("name", "in", ("mv_example_broken", "base"))])
        with Form(self.env["module.validator.launch"].with_user(self.user)) as wizard:
            wizard.module_ids.add(modules[0])
            wizard.module_ids.add(modules[1])
            wizard.level = "dynamic"
        action = wizard.record.action_run()
        run = self.env["module.validator.run"].browse(action["res_id"])
        self.assertEqual((action["res_model"], action["view_mode"]), ("module.validator.run", "form"))
        self.assertEqual((run.origin, run.level, run.user_id), ("wizard", "dynamic", self.user))
        self.assertEqual(sorted(run.result_ids.mapped("name")), ["base", "mv_example_broken"])
        self.assertEqual(run.verdict, "fail")

    def test_all_non_odoo_modules_shortcut(self):
        with Form(self.env["module.validator.launch"]) as wizard:
            wizard.scope = "custom"
        run = self.env["module.validator.run"].browse(wizard.record.action_run()["res_id"])
        names = set(run.result_ids.mapped("name"))
        self.assertTrue({"module_validator", "mv_example_clean", "mv_example_broken"} <= names)
        self.assertNotIn("base", names)
        self.assertNotIn("sale", names)

    def test_modules_from_the_apps_list_action(self):
        modules = self.Module.search([("name", "=", "mv_example_clean")])
        wizard = Form(self.env["module.validator.launch"].with_context(
            active_model="ir.module.module", active_ids=modules.ids))
        self.assertEqual(wizard.module_ids.ids, modules.ids)

    def test_nothing_selected_is_refused(self):
        wizard = self.env["module.validator.launch"].create({"scope": "selected"})
        with self.assertRaises(UserError):
            wizard.action_run()

    def test_scan_addons_path_is_for_administrators(self):
        wizard = self.env["module.validator.launch"].create({})
        self.assertEqual(wizard.action_scan_addons_path()["res_id"], wizard.id)
        with self.assertRaises(UserError):
            wizard.with_user(self.user).action_scan_addons_path()
