from . import models


def create_rows(env):
    env['mvu_required.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
