from . import models


def create_rows(env):
    env['mvu_new_dependency.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
