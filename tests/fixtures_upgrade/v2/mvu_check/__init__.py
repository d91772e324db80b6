from . import models


def create_rows(env):
    env['mvu_check.thing'].create([])
