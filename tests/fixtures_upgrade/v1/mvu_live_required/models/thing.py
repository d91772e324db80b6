from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_live_required.thing'
    _description = "Thing"

    name = fields.Char()
    limit = fields.Integer()
