from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.bad.data.ref.thing"
    _description = "Thing"

    name = fields.Char()
