from . import models


def create_rows(env):
    env['mvu_new_field.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
