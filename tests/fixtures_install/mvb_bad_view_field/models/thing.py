from odoo import fields, models


class Thing(models.Model):
    _name = "mvb.bad.view.field.thing"
    _description = "Thing"

    name = fields.Char()
