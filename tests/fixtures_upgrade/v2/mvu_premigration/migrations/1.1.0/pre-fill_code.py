def migrate(cr, version):
    cr.execute("ALTER TABLE mvu_premigration_thing ADD COLUMN IF NOT EXISTS code varchar")
    cr.execute("UPDATE mvu_premigration_thing SET code = 'T' || id WHERE code IS NULL")
