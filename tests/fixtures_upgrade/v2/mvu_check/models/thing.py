from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_check.thing'
    _description = "Thing"

    name = fields.Char()
    qty = fields.Integer()

    _sql_constraints = [('qty_positive', 'CHECK(qty >= 0)', 'Quantities are positive.')]
