# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The validation service: a JSON HTTP API under ``/module_validator/api/v1/``.

Every call sends ``Authorization: Bearer <Odoo API key>`` of a user of the
validator's groups. Runs go through the run model's one entry point
(``_launch``), in the background; uploads are checked and unpacked by
``service/upload.py`` and never imported. Errors are
``{"error": {"code", "message"}}`` (``models/ir_http.py`` turns Odoo's own
refusals into that shape too).
"""

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from datetime import datetime, timezone

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..engine.render import render_json, render_junit
from ..engine.render_sarif import render_sarif
from ..models.ir_http import error_response, json_response
from ..models.module_validator_run_api import remove_upload
from ..models.module_validator_rule import SEVERITY_SELECTION
from ..service import environment, upload

_logger = logging.getLogger(__name__)

BASE = "/module_validator/api/v1"
USER_GROUP = "module_validator.group_module_validator_user"
MODULE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
FAIL_ON = tuple(key for key, _label in SEVERITY_SELECTION[:2])
REPORT_FORMATS = {
    "json": ("application/json; charset=utf-8", render_json),
    "sarif": ("application/sarif+json; charset=utf-8", None),
    "junit": ("application/xml; charset=utf-8", render_junit),
}
MAX_DEPLOYMENT_MODULES = 500


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _route(path, methods):
    return http.route(f"{BASE}/{path}", type="http", auth="bearer", methods=methods, csrf=False,
                      save_session=False)


def _api_key_digest():
    """SHA-256 of the bearer token: the key's identity for its slots, never stored in clear."""
    header = request.httprequest.headers.get("Authorization", "")
    token = header.split(None, 1)[1].strip() if " " in header else ""
    return hashlib.sha256(token.encode()).hexdigest()


class ValidatorApi(http.Controller):
    """``POST runs``, ``GET runs/<id>``, ``GET runs/<id>/report``, ``POST deployments``."""

    # -- helpers ----------------------------------------------------------------
    @staticmethod
    def _answer(handler, *args):
        """Run ``handler``; an ApiError or UserError becomes the JSON error."""
        if not request.env.user.has_group(USER_GROUP):
            return error_response(403, "forbidden",
                                  "This API key's user is not in the Module Validator groups.")
        try:
            return handler(*args)
        except ApiError as error:
            return error_response(error.status, error.code, error.message)

    @staticmethod
    def _json_body():
        try:
            body = json.loads(request.httprequest.get_data() or b"{}")
        except ValueError as error:
            raise ApiError(400, "bad_json", f"The body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "bad_json", "The body must be a JSON object.")
        return body

    @staticmethod
    def _options(values, upload_run):
        """``(level, fail_on, time budget)`` for the request.

        The request's level comes first, then the server's process variables
        (``ODOO_VALIDATION_LEVEL``, ``ODOO_SKIP_BULLETPROOF``,
        ``ODOO_VALIDATION_TIMEOUT``), then the *Default level* setting, as
        for ``odoo-bin validate`` (service/environment.py). The run is made at
        the resulting level, whose rules include every lower level's, so
        ``ODOO_REQUIRE_ALL_VALIDATIONS`` needs no run per level here.
        """
        Run = request.env["module.validator.run"]
        settings_level = Run.env["ir.config_parameter"].sudo().get_param("module_validator.default_level")
        try:
            plan = environment.plan(
                level=values.get("level") or None,
                settings_level=settings_level if settings_level in environment.LEVELS else None,
            )
        except environment.InvalidSetting as error:
            raise ApiError(422, "bad_level", str(error)) from None
        fail_on = values.get("fail_on") or "error"
        if fail_on not in FAIL_ON:
            raise ApiError(422, "bad_fail_on", f"fail_on={fail_on!r}: expected error or warning")
        if upload_run and plan.level == "bulletproof" and not Run._api_bulletproof_uploads():
            raise ApiError(403, "bulletproof_disabled",
                           "Uploaded addons are validated at the static and dynamic levels only; "
                           "a manager can enable bulletproof for uploads in Settings.")
        return plan.level, fail_on, plan.time_budget_s

    def _run(self, run_id):
        run = request.env["module.validator.run"].browse(run_id)
        try:
            if not run.exists():
                raise ApiError(404, "not_found", f"No run {run_id}.")
            run.check_access("read")
        except AccessError:
            raise ApiError(404, "not_found", f"No run {run_id}.") from None
        return run

    # -- runs -------------------------------------------------------------------
    @_route("runs", ["POST"])
    def create_run(self, **_params):
        return self._answer(self._create_run)

    def _create_run(self):
        started = time.monotonic()
        Run = request.env["module.validator.run"]
        digest = _api_key_digest()
        Run.sudo()._api_clean_uploads()
        Run._api_release(digest)
        if len(Run._api_held_runs(digest)) >= Run._api_queue_per_key():
            raise ApiError(429, "queue_full", f"This API key already has {Run._api_queue_per_key()} runs "
                           "waiting; wait for one to end.")
        if request.httprequest.mimetype == "multipart/form-data":
            archive = request.httprequest.files.get("archive")
            if archive is None:
                raise ApiError(400, "missing_archive", "Send the zip in a multipart part named 'archive'.")
            level, fail_on, budget = self._options(request.httprequest.form, upload_run=True)
            folder = Run._api_new_upload_folder()
            try:
                names = upload.extract(archive.stream, folder, Run._api_limits())
                run = Run._api_launch(names, level=level, fail_on=fail_on, key_digest=digest,
                                      upload_folder=folder, time_budget_s=budget)
            except upload.Refused as error:
                remove_upload(request.env.cr.dbname, folder)
                _logger.info("validation API: upload refused in %.0f ms: %s",
                             1000 * (time.monotonic() - started), error.code)
                raise ApiError(error.status, error.code, error.message) from None
            except Exception:
                remove_upload(request.env.cr.dbname, folder)
                raise
        elif request.httprequest.mimetype in ("application/json", ""):
            body = self._json_body()
            names = body.get("modules")
            if not isinstance(names, list) or not names or not all(
                isinstance(name, str) and MODULE_NAME.match(name) for name in names
            ):
                raise ApiError(422, "bad_modules", "'modules' must be a non-empty list of technical names.")
            level, fail_on, budget = self._options(body, upload_run=False)
            run = Run._api_launch(names, level=level, fail_on=fail_on, key_digest=digest, time_budget_s=budget)
        else:
            raise ApiError(400, "bad_content_type",
                           "Send application/json or multipart/form-data with an 'archive' part.")
        if run.state == "failed":
            raise ApiError(422, "run_refused", run.error_message or "The run could not start.")
        return json_response({
            "id": run.id, "name": run.name, "state": run.state,
            "url": f"{request.httprequest.host_url.rstrip('/')}{BASE}/runs/{run.id}",
        }, 202)

    @_route("runs/<int:run_id>", ["GET"])
    def run_status(self, run_id, **_params):
        return self._answer(lambda: json_response(self._run(run_id)._api_status()))

    @_route("runs/<int:run_id>/report", ["GET"])
    def run_report(self, run_id, **params):
        return self._answer(self._report, run_id, params.get("format") or "json")

    def _report(self, run_id, report_format):
        if report_format not in REPORT_FORMATS:
            raise ApiError(400, "bad_format", "format must be json, sarif or junit.")
        run = self._run(run_id)
        if run.state != "done":
            raise ApiError(422, "run_not_finished" if run.state in ("queued", "running") else "run_" + run.state,
                           f"{run.name} is {run.state}: its report exists once it is done."
                           + (f" {run.error_message}" if run.error_message else ""))
        report = run._api_report()
        content_type, renderer = REPORT_FORMATS[report_format]
        if report_format == "sarif":
            body = self._sarif(run, report)
        else:
            body = renderer(report)
        return request.make_response(body, headers=[("Content-Type", content_type)])

    @staticmethod
    def _sarif(run, report):
        if not run.upload_folder:
            modules = [module.path for module in report.modules if module.path]
            return render_sarif(report, cwd=modules[0] if modules else None)
        # Uploaded modules: locations relative to the archive's top level (a
        # folder outside any repository stands for it), no server folder named.
        with tempfile.TemporaryDirectory(prefix="mv-sarif-") as top:
            for module in report.modules:
                module.path = os.path.join(top, module.name)
            log = json.loads(render_sarif(report, cwd=top))
        for sarif_run in log["runs"]:
            sarif_run.pop("originalUriBaseIds", None)
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"

    # -- deployments ------------------------------------------------------------
    @_route("deployments", ["POST"])
    def create_deployment(self, **_params):
        return self._answer(self._create_deployment)

    def _create_deployment(self):
        body = self._json_body()
        modules = body.get("modules")
        if not isinstance(modules, list) or not modules or len(modules) > MAX_DEPLOYMENT_MODULES or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) and MODULE_NAME.match(m["name"])
            and isinstance(m.get("version") or "", str) and isinstance(m.get("code_fingerprint") or "", str)
            for m in modules
        ):
            raise ApiError(422, "bad_modules",
                           "'modules' must be a non-empty list of {\"name\", \"version\"} objects.")
        for key in ("outcome", "environment", "target", "error_message"):  # checked by _record_deployment
            if body.get(key) is not None and not isinstance(body[key], str):
                raise ApiError(422, f"bad_{key}", f"'{key}' must be a string.")
        dates = {key: self._datetime(body, key) for key in ("date_start", "date_end") if body.get(key)}
        try:
            with request.env.cr.savepoint():  # a refused deployment leaves nothing behind
                deployment = self._record(body, modules, dates)
        except UserError as error:  # ValidationError included
            raise ApiError(422, "invalid", str(error)) from None
        return json_response({
            "id": deployment.id, "name": deployment.name, "outcome": deployment.outcome,
            "environment": deployment.environment, "validated": deployment.validated,
            "run": deployment.run_id.name or None,
        }, 201)

    @staticmethod
    def _record(body, modules, dates):
        deployment = request.env["module.validator.deployment"]._record_deployment(
            [m["name"] for m in modules], outcome=body.get("outcome") or "success",
            environment=body.get("environment"), target=body.get("target"),
            error_message=body.get("error_message"), origin="api",
            given={m["name"]: (m.get("version") or "", m.get("code_fingerprint") or "") for m in modules},
        )
        if dates:
            if "date_start" in dates and "date_end" not in dates:
                dates["date_end"] = max(dates["date_start"], deployment.date_end)
            deployment.write(dates)  # run_id follows: the run must have started by then
        return deployment

    @staticmethod
    def _datetime(body, key):
        """An ISO 8601 date and time (UTC unless it says otherwise), as Odoo stores it."""
        value = body[key]
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise ApiError(422, f"bad_{key}", f"'{key}' must be an ISO 8601 date and time, e.g. "
                           "2026-12-03T18:30:00Z.")
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment.replace(microsecond=0)

    # -- anything else under the API ------------------------------------------------
    @http.route([BASE, f"{BASE}/<path:rest>"], type="http", auth="bearer", csrf=False, save_session=False)
    def unknown(self, **_params):
        return error_response(404, "not_found", "No such API endpoint.")
