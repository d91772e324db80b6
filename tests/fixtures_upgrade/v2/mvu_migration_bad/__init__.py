from . import models


def create_rows(env):
    env['mvu_migration_bad.thing'].create([{'name': 'a'}, {'name': 'b'}, {'name': 'c'}])
