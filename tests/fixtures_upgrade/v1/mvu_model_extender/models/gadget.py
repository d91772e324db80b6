from odoo import fields, models


class Gadget(models.Model):
    _inherit = "mvu_model_extended.gadget"

    colour = fields.Char()
