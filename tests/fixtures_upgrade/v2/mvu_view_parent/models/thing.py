from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_view_parent.thing'
    _description = "Thing"

    name = fields.Char()
    code = fields.Char()
