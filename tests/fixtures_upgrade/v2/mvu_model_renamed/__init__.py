from . import models


def create_rows(env):
    env['mvu_model_renamed.crate'].create([{'name': 'red'}, {'name': 'blue'}])
