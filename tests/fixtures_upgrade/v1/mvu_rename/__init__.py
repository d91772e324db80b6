from . import models


def create_rows(env):
    env['mvu_rename.thing'].create([{'name': 'a', 'partner_ref': 'P1'}, {'name': 'b', 'partner_ref': 'P2'}])
