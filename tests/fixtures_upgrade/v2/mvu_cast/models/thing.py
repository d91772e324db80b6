from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_cast.thing'
    _description = "Thing"

    name = fields.Char()
    ref = fields.Integer()
