from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_model_removed.thing'
    _description = "Thing"

    name = fields.Char()


class Note(models.Model):
    _name = "mvu_model_removed.note"
    _description = "Note"

    name = fields.Char()
