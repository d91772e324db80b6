# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import time

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import discovery
from ..engine.facts import DynamicFacts, StaticFacts
from ..engine.runner import validate
from .module_validator_rule import LEVEL_SELECTION, SEVERITY_SELECTION

ORIGIN_SELECTION = [
    ("wizard", "Wizard"),
    ("cron", "Scheduled action"),
    ("cli", "Command line"),
    ("test", "Test run"),
]
VERDICT_SELECTION = [("pass", "Passed"), ("fail", "Failed")]
# The levels this version implements; bulletproof comes with its own issue.
RUNNABLE_LEVELS = ("static", "dynamic")
FINISHED_STATES = ("done", "failed")


class ModuleValidatorRun(models.Model):
    _name = "module.validator.run"
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
        [("running", "Running"), ("done", "Done"), ("failed", "Internal error")],
        required=True, readonly=True, default="running", index=True,
    )
    verdict = fields.Selection(VERDICT_SELECTION, readonly=True, index=True)
    error_message = fields.Text(readonly=True)
    result_ids = fields.One2many("module.validator.result", "run_id", string="Modules", readonly=True)
    finding_ids = fields.One2many("module.validator.finding", "run_id", string="Findings", readonly=True)
    module_count = fields.Integer(string="Modules validated", readonly=True)
    failed_module_count = fields.Integer(string="Modules failed", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    warning_count = fields.Integer(string="Warnings", readonly=True)
    info_count = fields.Integer(string="Infos", readonly=True)

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

    # -- the one entry point for wizard, cron, CLI and tests ---------------
    @api.model
    def _launch(self, names=(), *, all_custom=False, level="static", origin="wizard",
                fail_on="error", extra_paths=()):
        """Validate modules and store the run; returns ``(run, report)``.

        ``names`` are technical names; ``all_custom`` adds every module on the
        addons path (and ``extra_paths``) that is not part of Odoo itself.
        """
        if level not in RUNNABLE_LEVELS:
            raise UserError(self.env._("The %(level)s level is not available yet.", level=level))
        names = [name.strip() for name in names if name and name.strip()]
        run = self.create({
            "origin": origin, "level": level, "fail_on": fail_on,
            "scope": ", ".join(names) + (" + all non-Odoo modules" if all_custom else ""),
        })
        started = time.perf_counter()
        catalog = self._build_catalog(extra_paths)
        modules, unknown = discovery.select(catalog, names, all_custom=all_custom)
        if unknown:
            run.write({
                "state": "failed", "duration": time.perf_counter() - started,
                "error_message": self.env._("Modules not found on the addons path: %(names)s",
                                            names=", ".join(unknown)),
            })
            return run, None
        facts = StaticFacts(catalog) if level == "static" else DynamicFacts(catalog, self.env)
        report = validate(
            modules, facts, level, version=self._validator_version(), fail_on=fail_on,
            settings=self.env["module.validator.rule"]._engine_settings(),
        )
        run._store_report(report, time.perf_counter() - started)
        return run, report

    @api.model
    def _build_catalog(self, extra_paths=()):
        addons_paths, core_paths = discovery.odoo_paths()
        installed = self.env["ir.module.module"].sudo().search(
            [("state", "in", ("installed", "to upgrade", "to remove"))]
        ).mapped("name")
        return discovery.discover(
            [*extra_paths, *addons_paths], core_paths=core_paths, installed=installed
        )

    @api.model
    def _validator_version(self):
        module = self.env["ir.module.module"].sudo().search([("name", "=", "module_validator")])
        return module.installed_version or module.latest_version or ""

    def _store_report(self, report, duration):
        self.ensure_one()
        rules = {
            rule.code: rule.id
            for rule in self.env["module.validator.rule"].with_context(active_test=False).search([])
        }
        result_values = []
        for module in report.modules:
            counts = module.counts()
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
                    })
                    for finding in module.findings
                ],
            })
        self.env["module.validator.result"].create(result_values)
        counts = report.counts()
        self.write({
            "state": "done",
            "verdict": report.verdict,
            "duration": duration,
            "module_count": len(report.modules),
            "failed_module_count": sum(
                1 for module in report.modules if module.verdict(report.fail_on) == "fail"
            ),
            "error_count": counts["error"],
            "warning_count": counts["warning"],
            "info_count": counts["info"],
        })

    # -- scheduled validation ----------------------------------------------
    @api.model
    def _cron_validate(self):
        """Validate the modules configured in system parameters and store a run.

        ``module_validator.cron_modules``: comma-separated names; empty means
        every installed module that is not part of Odoo itself.
        ``module_validator.cron_level``: static or dynamic (default dynamic).
        """
        params = self.env["ir.config_parameter"].sudo()
        names = [n for n in (params.get_param("module_validator.cron_modules") or "").split(",") if n.strip()]
        level = params.get_param("module_validator.cron_level") or "dynamic"
        if not names:
            catalog = self._build_catalog()
            names = [m.name for m in catalog.modules.values() if m.installed and not m.odoo_core]
        run, _report = self._launch(names, level=level, origin="cron")
        return run

    # -- UI actions ---------------------------------------------------------
    def action_view_findings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_finding"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_module": 1, "search_default_group_severity": 1}
        return action
