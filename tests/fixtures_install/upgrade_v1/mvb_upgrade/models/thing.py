from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.upgrade.thing"
    _description = "Thing"

    name = fields.Char()
