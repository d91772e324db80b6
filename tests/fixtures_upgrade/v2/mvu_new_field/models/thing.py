from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_new_field.thing'
    _description = "Thing"

    name = fields.Char()
    code = fields.Char()
    total = fields.Integer(compute='_compute_total', store=True)

    def _compute_total(self):
        for thing in self:
            thing.total = len(thing.name or '')
