from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.warning.thing"
    _description = "Thing"

    name = fields.Char()
