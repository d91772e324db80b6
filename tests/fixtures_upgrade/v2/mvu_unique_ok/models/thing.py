from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_unique_ok.thing'
    _description = "Thing"

    name = fields.Char()
    code = fields.Char()

    _sql_constraints = [('code_uniq', 'unique(code)', 'Codes are unique.')]
