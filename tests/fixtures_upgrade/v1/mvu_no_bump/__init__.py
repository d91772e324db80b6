from . import models


def create_rows(env):
    env['mvu_no_bump.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
