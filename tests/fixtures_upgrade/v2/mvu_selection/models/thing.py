from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_selection.thing'
    _description = "Thing"

    name = fields.Char()
    state = fields.Selection([('draft', 'Draft'), ('done', 'Done')], default='draft')
