# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..engine import compat
from ..engine.code_fingerprint import code_fingerprint
from ..engine.facts import DynamicFacts, StaticFacts
from ..engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from ..engine.rehearsal.scratch import DatabaseError, DatabaseServer, drop_orphans
from ..engine.rule_guard import RuleLimits
from ..service import porting, validation
from ..service.validation import ValidationRequest
from .module_validator_rule import LEVEL_SELECTION, SEVERITY_SELECTION

ORIGIN_SELECTION = [
    ("wizard", "Wizard"),
    ("cron", "Scheduled action"),
    ("cli", "Command line"),
    ("profile", "Profile"),
    ("test", "Test run"),
]
VERDICT_SELECTION = [("pass", "Passed"), ("fail", "Failed")]
FINISHED_STATES = ("done", "failed", "cancelled")
# When a run's last items end in two workers at once, neither sees the other's
# as ended; the queue looks again this many seconds later and closes the run.
RECHECK_DELAY_S = 5

_logger = logging.getLogger(__name__)


def human_duration(seconds):
    """'0.4 s', '21 s', '3 min 05 s', '1 h 02 min': what a person reads at a glance."""
    if seconds is None or seconds is False:
        return ""
    seconds = max(0.0, seconds)
    if seconds < 10:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ModuleValidatorRun(models.Model):
    _name = "module.validator.run"
    _inherit = ["mail.thread"]
    _description = "Module Validator - Run"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    user_id = fields.Many2one(
        "res.users", string="Started by", required=True, readonly=True,
        default=lambda self: self.env.user, index=True,
    )
    origin = fields.Selection(ORIGIN_SELECTION, required=True, readonly=True, default="wizard")
    date_start = fields.Datetime(string="Started", readonly=True, default=fields.Datetime.now)
    date_processing = fields.Datetime(
        string="Processing started", readonly=True,
        help="When the queue took a background run; empty for runs validated at once.",
    )
    duration = fields.Float(
        string="Duration (s)", readonly=True, digits=(16, 3),
        help="From the start to the end of the run, time in the queue included.",
    )
    queue_time_display = fields.Char(string="Time in queue", compute="_compute_time_display")
    run_time_display = fields.Char(string="Run time", compute="_compute_time_display")
    duration_display = fields.Char(string="Duration", compute="_compute_time_display")
    modules_summary = fields.Char(
        string="Module names", compute="_compute_modules_summary",
        help="The modules validated (or, before any is, the modules asked for).",
    )
    started_by = fields.Char(
        compute="_compute_started_by",
        help="Who started the run; runs from the command line without --user show 'Command line'.",
    )
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True, default="static")
    fail_on = fields.Selection(
        SEVERITY_SELECTION[:2], string="Fail on", required=True, readonly=True, default="error"
    )
    scope = fields.Text(readonly=True, help="The modules asked for, as given.")
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Internal error"),
         ("cancelled", "Cancelled")],
        required=True, readonly=True, default="running", index=True,
    )
    verdict = fields.Selection(VERDICT_SELECTION, readonly=True, index=True)
    error_message = fields.Text(readonly=True)
    with_tests = fields.Boolean(
        string="Run tests", readonly=True,
        help="Bulletproof level: also run each module's tests (--test-enable).",
    )
    extra_paths = fields.Text(readonly=True, help="Addons folders scanned besides the server's.")
    target_series = fields.Char(
        string="Validated for Odoo", readonly=True,
        help="Another Odoo series the modules were validated for (a porting rehearsal): its "
        "rules, and at the bulletproof level installs on an Odoo of that series. Empty: this "
        "server's series.",
    )
    item_ids = fields.One2many("module.validator.run.item", "run_id", string="Work items", readonly=True)
    pending_modules = fields.Text(
        compute="_compute_pending_modules",
        help="Modules a background run has still to validate, comma-separated.",
    )
    module_total = fields.Integer(string="Modules to validate", readonly=True)
    progress = fields.Char(compute="_compute_progress")
    progress_percent = fields.Float(
        string="Completion", compute="_compute_progress",
        help="Share of the modules to validate that are validated (0 to 100).",
    )
    result_ids = fields.One2many("module.validator.result", "run_id", string="Modules", readonly=True)
    finding_ids = fields.One2many("module.validator.finding", "run_id", string="Findings", readonly=True)
    module_count = fields.Integer(string="Modules validated", readonly=True)
    failed_module_count = fields.Integer(string="Modules failed", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    warning_count = fields.Integer(string="Warnings", readonly=True)
    info_count = fields.Integer(string="Infos", readonly=True)
    waived_count = fields.Integer(string="Waived", readonly=True)
    profile_id = fields.Many2one(
        "module.validator.profile", string="Profile", readonly=True, index=True, ondelete="set null"
    )
    company_id = fields.Many2one(
        "res.company", string="Company", readonly=True, index=True, default=lambda self: self.env.company,
        help="Only users of this company see the run (a profile's runs: the profile's company); "
        "empty: every company.",
    )
    new_finding_count = fields.Integer(
        string="New findings", readonly=True,
        help="Findings whose fingerprint the profile's previous finished run did not have.",
    )
    persisting_finding_count = fields.Integer(string="Persisting findings", readonly=True)
    fixed_finding_count = fields.Integer(
        string="Fixed findings", readonly=True,
        help="Findings of the profile's previous finished run, on modules validated "
        "again, that this run no longer has.",
    )
    fixed_fingerprints = fields.Text(readonly=True, help="One fingerprint per line.")
    previous_run_id = fields.Many2one(
        "module.validator.run", string="Compared with", readonly=True, ondelete="set null",
    )

    @api.depends("date_start", "date_processing", "duration", "state")
    def _compute_time_display(self):
        now = fields.Datetime.now()
        for run in self:
            queued = 0.0
            if run.date_processing and run.date_start:
                queued = (run.date_processing - run.date_start).total_seconds()
            elif run.state == "queued" and run.date_start:
                queued = (now - run.date_start).total_seconds()
            if run.state in FINISHED_STATES:
                running = max(0.0, run.duration - queued)
            elif run.state == "running" and run.date_start:
                running = (now - (run.date_processing or run.date_start)).total_seconds()
            else:
                running = None
            run.queue_time_display = human_duration(queued) if queued else ""
            run.run_time_display = human_duration(running) if running is not None else ""
            run.duration_display = human_duration(run.duration) if run.state in FINISHED_STATES else ""

    @api.depends("result_ids.name", "scope")
    def _compute_modules_summary(self):
        for run in self:
            names = sorted(run.result_ids.mapped("name"))
            if not names:
                run.modules_summary = (run.scope or "").replace("\n", ", ")
            elif len(names) <= 3:
                run.modules_summary = ", ".join(names)
            else:
                run.modules_summary = self.env._(
                    "%(names)s and %(count)s more", names=", ".join(names[:2]), count=len(names) - 2,
                )

    @api.depends("user_id", "origin")
    def _compute_started_by(self):
        for run in self:
            if run.user_id.id == SUPERUSER_ID and run.origin in ("cli", "cron"):
                run.started_by = dict(ORIGIN_SELECTION)[run.origin]
            else:
                run.started_by = run.user_id.name

    @api.depends("item_ids.state", "item_ids.module_name")
    def _compute_pending_modules(self):
        for run in self:
            run.pending_modules = ",".join(
                item.module_name for item in run.item_ids if item.state in ("pending", "processing"))

    @api.depends("result_ids", "module_total")
    def _compute_progress(self):
        for run in self:
            run.progress = f"{len(run.result_ids)} / {run.module_total}"
            done = len(run.result_ids)
            run.progress_percent = 100.0 * done / run.module_total if run.module_total else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("module.validator.run") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if any(run.state in FINISHED_STATES for run in self):
            raise UserError(self.env._("A finished validation run is an audit record and cannot be changed."))
        return super().write(vals)

    # -- the one entry point for wizard, profiles, queue, CLI and tests ----
    @api.model
    def _launch(self, names=(), *, all_custom=False, level="static", origin="wizard",
                fail_on="error", extra_paths=(), with_tests=False, background=False, target_series=""):
        """Validate modules and store the run; returns ``(run, report)``.

        ``names`` are technical names; ``all_custom`` adds every module on the
        addons path (and ``extra_paths``) that is not part of Odoo itself.
        With ``background`` the run is queued for the queue's scheduled action
        and ``report`` is None. ``target_series`` validates for another Odoo
        series (service/porting.py).
        """
        request = ValidationRequest(
            names=tuple(names), all_custom=all_custom, level=level, fail_on=fail_on,
            extra_paths=tuple(extra_paths), with_tests=with_tests,
            target_series=porting.other_series(target_series),
        )
        return self._launch_request(request, origin=origin, background=background)

    @api.model
    def _launch_request(self, request, *, origin="wizard", background=False, profile=None, user=None):
        """Create a run for ``request`` (a ValidationRequest) and validate it.

        ``user`` (res.users) is who the run is attributed to; default: the
        environment's user.
        """
        run = self.create({
            "user_id": (user or self.env.user).id,
            "origin": origin, "level": request.level, "fail_on": request.fail_on,
            "with_tests": request.with_tests, "extra_paths": "\n".join(request.extra_paths),
            "scope": request.scope_label(), "profile_id": profile.id if profile else False,
            "target_series": request.target_series or False,
            **({"company_id": profile.company_id.id} if profile else {}),
        })
        started = time.monotonic()
        catalog = self._build_catalog(request.extra_paths)
        modules, problem = validation.select_modules(catalog, request)
        if not problem:
            problem = porting.target_problem(request.target_series, request.level)
        if not problem and request.level == "bulletproof":
            problem = run._rehearsal_problem()
        if problem:
            run.write({"state": "failed", "duration": time.monotonic() - started, "error_message": problem})
            return run, None
        run.module_total = len(modules)
        if background:
            run.state = "queued"
            run._create_items(modules)._dispatch()
            return run, None
        try:
            # Rules are isolated from each other (engine/runner.py); should the
            # engine itself fail, the run is still stored, as failed, with why.
            with self.env.cr.savepoint():
                report = run._validate_modules(catalog, modules, started=started, request=request)
        except Exception as error:  # noqa: BLE001 - a run is always stored
            _logger.exception("validation run %s failed", run.id)
            run.write({"state": "failed", "duration": time.monotonic() - started,
                       "error_message": f"Internal error: {type(error).__name__}: {error}"[:2000]})
            return run, None
        run._store_modules(report)
        run._finish(time.monotonic() - started)
        report.duration_s = run.duration
        return run, report

    def _request(self):
        """This run's request, as its profile and stored options define it."""
        self.ensure_one()
        profile = self.profile_id
        return ValidationRequest(
            level=self.level, fail_on=self.fail_on, extra_paths=tuple(self._extra_path_list()),
            with_tests=self.with_tests, target_series=self.target_series or "",
            rule_codes=profile._rule_codes() if profile else None,
            time_budget_s=profile._time_budget_seconds() if profile else None,
        )

    @api.model
    def _build_catalog(self, extra_paths=()):
        installed = self.env["ir.module.module"].sudo().search(
            [("state", "in", ("installed", "to upgrade", "to remove"))]
        ).mapped("name")
        return validation.build_catalog(extra_paths, installed=installed)

    @api.model
    def _validator_version(self):
        module = self.env["ir.module.module"].sudo().search([("name", "=", "module_validator")])
        return module.installed_version or module.latest_version or ""

    def _validate_modules(self, catalog, modules, started=None, request=None):
        """Run the engine at this run's level on ``modules``; returns a RunReport.

        ``started`` (``time.monotonic()``) is when the run's time budget began;
        ``request`` defaults to the one the run's stored options describe.
        """
        self.ensure_one()
        request = request or self._request()
        if request.target_series:
            # Validating for another series: its static rules, never this registry.
            facts = StaticFacts(catalog, series=request.target_series)
        else:
            facts = StaticFacts(catalog) if self.level == "static" else DynamicFacts(catalog, self.env)
        rehearse = cleanup = None
        if self.level == "bulletproof" and request.target_series:
            rehearse, cleanup = porting.porting_rehearsal(self._launcher(), catalog, modules, request)
        elif self.level == "bulletproof":
            rehearsal = self._rehearsal(catalog)
            source_db = self.env.cr.dbname
            rehearse = lambda module: rehearsal.module_issues(module, source_db)  # noqa: E731
        try:
            return validation.execute(
                request, modules, facts, version=self._validator_version(),
                settings=self.env["module.validator.rule"]._engine_settings(),
                rehearse=rehearse, started=started, parallel=self._config_int("rehearsal_parallel"),
                waivers=self.env["module.validator.waiver"]._engine_waivers(),
                extra_rules=self.env["module.validator.rule"]._custom_engine_rules(),
                rule_limits=RuleLimits.of(self._config_int("rule_time_limit"),
                                          self._config_int("rule_memory_limit_mb")),
            )
        finally:
            if cleanup:
                cleanup()

    # -- bulletproof level -------------------------------------------------
    def _launcher(self):
        """This server's interpreter, addons path and database server, with the settings' sandbox."""
        launcher = odoo_launcher(
            self._extra_path_list(), timeout_s=self._config_int("rehearsal_timeout"),
            sandbox_role=self.env["ir.config_parameter"].sudo().get_param("module_validator.sandbox_role") or None)
        drop_orphans(launcher.server)
        return launcher

    def _rehearsal(self, catalog):
        """A rehearsal with this server's interpreter, addons path and database server."""
        return Rehearsal(self._launcher(), catalog, with_tests=self.with_tests)

    def _rehearsal_problem(self):
        """Why scratch databases cannot be made here, or None."""
        try:
            DatabaseServer.scratch_from_odoo_config(config).check_can_create_databases()
        except DatabaseError as error:
            return str(error)
        return None

    @api.model
    def _config_int(self, key):
        """The positive integer setting ``module_validator.<key>``, or None (Settings)."""
        value = self.env["ir.config_parameter"].sudo().get_param(f"module_validator.{key}", "")
        return int(value) if str(value).strip().isdigit() and int(value) > 0 else None

    def _extra_path_list(self):
        return [path for path in (self.extra_paths or "").splitlines() if path]

    # -- the embedded executor: the queue's scheduled actions ------------------
    @api.model
    def _queue_crons(self):
        """The queue's scheduled actions: the shipped one and its copies, one per
        parallel cron worker (Odoo runs each scheduled action in one worker at
        a time, so parallel cron workers need as many actions)."""
        main = self.env.ref("module_validator.ir_cron_module_validator_process_queue").sudo()
        copies = main.with_context(active_test=False).search([
            ("id", "!=", main.id), ("model_id", "=", main.model_id.id), ("code", "=", main.code),
        ], order="id")
        return main | copies

    @api.model
    def _set_cron_workers(self, count):
        """Keep ``count`` (at least 1) queue scheduled actions."""
        count = max(1, count or 1)
        crons = self._queue_crons()
        for number in range(len(crons) + 1, count + 1):
            crons |= crons[0].copy({"name": self.env._(
                "%(name)s (worker %(number)s)", name=crons[0].name, number=number), "active": True})
        crons[count:].unlink()
        crons[:count].write({"active": True})

    @api.model
    def _trigger_queue(self, at=None):
        """Wake every queue scheduled action (now, or at ``at``)."""
        for cron in self._queue_crons().filtered("active"):
            cron._trigger(at)

    def _create_items(self, modules):
        """One work item per module, at this run's level, in the order given."""
        self.ensure_one()
        # Items are the queue's bookkeeping: users read them, only workers change them.
        return self.env["module.validator.run.item"].sudo().create([
            {"run_id": self.id, "module_name": module.name, "level": self.level, "sequence": sequence}
            for sequence, module in enumerate(modules)
        ])

    @api.model
    def _cron_process_queue(self):
        """The embedded executor: validate the next work item, any run's.

        The cron runner commits after each call and calls again while
        ``remaining`` is positive; claims are committed as they are made, so
        several cron workers share the queue without taking the same item.
        Returns the run whose item was processed, or False."""
        self._finish_complete_runs()
        Item = self.env["module.validator.run.item"]
        if Item._executor() != "cron":
            # Another executor (queue_job) processes items; this call only
            # closes runs and hands back items that lost their worker.
            Item._dispatch_claimable()
            return False
        item = Item._claim(self.env.cr)
        if not item:
            return False
        item._validate_and_store()
        run = item.run_id
        self.env["module.validator.run.item"].flush_model(["state"])
        self.env.cr.execute(
            "SELECT count(*) FROM module_validator_run_item WHERE state = 'pending'")
        remaining = self.env.cr.fetchone()[0]
        compat.commit_cron_progress(self.env, 1, remaining)
        if remaining:
            # Odoo calls a scheduled action that reports work left up to 10
            # times, then leaves it due but wakes no cron thread: without a
            # NOTIFY they sleep up to a minute (idle for 60 s after every 10
            # modules, found by bench/run scale). The wake-up also reaches
            # idle workers, which take the queue's other scheduled actions.
            self.env.cr.postcommit.add(self.env["ir.cron"]._notifydb)
        run._send_update()
        return run

    @api.model
    def _finish_complete_runs(self):
        """Finish the runs whose items are all final but that nobody closed.

        Two workers storing a run's last two items at once each see the
        other's item unfinished; the next call of the queue closes the run."""
        self.env["module.validator.run.item"].flush_model(["state"])
        self.flush_model(["state"])
        self.env.cr.execute(
            "SELECT run.id FROM module_validator_run run"
            " WHERE run.state IN ('queued', 'running')"
            "   AND EXISTS (SELECT 1 FROM module_validator_run_item item WHERE item.run_id = run.id)"
            "   AND NOT EXISTS (SELECT 1 FROM module_validator_run_item item"
            "                   WHERE item.run_id = run.id AND item.state IN ('pending', 'processing'))"
        )
        for run in self.browse([row[0] for row in self.env.cr.fetchall()]):
            run._finish_if_complete()

    def _finish_if_complete(self):
        """Close this run when its last item is final; True when it is closed.

        The run's row is updated under a savepoint that gives way to another
        worker updating it at the same time: that worker, or the queue's
        next call, closes the run."""
        self.ensure_one()
        items = self.item_ids
        if any(item.state in ("pending", "processing") for item in items):
            if not items.filtered(lambda item: item.state == "pending"):
                # Others still process; make sure somebody looks again once
                # they commit. Not "now": a scheduled action deletes the
                # triggers that came due while it ran, so a wake-up made
                # during its run would be lost.
                self._trigger_queue(fields.Datetime.now() + timedelta(seconds=RECHECK_DELAY_S))
            return False
        if self.state not in ("queued", "running"):
            return True
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "SELECT id FROM module_validator_run WHERE id = %s FOR NO KEY UPDATE NOWAIT", [self.id],
                    log_exceptions=False)
                self._finish((fields.Datetime.now() - self.date_start).total_seconds(), notify=False)
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            self._trigger_queue(fields.Datetime.now() + timedelta(seconds=RECHECK_DELAY_S))
            return False
        self._announce_finish()
        return True

    # -- storing results -------------------------------------------------------
    def _store_modules(self, report):
        self.ensure_one()
        rules = {
            rule.code: rule.id
            for rule in self.env["module.validator.rule"].with_context(active_test=False).search([])
        }
        # A profile's first run finds everything new; other runs are not compared.
        known = set(self._previous_profile_run().finding_ids.mapped("fingerprint")) if self.profile_id else None
        result_values = []
        for module in report.modules:
            counts = module.counts()
            module.code_fingerprint = module.code_fingerprint or code_fingerprint(module.path)
            result_values.append({
                "run_id": self.id,
                "name": module.name,
                "origin": module.origin,
                "path": module.path,
                "version": module.version,
                "verdict": module.verdict(report.fail_on),
                "duration": module.duration_s,
                "error_count": counts["error"],
                "warning_count": counts["warning"],
                "info_count": counts["info"],
                "waived_count": counts.get("waived", 0),
                "code_fingerprint": module.code_fingerprint,
                "finding_ids": [
                    fields.Command.create({
                        "run_id": self.id,
                        "rule_id": rules.get(finding.rule),
                        "rule_code": finding.rule,
                        "severity": finding.severity,
                        "impact": finding.impact or False,
                        "module_name": finding.module,
                        "path": finding.path,
                        "line": finding.line or 0,
                        "message": finding.message,
                        "excerpt": finding.excerpt or False,
                        "fingerprint": finding.fingerprint,
                        "waiver_id": finding.waiver or False,
                        "state": self._finding_state(finding.fingerprint, known),
                    })
                    for finding in module.findings
                ],
            })
        self.env["module.validator.result"].create(result_values)
        # Counters follow the modules stored so far, so a run in progress
        # never shows 0 errors next to failed modules.
        self._write_run_row(self._totals())

    def _write_run_row(self, values):
        """Write ``values`` on this run unless another worker updates its row
        right now (then that worker's write, or the run's finish, carries the
        counters); True when written."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "SELECT id FROM module_validator_run WHERE id = %s FOR NO KEY UPDATE NOWAIT", [self.id],
                    log_exceptions=False)
                self.write(values)
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            return False
        return True

    def _previous_profile_run(self):
        """The profile's latest finished run before this one (regressions compare with it)."""
        self.ensure_one()
        if not self.profile_id:
            return self.browse()
        return self.search([
            ("profile_id", "=", self.profile_id.id), ("state", "=", "done"), ("id", "<", self.id),
        ], order="id desc", limit=1)

    @staticmethod
    def _finding_state(fingerprint, known):
        if known is None:
            return False
        return "persisting" if fingerprint in known else "new"

    def _regression_values(self):
        """Counts of new, persisting and fixed findings against the previous profile run."""
        self.ensure_one()
        if not self.profile_id:
            return {}
        previous = self._previous_profile_run()
        validated = set(self.result_ids.mapped("name"))
        current = set(self.finding_ids.mapped("fingerprint"))
        fixed = sorted({
            finding.fingerprint for finding in previous.finding_ids
            if finding.module_name in validated and finding.fingerprint not in current
        })
        states = self.finding_ids.mapped("state")
        return {
            "previous_run_id": previous.id or False,
            "new_finding_count": states.count("new"),
            "persisting_finding_count": states.count("persisting"),
            "fixed_finding_count": len(fixed),
            "fixed_fingerprints": "\n".join(fixed),
        }

    def _finish(self, duration, notify=True):
        """Close the run: totals and verdict from its stored module results.

        ``notify`` False leaves telling people to ``_announce_finish``, for a
        caller that closes the run under a savepoint (whose flush would send
        the messages before the savepoint is known to hold)."""
        self.ensure_one()
        results = self.result_ids
        self.write(dict(self._regression_values(), **self._totals(), **{
            "state": "done",
            "verdict": "fail" if "fail" in results.mapped("verdict") else "pass",
            "duration": duration,
        }))
        if notify:
            self._announce_finish()

    def _announce_finish(self):
        """The finished run's profile, and the user of a background run, learn its outcome."""
        self.ensure_one()
        if self.profile_id:
            self.profile_id._notify_run(self)
        if self.date_processing:
            self._notify_finished()

    # -- live progress (bus) -------------------------------------------------
    def _send_update(self):
        """Tell open run forms and lists (every validator user) that this run moved.

        Sent when the transaction commits, i.e. once the queue's step is saved."""
        group = self.env.ref("module_validator.group_module_validator_user", raise_if_not_found=False)
        if not group:
            return
        for run in self:
            self.env["bus.bus"]._sendone(group, "module_validator.run/updated", {
                "id": run.id, "state": run.state, "progress": run.progress,
            })

    def _notify_finished(self):
        """A notification to the user who started a background run, when it ends."""
        for run in self:
            if run.state == "done":
                kind = "success" if run.verdict == "pass" else "danger"
                message = self.env._(
                    "%(run)s: %(verdict)s, %(errors)s error(s) in %(modules)s module(s).",
                    run=run.name, verdict=dict(VERDICT_SELECTION).get(run.verdict, ""),
                    errors=run.error_count, modules=run.module_count,
                )
            else:
                kind = "warning"
                message = self.env._("%(run)s: %(reason)s", run=run.name, reason=run.error_message or "")
            run.user_id._bus_send("simple_notification", {
                "type": kind, "title": self.env._("Validation finished"), "message": message,
                "sticky": False,
            })

    def _totals(self):
        """Counters of the module results stored so far."""
        self.ensure_one()
        results = self.result_ids
        return {
            "module_count": len(results),
            "failed_module_count": len(results.filtered(lambda r: r.verdict == "fail")),
            "error_count": sum(results.mapped("error_count")),
            "warning_count": sum(results.mapped("warning_count")),
            "info_count": sum(results.mapped("info_count")),
            "waived_count": sum(results.mapped("waived_count")),
        }

    # -- UI actions ---------------------------------------------------------
    def action_process_now(self):
        """Ask the queue's scheduled action to run as soon as a cron worker is free.

        Never runs the cron in this request: a busy cron cannot be run manually
        ("Record cannot be modified right now"), and a rehearsal takes minutes."""
        self.ensure_one()
        if self.state not in ("queued", "running"):
            raise UserError(self.env._("Only a queued run can be processed."))
        self._trigger_queue()
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {
                "type": "info", "title": self.env._("Queue started"),
                "message": self.env._(
                    "%(run)s is processed as soon as a scheduled-action worker is free; "
                    "this page follows its progress.", run=self.name),
            },
        }

    def action_cancel(self):
        """Stop a queued run: its pending modules are dropped, the modules
        already validated stay (with their counters), and the run ends as
        cancelled, with a message saying who cancelled it and when."""
        for run in self:
            if run.state not in ("queued", "running"):
                raise UserError(self.env._("Only a queued or running run can be cancelled."))
            # A module a worker validates right now is dropped when it ends:
            # storing checks that the run still runs.
            run.item_ids.sudo().filtered(lambda item: item.state in ("pending", "processing")).write(
                {"state": "cancelled"})
            started = run.date_start or fields.Datetime.now()
            run.write(dict(run._totals(), **{
                "state": "cancelled",
                "duration": (fields.Datetime.now() - started).total_seconds(),
                "error_message": self.env._(
                    "Cancelled by %(user)s after %(done)s of %(total)s module(s).",
                    user=self.env.user.name, done=len(run.result_ids), total=run.module_total),
            }))
            run._send_update()
        return True

    def action_view_findings(self):
        """The smart button counts unwaived errors: open exactly those."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_finding"
        )
        action["name"] = self.env._("Errors of %(run)s", run=self.name)
        action["domain"] = [("run_id", "=", self.id), ("severity", "=", "error"), ("waived", "=", False)]
        action["context"] = {}
        return action
