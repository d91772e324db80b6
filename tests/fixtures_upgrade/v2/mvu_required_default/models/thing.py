from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_required_default.thing'
    _description = "Thing"

    name = fields.Char()
    code = fields.Char(required=True, default='/')
