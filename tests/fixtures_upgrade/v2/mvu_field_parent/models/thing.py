from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_field_parent.thing'
    _description = "Thing"

    name = fields.Char()
