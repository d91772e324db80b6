from odoo import fields, models


class Thing(models.Model):
    _name = 'mvu_restrict.thing'
    _description = "Thing"

    name = fields.Char()
    category_id = fields.Many2one('mvu_restrict.category', ondelete='restrict')


class Category(models.Model):
    _name = "mvu_restrict.category"
    _description = "Category"

    name = fields.Char()
