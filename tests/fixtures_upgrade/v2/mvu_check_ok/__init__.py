from . import models


def create_rows(env):
    env['mvu_check_ok.thing'].create([])
