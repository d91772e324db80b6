from . import models


def create_rows(env):
    env['mvu_newly_required.thing'].create([{'name': 'a', 'note': 'x'}, {'name': 'b'}])
