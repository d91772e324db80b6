from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_restrict_ok.thing'
    _description = "Thing"

    name = fields.Char()
    category_id = fields.Many2one('mvu_restrict_ok.category', ondelete='restrict')


class Category(models.Model):
    _name = "mvu_restrict_ok.category"
    _description = "Category"

    name = fields.Char()
