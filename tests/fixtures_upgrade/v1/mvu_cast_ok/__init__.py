from . import models


def create_rows(env):
    env['mvu_cast_ok.thing'].create([{'name': 'a', 'ref': '12'}, {'name': 'b', 'ref': '13'}])
