# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo-bin --addons-path=... validate``: validate modules from a shell or CI.

Exit codes: 0 pass, 1 findings at or above ``--fail-on``, 2 usage or internal error.
"""

import argparse
import dataclasses
import getpass
import logging
import os
import sys
import time
from pathlib import Path

from odoo.cli import Command

# Absolute imports: Odoo 19.0 loads an addon's cli/<command>.py as the module
# odoo.cli.<command>, where a relative import would not find this addon.
from odoo.addons.module_validator.engine import compat, discovery
from odoo.addons.module_validator.engine.facts import StaticFacts
from odoo.addons.module_validator.engine.parse_cache import ParseCache, default_directory
from odoo.addons.module_validator.engine.result_cache import prune_cache
from odoo.addons.module_validator.engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from odoo.addons.module_validator.engine.rehearsal.scratch import DatabaseError, drop_orphans
from odoo.addons.module_validator.engine.render import RENDERERS
from odoo.addons.module_validator.engine.results import LevelsReport
from odoo.addons.module_validator.service import environment, porting, validation
from odoo.addons.module_validator.service.validation import ValidationRequest
from odoo.addons.module_validator.cli.common import (
    UsageError, ValidatorCommand, database_environment, split_paths,
)

_logger = logging.getLogger(__name__)

EXIT_PASS, EXIT_FINDINGS = 0, 1


def report_file(value):
    """``FORMAT:FILE`` for ``--report``: one more rendering of the same report."""
    format_name, _sep, path = value.partition(":")
    if format_name not in RENDERERS or not path:
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected FORMAT:FILE with FORMAT one of {', '.join(sorted(RENDERERS))}"
        )
    return format_name, path


def build_parser(prog):
    parser = argparse.ArgumentParser(
        prog=prog, add_help=False,
        description="Validate Odoo modules before deploying them. Every other option "
        "is an odoo-bin option (-c, -d, --db_host...).",
        epilog="Exit status: 0 pass, 1 findings at or above --fail-on, 2 usage or internal error. "
        "Flags first, then the variables ODOO_VALIDATION_LEVEL, ODOO_VALIDATION_TIMEOUT, "
        "ODOO_SKIP_BULLETPROOF and ODOO_REQUIRE_ALL_VALIDATIONS, then the settings (README, "
        "'Command line').",
    )
    target = parser.add_argument_group("what to validate")
    target.add_argument("--modules", default="", help="comma-separated technical names")
    target.add_argument("--all-custom", action="store_true",
                        help="every module on the addons path that is not part of Odoo itself")
    target.add_argument("--all", action="store_true", dest="all_modules",
                        help="every module on the addons path and --path folders, Odoo's own included")
    target.add_argument("--path", action="append", default=[], metavar="DIR",
                        help="an addons folder (or one module folder) to scan as well; repeatable")
    target.add_argument("--profile", metavar="NAME",
                        help="run the validation profile NAME of the database (-d): its modules, "
                        "level, fail-on and rules; the run is linked to the profile")
    how = parser.add_argument_group("how")
    how.add_argument("--level", choices=environment.LEVEL_CHOICES, default=None,
                     help="fast, comprehensive: aliases of static, dynamic. Default: "
                     "ODOO_VALIDATION_LEVEL, else the profile's level or the database's "
                     "default level (Settings), else static")
    how.add_argument("--timeout", metavar="SECONDS", default=None,
                     help="the run's time budget: modules still waiting when it runs out are "
                     "reported unvalidated (MV002); 0: none. Default: ODOO_VALIDATION_TIMEOUT, "
                     "else the profile's time budget")
    how.add_argument("--format", choices=sorted(RENDERERS), default="text")
    how.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    how.add_argument("--report", action="append", default=[], type=report_file,
                     metavar="FORMAT:FILE",
                     help="also write the report in FORMAT to FILE, from the same run; "
                     "repeatable (CI: --report sarif:results.sarif --report junit:results.xml)")
    how.add_argument("--target-series", choices=compat.SERIES, default=None, metavar="SERIES",
                     help="validate for another Odoo series than the running one (porting "
                     "rehearsal, without -d): its rules at the static level; at the bulletproof "
                     "level, also installs on an Odoo of that series (ODOO_VALIDATION_TARGET_SRC, "
                     f"or the per-user cache): one of {', '.join(compat.SERIES)}")
    how.add_argument("--fail-on", choices=("error", "warning"), default=None,
                     help="default: error, or the profile's fail-on")
    how.add_argument("--jobs", type=int, default=None, metavar="N",
                     help="static level without -d: validate in N processes (default: one per core)")
    how.add_argument("--no-cache", action="store_true",
                     help="static level without -d: neither read nor write the per-user cache of "
                     "parsed files and results (~/.cache/module_validator/engine)")
    how.add_argument("--tests", action="store_true",
                     help="bulletproof level: also run each module's tests")
    how.add_argument("--user", metavar="LOGIN",
                     help="with -d: the Odoo user the stored run is attributed to (default: the "
                     "user whose login is the operating-system user name, if any; otherwise "
                     "the run shows 'Command line')")
    how.add_argument("-h", "--help", action="help", help="show this help and exit")
    return parser


class Validate(ValidatorCommand, Command):
    """Validate modules for install/upgrade readiness (static, dynamic, bulletproof)"""

    name = "validate"
    failure = "validation failed with an internal error"

    def build_parser(self, prog):
        return build_parser(prog)

    def execute(self, options):
        dbname = compat.database_option()
        # A bad flag or variable is a usage error before any work (and before
        # a database is opened); the settings only come into play later.
        self._plan(options)
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
                all_custom=options.all_custom, pattern="*" if options.all_modules else "",
                fail_on=options.fail_on or "error", extra_paths=tuple(folders),
                with_tests=options.tests, target_series=porting.other_series(options.target_series),
            )
            if not request.names and not request.all_custom and not request.pattern:
                raise UsageError("give --modules, --all, --all-custom, --profile or a module folder "
                                 "with --path")
            if request.target_series:
                plan = self._plan(options)
                if dbname or plan.levels not in (("static",), ("bulletproof",)):
                    raise UsageError(f"--target-series {options.target_series} runs the static level, "
                                     "or the bulletproof level on that series' Odoo, without a "
                                     "database: drop -d and use --level static or bulletproof")
            if dbname:
                report = self._run_in_database(dbname, request, options)
            else:
                plan = self._plan(options)
                if "dynamic" in plan.levels:
                    raise UsageError(f"the dynamic level ({plan.why('dynamic')}) needs a database: "
                                     "add -d DATABASE")
                report = self._run_levels(plan, request,
                                          lambda request: self._run_without_database(request, options))
        for format_name, path in options.report:
            Path(path).write_text(RENDERERS[format_name](report), encoding="utf-8")
            _logger.info("%s report written to %s", format_name, path)
        output = RENDERERS[options.format](report)
        if options.output:
            Path(options.output).write_text(output, encoding="utf-8")
            _logger.info("report written to %s", options.output)
        else:
            sys.stdout.write(output)
        return EXIT_PASS if report.verdict == "pass" else EXIT_FINDINGS

    @staticmethod
    def _plan(options, settings_level=None, settings_time_budget_s=None):
        """Flags, then the process's variables, then the settings (service/environment.py)."""
        try:
            return environment.plan(
                level=options.level, time_budget_s=options.timeout,
                settings_level=settings_level, settings_time_budget_s=settings_time_budget_s,
            )
        except environment.InvalidSetting as error:
            raise UsageError(str(error)) from None

    @staticmethod
    def _run_levels(plan, request, run_one):
        """Run ``request`` at each level of ``plan``; one report, or one per level."""
        reports = []
        for level in plan.levels:
            reports.append(run_one(dataclasses.replace(
                request, level=level, time_budget_s=plan.time_budget_s,
                with_tests=request.with_tests and level == "bulletproof",
            )))
        reports[-1].notes.extend(plan.notes)
        return reports[0] if len(reports) == 1 else LevelsReport(reports)

    def _run_without_database(self, request, options):
        started = time.monotonic()
        catalog = validation.build_catalog(request.extra_paths)
        modules, problem = validation.select_modules(catalog, request)
        if problem:
            raise UsageError(problem)
        own = discovery.read_manifest(os.path.join(os.path.dirname(__file__), "..", "__manifest__.py"))[0]
        rehearse = None
        cleanup = None
        if request.level == "bulletproof":
            # No database of ours: fresh installs only, nothing to upgrade.
            launcher = odoo_launcher(request.extra_paths)
            try:
                launcher.server.check_can_create_databases()
            except DatabaseError as error:
                raise UsageError(str(error)) from None
            drop_orphans(launcher.server)
            if request.target_series:
                try:
                    rehearse, cleanup = porting.porting_rehearsal(launcher, catalog, modules, request)
                except porting.TargetNotFound as error:
                    raise UsageError(str(error)) from None
            else:
                rehearse = Rehearsal(launcher, catalog, with_tests=request.with_tests).module_issues
        cache_directory = None if options.no_cache else default_directory()
        if options.jobs is not None and options.jobs < 1:
            raise UsageError("--jobs must be 1 or more")
        facts = StaticFacts(catalog, ParseCache(cache_directory) if cache_directory else None,
                            request.target_series or None)
        try:
            report = validation.execute(request, modules, facts, version=own["version"],
                                        rehearse=rehearse, started=started,
                                        cache_directory=cache_directory,
                                        jobs=options.jobs or os.cpu_count() or 1)
        finally:
            if cleanup:
                cleanup()
        if cache_directory:
            prune_cache(cache_directory)
        report.duration_s = time.monotonic() - started
        return report

    def _run_profile(self, dbname, options):
        with database_environment(dbname) as env:
            profile = env["module.validator.profile"].search([("name", "=", options.profile)], limit=1)
            if not profile:
                raise UsageError(f"no active profile named {options.profile!r} in database {dbname!r}")
            request = profile._validation_request()
            if options.fail_on:
                request.fail_on = options.fail_on
            request.with_tests = request.with_tests or options.tests
            plan = self._plan(options, settings_level=profile.level,
                              settings_time_budget_s=profile._time_budget_seconds())
            user = self._run_user(env, options.user)
            return self._run_levels(plan, request, lambda request: self._stored(
                env, *env["module.validator.run"]._launch_request(
                    request, origin="cli", profile=profile, user=user,
                ), dbname,
            ))

    def _run_in_database(self, dbname, request, options):
        with database_environment(dbname) as env:
            # The database's default level (Settings) comes after flags and variables.
            settings_level = env["ir.config_parameter"].sudo().get_param("module_validator.default_level")
            plan = self._plan(options, settings_level=settings_level
                              if settings_level in environment.LEVELS else None)
            user = self._run_user(env, options.user)
            return self._run_levels(plan, request, lambda request: self._stored(
                env, *env["module.validator.run"]._launch_request(request, origin="cli", user=user),
                dbname,
            ))

    @staticmethod
    def _run_user(env, login=None):
        """Who a command-line run is attributed to.

        ``--user LOGIN`` must name an active user. Without it, the user whose
        login is the operating-system user name, when there is one; otherwise
        the superuser, which the run shows as "Command line".
        """
        users = env["res.users"]
        if login:
            user = users.search([("login", "=", login)], limit=1)
            if not user:
                raise UsageError(f"--user {login}: no active user with this login")
            return user
        try:
            os_login = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (containers)
            return None
        return users.search([("login", "=", os_login)], limit=1) or None

    @staticmethod
    def _stored(env, run, report, dbname):
        if report is None:
            raise UsageError(run.error_message)
        _logger.info("run %s stored in database %s", run.name, dbname)
        # SARIF states why a waived finding is accepted.
        keys = {f.waiver for m in report.modules for f in m.findings if f.waiver is not None}
        if keys:
            waivers = env["module.validator.waiver"].sudo().with_context(active_test=False).browse(sorted(keys))
            report.waiver_justifications = {w.id: w.justification for w in waivers.exists()}
        return report
