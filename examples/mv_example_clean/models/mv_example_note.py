from odoo import fields, models


class MvExampleNote(models.Model):
    _name = "mv.example.note"
    _description = "Example note"

    name = fields.Char(required=True)
    body = fields.Text()
