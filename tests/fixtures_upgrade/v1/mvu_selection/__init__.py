from . import models


def create_rows(env):
    env['mvu_selection.thing'].create([{'name': 'a', 'state': 'cancel'}, {'name': 'b', 'state': 'cancel'}, {'name': 'c', 'state': 'done'}])
