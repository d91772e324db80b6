from . import models


def create_rows(env):
    env['mvu_cast.thing'].create([{'name': 'a', 'ref': '12'}, {'name': 'b', 'ref': 'A-12'}])
