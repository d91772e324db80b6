from . import models


def create_rows(env):
    env['mvu_view_parent.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
