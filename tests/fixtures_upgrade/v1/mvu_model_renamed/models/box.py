from odoo import fields, models


class Box(models.Model):
    _name = "mvu_model_renamed.box"
    _description = "Box"

    name = fields.Char()
