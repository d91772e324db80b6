# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .module_validator_rule import LEVEL_SELECTION
from .module_validator_run import VERDICT_SELECTION


class ModuleValidatorModule(models.Model):
    """Every module ever validated, with its latest verdict and its history.

    A read-only SQL view over module results: one row per technical name,
    whose id is the module's first result, so it stays stable across runs.
    """

    _name = "module.validator.module"
    _description = "Module Validator - Module"
    _auto = False
    _order = "name"

    name = fields.Char(string="Module", readonly=True)
    latest_result_id = fields.Many2one("module.validator.result", string="Latest result", readonly=True)
    latest_run_id = fields.Many2one("module.validator.run", string="Latest run", readonly=True)
    verdict = fields.Selection(VERDICT_SELECTION, string="Latest verdict", readonly=True)
    date = fields.Datetime(string="Last validated", readonly=True)
    level = fields.Selection(LEVEL_SELECTION, string="Latest level", readonly=True)
    version = fields.Char(readonly=True)
    origin = fields.Selection(
        [("installed", "Installed"), ("addons_path", "Addons path")], string="Found", readonly=True,
    )
    error_count = fields.Integer(string="Errors", readonly=True, aggregator=None,
                                 help="Unwaived errors of the latest result.")
    warning_count = fields.Integer(string="Warnings", readonly=True, aggregator=None,
                                   help="Unwaived warnings of the latest result.")
    run_count = fields.Integer(string="Runs", readonly=True, help="Runs that validated this module.")
    failed_run_count = fields.Integer(string="Failed runs", readonly=True)
    pass_rate = fields.Float(string="Pass rate (%)", readonly=True, digits=(16, 1), aggregator="avg")
    result_ids = fields.One2many(
        "module.validator.result", compute="_compute_result_ids", string="History",
    )

    @property
    def _table_query(self):
        return """
            SELECT stats.id, latest.name, latest.id AS latest_result_id,
                   latest.run_id AS latest_run_id, latest.verdict, latest.version, latest.origin,
                   latest.error_count, latest.warning_count, run.date_start AS date, run.level,
                   stats.run_count, stats.failed_run_count, stats.pass_rate
              FROM (SELECT DISTINCT ON (name) *
                      FROM module_validator_result
                     ORDER BY name, run_id DESC, id DESC) AS latest
              JOIN module_validator_run AS run ON run.id = latest.run_id
              JOIN (SELECT name, MIN(id) AS id, COUNT(*) AS run_count,
                           COUNT(*) FILTER (WHERE verdict = 'fail') AS failed_run_count,
                           ROUND(100.0 * COUNT(*) FILTER (WHERE verdict = 'pass') / COUNT(*), 1)
                               AS pass_rate
                      FROM module_validator_result
                     GROUP BY name) AS stats ON stats.name = latest.name
        """

    @api.depends("name")
    def _compute_result_ids(self):
        results = self.env["module.validator.result"].search([("name", "in", self.mapped("name"))])
        for module in self:
            module.result_ids = results.filtered(lambda result, name=module.name: result.name == name)

    def action_view_findings(self):
        """Findings of the module's latest result."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_finding"
        )
        action["name"] = self.env._("Findings of %(module)s", module=self.name)
        action["domain"] = [("result_id", "=", self.latest_result_id.id)]
        action["context"] = {"search_default_filter_not_waived": 1}
        return action

    def action_view_history(self):
        """Every result of this module, newest first, to compare across runs."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_result"
        )
        action["name"] = self.env._("History of %(module)s", module=self.name)
        action["domain"] = [("name", "=", self.name)]
        action["context"] = {}
        return action
