from . import models


def create_rows(env):
    env['mvu_unique_ok.thing'].create([])
