from . import models


def create_rows(env):
    pass
