from odoo import fields, models


class Widget(models.Model):
    _name = "mvu_model_extended.widget"
    _description = "Widget"

    name = fields.Char()
