from . import models


def create_rows(env):
    env['mvu_field_parent.thing'].create([])
