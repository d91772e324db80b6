from . import models


def create_rows(env):
    env.cr.execute("INSERT INTO mvu_heavy_thing (name) SELECT 'thing ' || n FROM generate_series(1, 100000) n")
