from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_no_bump.thing'
    _description = "Thing"

    name = fields.Char()
