from . import models


def create_rows(env):
    env['mvu_check.thing'].create([{'name': 'a', 'qty': -1}, {'name': 'b', 'qty': 2}])
