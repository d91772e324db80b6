from . import models


def create_rows(env):
    env['mvu_cast.thing'].create([])
