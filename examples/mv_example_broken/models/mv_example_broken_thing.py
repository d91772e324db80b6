from odoo import fields, models


class MvExampleBrokenThing(models.Model):
    _name = "mv.example.broken.thing"
    _description = "Broken thing"

    name = fields.Char(required=True)

    def action_done(self)
        return True
