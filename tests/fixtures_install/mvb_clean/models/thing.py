from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.clean.thing"
    _description = "Thing"

    name = fields.Char()
