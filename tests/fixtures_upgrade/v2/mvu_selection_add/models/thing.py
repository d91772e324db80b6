from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_selection_add.thing'
    _description = "Thing"

    name = fields.Char()
    state = fields.Selection([('draft', 'Draft'), ('done', 'Done'), ('cancel', 'Cancelled')], default='draft')
