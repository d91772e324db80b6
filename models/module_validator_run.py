# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..engine.code_fingerprint import code_fingerprint
from ..engine.facts import DynamicFacts, StaticFacts
from ..engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from ..engine.rehearsal.scratch import DatabaseError, DatabaseServer, drop_orphans
from ..service import validation
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
FINISHED_STATES = ("done", "failed")


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
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True, default="static")
    fail_on = fields.Selection(
        SEVERITY_SELECTION[:2], string="Fail on", required=True, readonly=True, default="error"
    )
    scope = fields.Text(readonly=True, help="The modules asked for, as given.")
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Internal error")],
        required=True, readonly=True, default="running", index=True,
    )
    verdict = fields.Selection(VERDICT_SELECTION, readonly=True, index=True)
    error_message = fields.Text(readonly=True)
    with_tests = fields.Boolean(
        string="Run tests", readonly=True,
        help="Bulletproof level: also run each module's tests (--test-enable).",
    )
    extra_paths = fields.Text(readonly=True, help="Addons folders scanned besides the server's.")
    pending_modules = fields.Text(readonly=True, help="Modules a queued run has still to rehearse.")
    module_total = fields.Integer(string="Modules to validate", readonly=True)
    progress = fields.Char(compute="_compute_progress")
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

    @api.depends("result_ids", "module_total")
    def _compute_progress(self):
        for run in self:
            run.progress = f"{len(run.result_ids)} / {run.module_total}"

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
                fail_on="error", extra_paths=(), with_tests=False, background=False):
        """Validate modules and store the run; returns ``(run, report)``.

        ``names`` are technical names; ``all_custom`` adds every module on the
        addons path (and ``extra_paths``) that is not part of Odoo itself.
        With ``background`` the run is queued for the queue's scheduled action
        and ``report`` is None.
        """
        request = ValidationRequest(
            names=tuple(names), all_custom=all_custom, level=level, fail_on=fail_on,
            extra_paths=tuple(extra_paths), with_tests=with_tests,
        )
        return self._launch_request(request, origin=origin, background=background)

    @api.model
    def _launch_request(self, request, *, origin="wizard", background=False, profile=None):
        """Create a run for ``request`` (a ValidationRequest) and validate it."""
        run = self.create({
            "origin": origin, "level": request.level, "fail_on": request.fail_on,
            "with_tests": request.with_tests, "extra_paths": "\n".join(request.extra_paths),
            "scope": request.scope_label(), "profile_id": profile.id if profile else False,
        })
        started = time.monotonic()
        catalog = self._build_catalog(request.extra_paths)
        modules, problem = validation.select_modules(catalog, request)
        if not problem and request.level == "bulletproof":
            problem = run._rehearsal_problem()
        if problem:
            run.write({"state": "failed", "duration": time.monotonic() - started, "error_message": problem})
            return run, None
        run.module_total = len(modules)
        if background:
            run.write({"state": "queued", "pending_modules": ",".join(m.name for m in modules)})
            self.env.ref("module_validator.ir_cron_module_validator_process_queue")._trigger()
            return run, None
        report = run._validate_modules(catalog, modules, started=started, request=request)
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
            with_tests=self.with_tests,
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
        facts = StaticFacts(catalog) if self.level == "static" else DynamicFacts(catalog, self.env)
        rehearse = None
        if self.level == "bulletproof":
            rehearsal = self._rehearsal(catalog)
            source_db = self.env.cr.dbname
            rehearse = lambda module: rehearsal.module_issues(module, source_db)  # noqa: E731
        return validation.execute(
            request or self._request(), modules, facts, version=self._validator_version(),
            settings=self.env["module.validator.rule"]._engine_settings(),
            rehearse=rehearse, started=started,
            waivers=self.env["module.validator.waiver"]._engine_waivers(),
            extra_rules=self.env["module.validator.rule"]._custom_engine_rules(),
        )

    # -- bulletproof level -------------------------------------------------
    def _rehearsal(self, catalog):
        """A rehearsal with this server's interpreter, addons path and database server."""
        launcher = odoo_launcher(self._extra_path_list())
        drop_orphans(launcher.server)
        return Rehearsal(launcher, catalog, with_tests=self.with_tests)

    def _rehearsal_problem(self):
        """Why scratch databases cannot be made here, or None."""
        try:
            DatabaseServer.from_odoo_config(config).check_can_create_databases()
        except DatabaseError as error:
            return str(error)
        return None

    def _extra_path_list(self):
        return [path for path in (self.extra_paths or "").splitlines() if path]

    @api.model
    def _cron_process_queue(self):
        """Rehearse the next module of the oldest queued run (one per call).

        The cron runner commits after each call and calls again while
        ``remaining`` is positive, so progress shows on the run as it goes and
        several cron workers share the queue without taking the same run.
        """
        self.flush_model(["state", "pending_modules"])
        self.env.cr.execute(
            "SELECT id FROM module_validator_run WHERE state IN ('queued', 'running') "
            "AND COALESCE(pending_modules, '') != '' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        row = self.env.cr.fetchone()
        if not row:
            return False
        run = self.browse(row[0])
        name, *rest = run.pending_modules.split(",")
        catalog = run._build_catalog(run._extra_path_list())
        modules, _problem = validation.select_modules(catalog, ValidationRequest(names=(name,)))
        # The time budget counts from the run's start, across cron calls.
        elapsed = (fields.Datetime.now() - run.date_start).total_seconds()
        run._store_modules(run._validate_modules(catalog, modules, started=time.monotonic() - elapsed))
        run.write({"state": "running", "pending_modules": ",".join(rest)})
        if not rest:
            run._finish((fields.Datetime.now() - run.date_start).total_seconds())
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(rest))
        return run

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
                        "module_name": finding.module,
                        "path": finding.path,
                        "line": finding.line or 0,
                        "message": finding.message,
                        "fingerprint": finding.fingerprint,
                        "waiver_id": finding.waiver or False,
                        "state": self._finding_state(finding.fingerprint, known),
                    })
                    for finding in module.findings
                ],
            })
        self.env["module.validator.result"].create(result_values)

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

    def _finish(self, duration):
        """Close the run: totals and verdict from its stored module results."""
        self.ensure_one()
        results = self.result_ids
        self.write(dict(self._regression_values(), **{
            "state": "done",
            "verdict": "fail" if "fail" in results.mapped("verdict") else "pass",
            "duration": duration,
            "module_count": len(results),
            "failed_module_count": len(results.filtered(lambda r: r.verdict == "fail")),
            "error_count": sum(results.mapped("error_count")),
            "warning_count": sum(results.mapped("warning_count")),
            "info_count": sum(results.mapped("info_count")),
            "waived_count": sum(results.mapped("waived_count")),
        }))
        if self.profile_id:
            self.profile_id._notify_run(self)

    # -- UI actions ---------------------------------------------------------
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
