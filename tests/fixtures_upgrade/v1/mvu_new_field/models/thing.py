from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_new_field.thing'
    _description = "Thing"

    name = fields.Char()
