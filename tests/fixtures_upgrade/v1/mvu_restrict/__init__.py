from . import models


def create_rows(env):
    env['mvu_restrict.thing'].create({'name': 'a', 'category_id': env.ref('mvu_restrict.cat_old').id})
