from . import models


def create_rows(env):
    env['mvu_model_removed.note'].create([{'name': 'kept'}, {'name': 'also kept'}])
