# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    validator_job_capacity = fields.Integer(
        string="Validation jobs at once",
        help="Capacity of queue_job's root.module_validator channel: how many modules of "
        "background runs are validated at the same time across all Odoo workers. The job "
        "runner's own root capacity must be at least this.",
    )

    def _validator_channel(self):
        return self.env.ref("module_validator_queue_job.channel_module_validator").sudo()

    @api.model
    def get_values(self):
        values = super().get_values()
        values["validator_job_capacity"] = self._validator_channel().capacity
        return values

    def set_values(self):
        super().set_values()
        if self.validator_job_capacity >= 0:
            self._validator_channel().capacity = self.validator_job_capacity
