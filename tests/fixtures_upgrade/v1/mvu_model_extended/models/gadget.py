from odoo import fields, models


class Gadget(models.Model):
    _name = "mvu_model_extended.gadget"
    _description = "Gadget"

    name = fields.Char()


class Widget(models.Model):
    _name = "mvu_model_extended.widget"
    _description = "Widget"

    name = fields.Char()
