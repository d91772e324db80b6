from . import models


def create_rows(env):
    env['mvu_unique_ok.thing'].create([{'name': 'a', 'code': 'X'}, {'name': 'b', 'code': 'Y'}, {'name': 'c'}, {'name': 'd'}])
