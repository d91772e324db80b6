from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_live_required.thing'
    _description = "Thing"

    name = fields.Char()
    limit = fields.Integer()
    # New in 1.1: the registry of a server restarted on this code names the
    # column before -u creates it.
    code = fields.Char(required=True)
