from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_newly_required.thing'
    _description = "Thing"

    name = fields.Char()
    note = fields.Char()
