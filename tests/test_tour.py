# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTour(HttpCase):
    def test_wizard_runs_a_validation_and_shows_the_report(self):
        self.start_tour("/odoo", "module_validator_tour", login="admin")
        run = self.env["module.validator.run"].search([("origin", "=", "wizard")], limit=1)
        self.assertEqual(run.result_ids.mapped("name"), ["mv_example_clean"])
        self.assertEqual(run.verdict, "pass")
