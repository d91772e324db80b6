from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_noupdate_same.thing'
    _description = "Thing"

    name = fields.Char()
    limit = fields.Integer()
