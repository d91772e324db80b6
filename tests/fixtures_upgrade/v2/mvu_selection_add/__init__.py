from . import models


def create_rows(env):
    env['mvu_selection_add.thing'].create([])
