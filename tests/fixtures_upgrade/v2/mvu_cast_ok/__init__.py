from . import models


def create_rows(env):
    env['mvu_cast_ok.thing'].create([])
