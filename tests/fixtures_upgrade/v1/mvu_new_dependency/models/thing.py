from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_new_dependency.thing'
    _description = "Thing"

    name = fields.Char()
