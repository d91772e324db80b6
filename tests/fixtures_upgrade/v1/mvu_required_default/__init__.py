from . import models


def create_rows(env):
    env['mvu_required_default.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
