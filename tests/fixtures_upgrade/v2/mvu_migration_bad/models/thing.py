from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_migration_bad.thing'
    _description = "Thing"

    name = fields.Char()
