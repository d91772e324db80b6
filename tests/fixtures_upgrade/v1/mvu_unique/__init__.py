from . import models


def create_rows(env):
    env['mvu_unique.thing'].create([{'name': 'a', 'code': 'X'}, {'name': 'b', 'code': 'X'}, {'name': 'c', 'code': 'Y'}])
