# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.2.0: a queued run's pending module names become work items.

Before, a background run kept the modules it had still to validate in a
comma-separated column; the column stays in the table (Odoo drops no column)
and is read once here."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'module_validator_run' AND column_name = 'pending_modules'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        "SELECT id, level, pending_modules FROM module_validator_run"
        " WHERE state IN ('queued', 'running') AND COALESCE(pending_modules, '') != ''"
    )
    for run_id, level, pending in cr.fetchall():
        names = [name.strip() for name in pending.split(",") if name.strip()]
        for sequence, name in enumerate(names):
            cr.execute(
                "INSERT INTO module_validator_run_item"
                " (run_id, module_name, level, sequence, state, attempt_count,"
                "  create_uid, write_uid, create_date, write_date)"
                " VALUES (%s, %s, %s, %s, 'pending', 0, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC')"
                " ON CONFLICT DO NOTHING",
                [run_id, name, level, sequence],
            )
    cr.execute("UPDATE module_validator_run SET pending_modules = NULL WHERE pending_modules IS NOT NULL")
