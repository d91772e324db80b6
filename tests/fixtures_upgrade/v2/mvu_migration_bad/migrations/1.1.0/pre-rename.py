def migrate(env):
    env.cr.execute("UPDATE mvu_migration_bad_thing SET name = upper(name)")
