from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.failing.test.thing"
    _description = "Thing"

    name = fields.Char()
