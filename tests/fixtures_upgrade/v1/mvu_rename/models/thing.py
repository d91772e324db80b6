from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_rename.thing'
    _description = "Thing"

    name = fields.Char()
    partner_ref = fields.Char()
