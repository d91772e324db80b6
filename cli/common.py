# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the addon's ``odoo-bin`` commands share: usage errors and exit status,
``--path`` folders, and a superuser environment on the ``-d`` database."""

import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from odoo.tools import config

from ..engine import discovery

_logger = logging.getLogger(__name__)

EXIT_ERROR = 2


class UsageError(Exception):
    """Bad options or an unusable database: exit status 2 with the message."""


def split_paths(paths):
    """Addons folders to scan, and the names of modules given as module folders."""
    folders, names = [], []
    for path in paths:
        path = os.path.abspath(path)
        if not os.path.isdir(path):
            raise UsageError(f"--path {path}: no such folder")
        if discovery.find_manifest(path):
            folders.append(os.path.dirname(path))
            names.append(os.path.basename(path))
        else:
            folders.append(path)
    return folders, names


@contextmanager
def database_environment(dbname, model="module.validator.run"):
    """A superuser environment on ``dbname`` where ``model`` exists, committed on success."""
    # Imported here: loading a registry needs the full server setup.
    import odoo
    from odoo.modules.registry import Registry

    try:
        registry = Registry(dbname)
    except Exception as error:  # noqa: BLE001
        raise UsageError(f"cannot open database {dbname!r}: {error}") from None
    if model not in registry:
        raise UsageError(f"module_validator is not installed in database {dbname!r}")
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


class ValidatorCommand:
    """What the addon's ``odoo-bin`` commands share: their own options, then Odoo's
    (-c, -d, --db_host...). Each command also subclasses ``odoo.cli.Command``,
    which registers every subclass under its own name (19.0 requires that name
    to be the file's), so this base is a plain class.

    Subclasses give ``build_parser(prog)`` and ``execute(options)``, which
    returns the exit status; a UsageError or a crash exits with status 2.
    """

    failure = "the command failed with an internal error"

    def build_parser(self, prog):
        raise NotImplementedError

    def execute(self, options):
        raise NotImplementedError

    def run(self, cmdargs):
        parser = self.build_parser(f"{Path(sys.argv[0]).name} {self.name}")
        options, odoo_args = parser.parse_known_args(cmdargs)
        try:
            config.parse_config(odoo_args, setup_logging=True)
            sys.exit(self.execute(options))
        except UsageError as error:
            parser.print_usage(sys.stderr)
            print(f"{parser.prog}: error: {error}", file=sys.stderr)
            sys.exit(EXIT_ERROR)
        except SystemExit:
            raise
        except Exception:  # noqa: BLE001 - any crash is exit status 2, never 1
            _logger.exception(self.failure)
            sys.exit(EXIT_ERROR)
