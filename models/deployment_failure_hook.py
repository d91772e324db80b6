# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Failed upgrades are deployments too.

When loading modules fails, Registry.new() calls reset_modules_state
from its ``except`` block (the loading transaction is already rolled back),
then re-raises. Wrapping that function is the one place that sees both the
error and the database; it records a failed deployment from a cursor of its
own that commits. The wrapper must be installed before the registry loads:
run module_validator as a server-wide module (--load=base,web,module_validator).
"""

import logging
import sys

import odoo
import odoo.modules.loading
from odoo import SUPERUSER_ID, fields
from odoo.modules.module import get_manifest, get_module_path
from odoo.tools import config

from ..engine.code_fingerprint import code_fingerprint
from .deployment_common import (
    DEFAULT_ENVIRONMENT,
    ENVIRONMENT_PARAM,
    ENVIRONMENT_SELECTION,
    clean_error,
    deployment_name,
    full_version,
    matching_run_id,
)

_logger = logging.getLogger(__name__)


def failed_modules(cr):
    """Modules the failed load was installing or upgrading, from the command line
    options (-i/-u) and from the modules left in a transient state."""
    names = [name for kind in ("init", "update") for name, wanted in (config.get(kind) or {}).items()
             if wanted and name != "all"]
    cr.execute("SELECT name FROM ir_module_module WHERE state IN ('to install', 'to upgrade')")
    names += [name for (name,) in cr.fetchall()]
    if not names:
        return []
    cr.execute("SELECT name FROM ir_module_module WHERE name IN %s ORDER BY name", (tuple(set(names)),))
    return [name for (name,) in cr.fetchall()]


def validator_installed(cr):
    cr.execute("SELECT to_regclass('module_validator_deployment_line') IS NOT NULL")
    if not cr.fetchone()[0]:
        return False
    cr.execute("SELECT 1 FROM ir_module_module WHERE name = 'module_validator' "
               "AND state IN ('installed', 'to upgrade')")
    return bool(cr.fetchone())


def record_failed_load(dbname, names, error):
    """Insert a failed automatic deployment of ``names`` (the code on disk) and commit."""
    with odoo.sql_db.db_connect(dbname).cursor() as cr:
        if not validator_installed(cr):
            return None
        cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (ENVIRONMENT_PARAM,))
        row = cr.fetchone()
        environment = row[0] if row and row[0] in dict(ENVIRONMENT_SELECTION) else DEFAULT_ENVIRONMENT
        lines = []
        for name in names:
            path = get_module_path(name, display_warning=False)
            manifest = get_manifest(name) if path else {}
            lines.append((name, full_version(manifest.get("version", "")) if manifest else "",
                          code_fingerprint(path) if path else ""))
        now = fields.Datetime.now()
        run_id = matching_run_id(cr, [(name, fingerprint) for name, _v, fingerprint in lines], now)
        passed = False
        if run_id:
            cr.execute("SELECT verdict FROM module_validator_run WHERE id = %s", (run_id,))
            passed = cr.fetchone()[0] == "pass"
        cr.execute(
            """
            INSERT INTO module_validator_deployment
                (name, environment, target, outcome, error_message, date_start, date_end,
                 user_id, origin, run_id, validated, passed_but_failed, module_names,
                 create_uid, create_date, write_uid, write_date)
            VALUES ('/', %s, %s, 'failure', %s, %s, %s, %s, 'auto', %s, %s, %s, %s, %s, %s, %s, %s)
            RETURNING id
            """,
            (environment, dbname, clean_error(error), now, now, SUPERUSER_ID, run_id, bool(run_id),
             passed, ", ".join(sorted(names)), SUPERUSER_ID, now, SUPERUSER_ID, now),
        )
        (deployment_id,) = cr.fetchone()
        name = deployment_name(deployment_id)
        cr.execute("UPDATE module_validator_deployment SET name = %s WHERE id = %s", (name, deployment_id))
        for module_name, version, fingerprint in lines:
            cr.execute(
                """
                INSERT INTO module_validator_deployment_line
                    (deployment_id, module_name, version, code_fingerprint,
                     create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                """,
                (deployment_id, module_name, version, fingerprint, SUPERUSER_ID, now, SUPERUSER_ID, now),
            )
        _logger.warning("failed deployment %s recorded: %s", name, ", ".join(names))
        return deployment_id


def install_failure_hook():
    """Wrap ``reset_modules_state`` (idempotent).

    18.0's registry calls it as ``odoo.modules.reset_modules_state``; 19.0 imports
    it from ``odoo.modules.loading`` at the call. Both names get the wrapper.
    """
    current = odoo.modules.loading.reset_modules_state
    if getattr(current, "_module_validator", False):
        return

    def reset_modules_state(db_name):
        error = sys.exc_info()[1]
        names = []
        if error is not None:
            try:
                with odoo.sql_db.db_connect(db_name).cursor() as cr:
                    names = failed_modules(cr) if validator_installed(cr) else []
            except Exception:  # noqa: BLE001 - recording must never hide the real error
                _logger.exception("could not read the modules of the failed load")
        current(db_name)
        if names:
            try:
                record_failed_load(db_name, names, error)
            except Exception:  # noqa: BLE001
                _logger.exception("could not record the failed deployment of %s", ", ".join(names))

    reset_modules_state._module_validator = True
    odoo.modules.loading.reset_modules_state = reset_modules_state
    if hasattr(odoo.modules, "reset_modules_state"):
        odoo.modules.reset_modules_state = reset_modules_state


install_failure_hook()
