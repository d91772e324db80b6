from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.python.error.thing"
    _description = "Thing"

    name = fields.Char()

    size = fields.Integer(default=DEFAULT_SIZE)
