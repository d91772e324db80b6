# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo-bin --addons-path=... validate``: validate modules from a shell or CI.

Exit codes: 0 pass, 1 findings at or above ``--fail-on``, 2 usage or internal error.
"""

import argparse
import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from odoo.cli import Command
from odoo.tools import config

from ..engine import discovery
from ..engine.facts import StaticFacts
from ..engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from ..engine.rehearsal.scratch import DatabaseError, drop_orphans
from ..engine.render import RENDERERS
from ..service import validation
from ..service.validation import ValidationRequest

_logger = logging.getLogger(__name__)

EXIT_PASS, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


def build_parser(prog):
    parser = argparse.ArgumentParser(
        prog=prog, add_help=False,
        description="Validate Odoo modules before deploying them. Every other option "
        "is an odoo-bin option (-c, -d, --db_host...).",
        epilog="Exit status: 0 pass, 1 findings at or above --fail-on, 2 usage or internal error.",
    )
    target = parser.add_argument_group("what to validate")
    target.add_argument("--modules", default="", help="comma-separated technical names")
    target.add_argument("--all-custom", action="store_true",
                        help="every module on the addons path that is not part of Odoo itself")
    target.add_argument("--path", action="append", default=[], metavar="DIR",
                        help="an addons folder (or one module folder) to scan as well; repeatable")
    target.add_argument("--profile", metavar="NAME",
                        help="run the validation profile NAME of the database (-d): its modules, "
                        "level, fail-on and rules; the run is linked to the profile")
    how = parser.add_argument_group("how")
    how.add_argument("--level", choices=("static", "dynamic", "bulletproof"), default=None,
                     help="default: static, or the profile's level")
    how.add_argument("--format", choices=sorted(RENDERERS), default="text")
    how.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    how.add_argument("--fail-on", choices=("error", "warning"), default=None,
                     help="default: error, or the profile's fail-on")
    how.add_argument("--tests", action="store_true",
                     help="bulletproof level: also run each module's tests")
    how.add_argument("-h", "--help", action="help", help="show this help and exit")
    return parser


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


class Validate(Command):
    """Validate modules for install/upgrade readiness (static, dynamic, bulletproof)"""

    name = "validate"

    def run(self, cmdargs):
        parser = build_parser(f"{Path(sys.argv[0]).name} {self.name}")
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
            _logger.exception("validation failed with an internal error")
            sys.exit(EXIT_ERROR)

    def execute(self, options):
        dbname = config["db_name"]
        if options.profile:
            if not dbname:
                raise UsageError("--profile needs the database that holds the profile: add -d DATABASE")
            if options.modules or options.all_custom or options.path:
                raise UsageError("--profile chooses the modules: drop --modules, --all-custom and --path")
            report = self._run_profile(dbname, options)
        else:
            folders, path_names = split_paths(options.path)
            request = ValidationRequest(
                names=tuple(options.modules.split(",")) + tuple(path_names),
                all_custom=options.all_custom, level=options.level or "static",
                fail_on=options.fail_on or "error", extra_paths=tuple(folders),
                with_tests=options.tests,
            )
            if not request.names and not request.all_custom:
                raise UsageError("give --modules, --all-custom, --profile or a module folder with --path")
            if request.level == "dynamic" and not dbname:
                raise UsageError("the dynamic level needs a database: add -d DATABASE")
            if dbname:
                report = self._run_in_database(dbname, request)
            else:
                report = self._run_without_database(request)
        output = RENDERERS[options.format](report)
        if options.output:
            Path(options.output).write_text(output, encoding="utf-8")
            _logger.info("report written to %s", options.output)
        else:
            sys.stdout.write(output)
        return EXIT_PASS if report.verdict == "pass" else EXIT_FINDINGS

    def _run_without_database(self, request):
        started = time.monotonic()
        catalog = validation.build_catalog(request.extra_paths)
        modules, problem = validation.select_modules(catalog, request)
        if problem:
            raise UsageError(problem)
        own = discovery.read_manifest(os.path.join(os.path.dirname(__file__), "..", "__manifest__.py"))[0]
        rehearse = None
        if request.level == "bulletproof":
            # No database of ours: fresh installs only, nothing to upgrade.
            launcher = odoo_launcher(request.extra_paths)
            try:
                launcher.server.check_can_create_databases()
            except DatabaseError as error:
                raise UsageError(str(error)) from None
            drop_orphans(launcher.server)
            rehearse = Rehearsal(launcher, catalog, with_tests=request.with_tests).module_issues
        report = validation.execute(request, modules, StaticFacts(catalog), version=own["version"],
                                    rehearse=rehearse, started=started)
        report.duration_s = time.monotonic() - started
        return report

    def _run_profile(self, dbname, options):
        with self._environment(dbname) as env:
            profile = env["module.validator.profile"].search([("name", "=", options.profile)], limit=1)
            if not profile:
                raise UsageError(f"no active profile named {options.profile!r} in database {dbname!r}")
            request = profile._validation_request()
            if options.level:
                request.level = options.level
            if options.fail_on:
                request.fail_on = options.fail_on
            request.with_tests = request.with_tests or options.tests
            run, report = env["module.validator.run"]._launch_request(request, origin="cli", profile=profile)
            return self._stored(run, report, dbname)

    def _run_in_database(self, dbname, request):
        with self._environment(dbname) as env:
            run, report = env["module.validator.run"]._launch_request(request, origin="cli")
            return self._stored(run, report, dbname)

    @staticmethod
    def _stored(run, report, dbname):
        if report is None:
            raise UsageError(run.error_message)
        _logger.info("run %s stored in database %s", run.name, dbname)
        return report

    @staticmethod
    @contextmanager
    def _environment(dbname):
        """A superuser environment on ``dbname``, committed on success."""
        # Imported here: loading a registry needs the full server setup.
        import odoo
        from odoo.modules.registry import Registry

        try:
            registry = Registry(dbname)
        except Exception as error:  # noqa: BLE001
            raise UsageError(f"cannot open database {dbname!r}: {error}") from None
        if "module.validator.run" not in registry:
            raise UsageError(f"module_validator is not installed in database {dbname!r}")
        with registry.cursor() as cr:
            yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
