# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    @api.depends_context("module_validator_technical_names")
    def _compute_display_name(self):
        """Title and technical name in the validation wizard's module tags.

        Users search by either; showing both tells them they picked the
        right module. Everywhere else (Apps) the title alone, as usual.
        """
        super()._compute_display_name()
        if not self.env.context.get("module_validator_technical_names"):
            return
        for module in self:
            if module.shortdesc and module.name and module.shortdesc != module.name:
                module.display_name = f"{module.shortdesc} ({module.name})"
