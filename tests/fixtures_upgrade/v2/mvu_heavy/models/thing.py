from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_heavy.thing'
    _description = "Thing"

    name = fields.Char()
    size = fields.Integer(compute='_compute_size', store=True)

    def _compute_size(self):
        for thing in self:
            thing.size = len(thing.name or '')
