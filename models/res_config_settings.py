# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .deployment_common import ENVIRONMENT_SELECTION


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    validator_waiver_max_days = fields.Integer(
        string="Longest waiver (days)", default=180,
        config_parameter="module_validator.waiver_max_days",
        help="A waiver must expire within this many days of its creation.",
    )
    validator_failed_build_minutes = fields.Integer(
        string="Minutes a failed build costs", default=15,
        config_parameter="module_validator.failed_build_minutes",
        help="Used to turn failures avoided into time saved on the dashboard.",
    )
    validator_environment = fields.Selection(
        ENVIRONMENT_SELECTION, string="This database's environment", default="development",
        config_parameter="module_validator.environment",
        help="The environment recorded on deployments this database records by itself.",
    )
