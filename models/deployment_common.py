# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What deployments share with the hook that records failed loads: the
vocabulary, the name, the match with a validation run, the error text and
the full version of a module on disk. Plain functions on a cursor, because the
failure hook runs where no registry could load."""

import re
import traceback

from odoo.modules.module import adapt_version
from odoo.tools import SQL, config

ENVIRONMENT_SELECTION = [
    ("development", "Development"),
    ("staging", "Staging"),
    ("production", "Production"),
]
OUTCOME_SELECTION = [
    ("success", "Success"),
    ("failure", "Failure"),
    ("rolled_back", "Rolled back"),
]
ORIGIN_SELECTION = [
    ("auto", "Recorded by Odoo"),
    ("cli", "Command line"),
    ("manual", "By hand"),
    ("api", "HTTP API"),
]
FAILED_OUTCOMES = ("failure", "rolled_back")
ENVIRONMENT_PARAM = "module_validator.environment"
DEFAULT_ENVIRONMENT = "development"
MINUTES_PARAM = "module_validator.failed_build_minutes"
DEFAULT_FAILED_BUILD_MINUTES = 15
ERROR_MAX_CHARS = 8000
SECRET_OPTIONS = ("db_password", "admin_passwd", "smtp_password", "db_replica_password")


def deployment_name(deployment_id):
    return f"DEP/{deployment_id:05d}"


def matching_run_id(cr, pairs, at=None):
    """Id of the latest finished run (state ``done``) that has a result for
    every ``(module, fingerprint)`` of ``pairs`` at exactly that fingerprint
    and started no later than ``at``; None when there is none.

    A module without a fingerprint cannot be proven validated, so ``pairs``
    with an empty fingerprint never match. Works on a bare cursor: it is also
    used when the registry failed to load.
    """
    pairs = {(name, fingerprint or "") for name, fingerprint in pairs}
    names = {name for name, _fingerprint in pairs}
    if not pairs or any(not fingerprint for _name, fingerprint in pairs) or len(names) != len(pairs):
        return None
    cr.execute(SQL(
        """
        SELECT result.run_id
          FROM module_validator_result result
          JOIN module_validator_run run ON run.id = result.run_id
         WHERE run.state = 'done'
           AND (result.name, result.code_fingerprint) IN %s
           %s
         GROUP BY result.run_id, run.date_start
        HAVING COUNT(DISTINCT result.name) = %s
         ORDER BY run.date_start DESC, result.run_id DESC
         LIMIT 1
        """,
        tuple(sorted(pairs)),
        SQL("AND run.date_start <= %s", at) if at else SQL(),
        len(names),
    ))
    row = cr.fetchone()
    return row[0] if row else None


def clean_error(error, limit=ERROR_MAX_CHARS):
    """The text of a loading error for a deployment record, without secrets.

    The exception and the innermost frame are kept (that is where the module
    failed); the values of Odoo's password options and ``password=...``
    connection parameters are masked.
    """
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        frames = traceback.extract_tb(error.__traceback__)
        if frames:
            last = frames[-1]
            text += f"\n(at {last.filename}:{last.lineno}, in {last.name})"
    else:
        text = str(error or "")
    for option in SECRET_OPTIONS:
        secret = config.get(option)
        if isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, "********")
    text = re.sub(r"(password\s*[=:]\s*)('[^']*'|\S+)", r"\1********", text, flags=re.IGNORECASE)
    if len(text) > limit:
        text = text[: limit - 20] + "\n[... truncated]"
    return text


def full_version(version):
    try:
        return adapt_version(version) if version else ""
    except ValueError:
        return version
