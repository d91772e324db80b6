from . import models


def create_rows(env):
    env['mvu_premigration.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
