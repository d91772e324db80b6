from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_premigration.thing'
    _description = "Thing"

    name = fields.Char()
