# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the validation API adds to a run: the key that started it, the
uploaded addons it validates, the per-key slots, and its report rebuilt from
the stored results.

API runs go through ``_launch`` in the background like any queued run. A key
runs at most ``module_validator.api_runs_per_key`` of them at once: a run
beyond that is held (queued, its modules kept in ``api_held_modules`` where
the queue does not look) until one of the key's runs ends. Past
``module_validator.api_queue_per_key`` held runs, the API answers 429.
"""

import logging
import os
import shutil
import tempfile
import time
from functools import partial

from odoo import api, fields, models
from odoo.tools import config

from ..engine import compat
from ..engine.results import Finding, ModuleReport, RunReport
from ..service import upload, validation
from ..service.validation import ValidationRequest
from .module_validator_run import FINISHED_STATES

_logger = logging.getLogger(__name__)

DEFAULT_RUNS_PER_KEY = 2
DEFAULT_QUEUE_PER_KEY = 20
MIB = 1024 * 1024


def uploads_root(dbname):
    """Where this database's uploads are unpacked (one private folder each)."""
    return os.path.join(config["data_dir"], "module_validator_uploads", dbname)


def remove_upload(dbname, folder):
    """Delete an upload's folder, only ever one under this database's uploads root."""
    root = os.path.realpath(uploads_root(dbname))
    if folder and os.path.dirname(os.path.realpath(folder)) == root:
        shutil.rmtree(folder, ignore_errors=True)


class ModuleValidatorRun(models.Model):
    _inherit = "module.validator.run"

    origin = fields.Selection(selection_add=[("api", "HTTP API")], ondelete={"api": "set default"})
    api_key_digest = fields.Char(
        readonly=True, index=True, copy=False,
        help="SHA-256 of the API key that started the run (never the key itself).",
    )
    upload_folder = fields.Char(
        readonly=True, copy=False,
        help="Private folder holding the uploaded addons; deleted when the run ends.",
    )
    api_time_budget = fields.Float(
        string="Time budget (s)", readonly=True, copy=False,
        help="The server's ODOO_VALIDATION_TIMEOUT when the API run was asked for; counted "
        "from the request, time waiting included.",
    )
    api_held_modules = fields.Text(
        readonly=True, copy=False,
        help="Modules of an API run waiting for one of its key's slots.",
    )

    # -- settings ---------------------------------------------------------------
    @api.model
    def _api_limits(self):
        defaults = upload.Limits()
        get = self._config_int
        return upload.Limits(
            max_compressed=(get("api_max_upload_mb") or defaults.max_compressed // MIB) * MIB,
            max_uncompressed=(get("api_max_unpacked_mb") or defaults.max_uncompressed // MIB) * MIB,
            max_files=get("api_max_files") or defaults.max_files,
            max_ratio=get("api_max_ratio") or defaults.max_ratio,
        )

    @api.model
    def _api_bulletproof_uploads(self):
        value = self.env["ir.config_parameter"].sudo().get_param("module_validator.api_bulletproof_uploads")
        return str(value or "").strip().lower() in ("1", "true", "yes", "on")

    # -- uploads ----------------------------------------------------------------
    @api.model
    def _api_new_upload_folder(self):
        root = uploads_root(self.env.cr.dbname)
        os.makedirs(root, mode=0o700, exist_ok=True)
        return tempfile.mkdtemp(prefix="upload-", dir=root)  # mode 0700

    @api.model
    def _api_clean_uploads(self):
        """Delete the folders of uploads whose run has ended or that no run owns
        (a request that died between unpacking and launching)."""
        root = uploads_root(self.env.cr.dbname)
        try:
            entries = os.listdir(root)
        except OSError:
            return 0
        folders = {os.path.join(root, entry) for entry in entries}
        Run = self.sudo().with_context(active_test=False)
        owned = {run.upload_folder: run.state for run in Run.search([("upload_folder", "in", list(folders))])}
        removed = 0
        for folder in folders:
            state = owned.get(folder)
            if state in FINISHED_STATES or (state is None and _older_than(folder, 3600)):
                remove_upload(self.env.cr.dbname, folder)
                removed += 1
        return removed

    # -- launching --------------------------------------------------------------
    @api.model
    def _api_launch(self, names, *, level, fail_on, key_digest, upload_folder=None, time_budget_s=None):
        """Start an API run of ``names`` (uploaded into ``upload_folder``, or on
        the addons path) through the one entry point; returns the run."""
        request = ValidationRequest(
            names=tuple(names), level=level, fail_on=fail_on, time_budget_s=time_budget_s,
            extra_paths=(upload_folder,) if upload_folder else (),
        )
        run, _report = self.with_context(
            default_api_key_digest=key_digest, default_upload_folder=upload_folder or False,
            default_api_time_budget=time_budget_s or 0.0,
        )._launch_request(request, origin="api", background=True)
        return run.with_context(default_api_key_digest=None, default_upload_folder=None,
                                default_api_time_budget=None)

    def _request(self):
        request = super()._request()
        if self.api_time_budget and request.time_budget_s is None:
            request.time_budget_s = self.api_time_budget
        return request

    def _create_items(self, modules):
        """An API run beyond its key's slots waits, without work items, behind
        the key's other waiting runs (``_api_release`` creates its items)."""
        self.ensure_one()
        digest = self.api_key_digest
        releasing = self.env.context.get("module_validator_api_release")
        if digest and not releasing and (
            self._api_held_runs(digest) or len(self._api_active_runs(digest)) > self._api_runs_per_key()
        ):
            self.write({"api_held_modules": ",".join(module.name for module in modules)})
            return self.env["module.validator.run.item"]
        return super()._create_items(modules)

    @api.model
    def _api_runs_per_key(self):
        return self._config_int("api_runs_per_key") or DEFAULT_RUNS_PER_KEY

    @api.model
    def _api_queue_per_key(self):
        return self._config_int("api_queue_per_key") or DEFAULT_QUEUE_PER_KEY

    @api.model
    def _api_active_runs(self, key_digest):
        """The key's runs that hold a slot: handed to the queue and not ended."""
        return self.sudo().search([
            ("api_key_digest", "=", key_digest), ("state", "in", ("queued", "running")),
            ("api_held_modules", "in", (False, "")),
        ])

    @api.model
    def _api_held_runs(self, key_digest):
        return self.sudo().search([
            ("api_key_digest", "=", key_digest), ("state", "=", "queued"),
            ("api_held_modules", "not in", (False, "")),
        ], order="id")

    @api.model
    def _api_release(self, key_digest):
        """Give the key's free slots to its oldest waiting runs; returns them."""
        free = self._api_runs_per_key() - len(self._api_active_runs(key_digest))
        released = self._api_held_runs(key_digest)[:max(free, 0)]
        for run in released:
            catalog = run._build_catalog(run._extra_path_list())
            names = tuple(run.api_held_modules.split(","))
            modules, _problem = validation.select_modules(catalog, ValidationRequest(names=names))
            run.write({"api_held_modules": False})
            run.with_context(module_validator_api_release=True)._create_items(modules)._dispatch()
        return released

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in FINISHED_STATES:
            ended = self.filtered("api_key_digest")
            for folder in ended.mapped("upload_folder"):
                # Once the run's end is committed; should it roll back, the
                # queue still finds the files.
                self.env.cr.postcommit.add(partial(remove_upload, self.env.cr.dbname, folder))
            if ended:
                for digest in set(ended.mapped("api_key_digest")):
                    self._api_release(digest)
        return result

    # -- reading ----------------------------------------------------------------
    def _api_status(self):
        self.ensure_one()
        total = self.module_total
        done = len(self.result_ids)
        values = {
            "id": self.id, "name": self.name, "state": self.state, "verdict": self.verdict or None,
            "progress": {"done": done, "total": total,
                         "percent": round(100.0 * done / total, 1) if total else 0.0},
        }
        if self.api_held_modules:
            values["waiting"] = "for a free slot of this API key"
        if self.error_message:
            values["message"] = self.error_message
        return values

    def _api_report(self):
        """The finished run's report, rebuilt from its stored results, as the
        engine made it (the JSON report schema's RunReport)."""
        self.ensure_one()
        report = RunReport(version=self._validator_version(), level=self.level, fail_on=self.fail_on,
                           duration_s=self.duration or 0.0, series=self.target_series or compat.series())
        for result in self.result_ids.sorted("name"):
            module = ModuleReport(
                name=result.name, path=self._api_public_path(result.path, result.name),
                origin=result.origin or "", version=result.version or "",
                duration_s=result.duration or 0.0, code_fingerprint=result.code_fingerprint or "",
            )
            for finding in result.finding_ids.sorted(lambda f: (f.path or "", f.line, f.id)):
                module.findings.append(Finding(
                    rule=finding.rule_code, severity=finding.severity, module=finding.module_name,
                    path=finding.path or "", line=finding.line or None, message=finding.message,
                    fingerprint=finding.fingerprint or "", waiver=finding.waiver_id.id or None,
                    impact=finding.impact or None, excerpt=finding.excerpt or None,
                ))
            report.modules.append(module)
        return report

    def _api_public_path(self, path, name):
        """An uploaded module's path as the client knows it: its name."""
        if self.upload_folder and path and os.path.dirname(path) == self.upload_folder:
            return name
        return path or ""


def _older_than(folder, seconds):
    try:
        return time.time() - os.stat(folder).st_mtime > seconds
    except OSError:
        return False
