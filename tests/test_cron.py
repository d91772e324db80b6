# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from ..engine import compat
from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestCron(ValidatorCase):
    def test_default_profile_is_shipped_unscheduled_with_its_own_cron(self):
        profile = self.env.ref("module_validator.profile_default")
        self.assertFalse(profile.scheduled)
        self.assertFalse(profile.cron_id.active)
        self.assertEqual(profile.cron_id.code, f"model.browse({profile.id})._run_scheduled()")
        self.assertFalse(self.env.ref("module_validator.ir_cron_module_validator_validate",
                                      raise_if_not_found=False))
        # 19.0 runs it in a cursor of its own: this test's transaction.
        with compat.registry_test_mode(self):
            profile.cron_id.method_direct_trigger()
        run = self.env["module.validator.run"].search([("origin", "=", "cron")], limit=1)
        self.assertEqual((run.state, run.profile_id), ("done", profile))

    def test_default_set_is_every_installed_non_odoo_module_at_dynamic_level(self):
        profile = self.env.ref("module_validator.profile_default")
        run = profile.action_run()
        self.assertEqual((run.origin, run.level, run.state), ("profile", "dynamic", "done"))
        self.assertIn("module_validator", run.result_ids.mapped("name"))
        self.assertFalse({"base", "web", "mv_example_broken"} & set(run.result_ids.mapped("name")))
        self.assertEqual(set(run.result_ids.mapped("origin")), {"installed"})

    def test_legacy_cron_parameters_become_the_default_profile(self):
        """What the 1.1.0 migration does to a database of the previous version."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("module_validator.cron_modules", "mv_example_broken, mv_example_clean")
        params.set_param("module_validator.cron_level", "static")
        legacy = self.env["ir.cron"].create({
            "name": "Module Validator: validate modules",
            "model_id": self.env["ir.model"]._get_id("module.validator.run"),
            "state": "code", "code": "model._cron_validate()",
            "interval_number": 6, "interval_type": "hours", "active": True,
        })
        self.env["ir.model.data"].create({
            "module": "module_validator", "name": "ir_cron_module_validator_validate",
            "model": "ir.cron", "res_id": legacy.id, "noupdate": True,
        })
        profile = self.env["module.validator.profile"]._migrate_legacy_cron()
        self.assertEqual(profile, self.env.ref("module_validator.profile_default"))
        self.assertEqual(
            (profile.module_selection, profile.module_names, profile.level),
            ("list", "mv_example_broken,mv_example_clean", "static"),
        )
        self.assertEqual((profile.scheduled, profile.interval_number, profile.interval_type),
                         (True, 6, "hours"))
        self.assertTrue(profile.cron_id.active)
        self.assertFalse(legacy.exists())
        self.assertFalse(params.get_param("module_validator.cron_modules"))
        run = profile.action_run()
        self.assertEqual(sorted(run.result_ids.mapped("name")), ["mv_example_broken", "mv_example_clean"])
        self.assertEqual((run.level, run.verdict), ("static", "fail"))
