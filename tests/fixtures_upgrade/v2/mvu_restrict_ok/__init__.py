from . import models


def create_rows(env):
    env['mvu_restrict_ok.thing'].create({'name': 'a', 'category_id': env.ref('mvu_restrict_ok.cat_new').id})
