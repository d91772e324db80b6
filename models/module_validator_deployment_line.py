# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..engine import compat


@compat.sql_constraints(
    ("module_unique", "unique(deployment_id, module_name)",
     "A module appears only once in a deployment."),
)
class ModuleValidatorDeploymentLine(models.Model):
    """One module of a deployment, with the exact code that went out."""

    _name = "module.validator.deployment.line"
    _description = "Module Validator - Deployed Module"
    _order = "deployment_id desc, module_name"
    _rec_name = "module_name"

    deployment_id = fields.Many2one(
        "module.validator.deployment", required=True, ondelete="cascade", index=True,
    )
    module_name = fields.Char(string="Module", required=True, index=True)
    version = fields.Char(help="The module's full version (18.0.x.y.z), as Odoo records it.")
    code_fingerprint = fields.Char(
        index=True,
        help="Hash of the module's files as deployed; a validation result with the same "
        "fingerprint validated exactly this code.",
    )
    # For lists and reports of one module's deployments.
    environment = fields.Selection(related="deployment_id.environment")
    outcome = fields.Selection(related="deployment_id.outcome")
    date_start = fields.Datetime(related="deployment_id.date_start")
