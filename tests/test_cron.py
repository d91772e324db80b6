# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestCron(ValidatorCase):
    def test_cron_is_shipped_inactive_and_calls_the_validation(self):
        cron = self.env.ref("module_validator.ir_cron_module_validator_validate")
        self.assertFalse(cron.active)
        self.assertEqual(cron.code, "model._cron_validate()")
        cron.method_direct_trigger()
        run = self.env["module.validator.run"].search([("origin", "=", "cron")], limit=1)
        self.assertEqual(run.state, "done")

    def test_default_set_is_every_installed_non_odoo_module_at_dynamic_level(self):
        run = self.env["module.validator.run"]._cron_validate()
        self.assertEqual((run.origin, run.level, run.state), ("cron", "dynamic", "done"))
        self.assertIn("module_validator", run.result_ids.mapped("name"))
        self.assertFalse({"base", "web", "mv_example_broken"} & set(run.result_ids.mapped("name")))
        self.assertEqual(set(run.result_ids.mapped("origin")), {"installed"})

    def test_configured_modules_and_level(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("module_validator.cron_modules", "mv_example_broken, mv_example_clean")
        params.set_param("module_validator.cron_level", "static")
        run = self.env["module.validator.run"]._cron_validate()
        self.assertEqual(sorted(run.result_ids.mapped("name")), ["mv_example_broken", "mv_example_clean"])
        self.assertEqual((run.level, run.verdict), ("static", "fail"))
