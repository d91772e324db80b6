from odoo import fields, models


class Crate(models.Model):
    _name = "mvu_model_renamed.crate"
    _description = "Crate (was: box)"

    name = fields.Char()
