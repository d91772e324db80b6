# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The validation API (controllers/api.py) over real HTTP, and its client
(tools/mv_client.py) and curl equivalent (README) against the live test server.

Background runs are processed by the queue's scheduled action, which tests do
not run: the tests process the queue themselves, through the registry's test
cursor (the one the HTTP server threads share, under its lock).
"""

import io
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from unittest.mock import patch

import jsonschema
from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, HttpCase, new_test_user, tagged

from ..engine import compat
from ..engine.code_fingerprint import code_fingerprint
from ..models.module_validator_run_api import uploads_root
from ..service import upload
from .common import FIXTURES, HERE, scratch_folder

ADDON_ROOT = os.path.dirname(HERE)
CLIENT = os.path.join(ADDON_ROOT, "tools", "mv_client.py")
README = os.path.join(ADDON_ROOT, "README.rst")
REPORT_SCHEMA = os.path.join(HERE, "data", "validation-report.schema.json")
BASE = "/module_validator/api/v1"
_logger = logging.getLogger(__name__)
USER_GROUPS = "base.group_user,module_validator.group_module_validator_user"


def make_zip(entries):
    """A zip of ``entries``: ``(name, bytes)`` pairs or ``(ZipInfo, bytes)``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_folders(*folders):
    """A zip with each module folder at its top level, as the client sends it."""
    entries = []
    for folder in folders:
        name = os.path.basename(folder)
        for current, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for file_name in sorted(files):
                full = os.path.join(current, file_name)
                entries.append((f"{name}/{os.path.relpath(full, folder)}", Path(full).read_bytes()))
    return make_zip(entries)


MANIFEST = b"{'name': 'API upload', 'version': '1.0.0', 'license': 'LGPL-3', 'depends': ['base']}"


class ApiCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mv_api_user", groups=USER_GROUPS)
        cls.outsider = new_test_user(cls.env, "mv_api_outsider", groups="base.group_user")
        cls.key = cls._new_key(cls.user)
        cls.outsider_key = cls._new_key(cls.outsider)

    @classmethod
    def _new_key(cls, user, name="ci"):
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(None, name, None)

    def call(self, method, path, key=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return self.opener.request(method, self.base_url() + path, headers=headers, allow_redirects=False,
                                   timeout=120, **kwargs)

    def post_zip(self, data, key=None, **fields):
        return self.call("POST", f"{BASE}/runs", key or self.key, files={"archive": ("addons.zip", data)},
                         data=fields or {"level": "static"})

    def assertError(self, response, status, code=None):
        self.assertEqual(response.status_code, status, response.text[:500])
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"), response.headers)
        error = response.json()["error"]
        self.assertEqual(set(error), {"code", "message"})
        if code:
            self.assertEqual(error["code"], code, error)
        return error

    def process_queue(self):
        """Play the queue's cron worker until nothing is left, as the HTTP
        server would see it (through the shared test cursor)."""
        self.env.flush_all()
        steps = 0
        while True:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                processed = env["module.validator.run"]._cron_process_queue()
                cr.postcommit.run()  # uploads are deleted once a run's end is committed
            if not processed:
                break
            steps += 1
        self.env.invalidate_all()
        return steps

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(f"module_validator.{key}", value)

    def setUp(self):
        super().setUp()
        self.uploads_before = self.all_uploads()
        self.addCleanup(self._remove_new_uploads)

    def _remove_new_uploads(self):
        """Runs a test leaves queued keep their folders; the database forgets
        them when the test rolls back, the disk would not."""
        root = uploads_root(self.env.cr.dbname)
        for name in self.uploads():
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        if os.path.isdir(root) and not os.listdir(root):
            os.rmdir(root)

    def all_uploads(self):
        root = uploads_root(self.env.cr.dbname)
        return set(os.listdir(root)) if os.path.isdir(root) else set()

    def uploads(self):
        """The upload folders this test left."""
        return sorted(self.all_uploads() - self.uploads_before)


@tagged("post_install", "-at_install")
class TestApi(ApiCase):
    # -- authentication and groups --------------------------------------------------
    def test_no_key_is_a_json_401(self):
        for method, path in (("GET", f"{BASE}/runs/1"), ("POST", f"{BASE}/runs"),
                             ("GET", f"{BASE}/runs/1/report"), ("POST", f"{BASE}/deployments")):
            self.assertError(self.call(method, path), 401, "unauthorized")
        self.assertError(self.call("GET", f"{BASE}/runs/1", key="not-a-key"), 401, "unauthorized")
        response = self.call("POST", f"{BASE}/runs", key="0" * 40, json={"modules": ["base"]})
        self.assertError(response, 401, "unauthorized")
        self.assertIn("Bearer", response.headers.get("WWW-Authenticate", ""))

    def test_user_outside_the_validator_groups_is_a_json_403(self):
        self.assertError(self.call("GET", f"{BASE}/runs/1", self.outsider_key), 403, "forbidden")
        self.assertError(self.call("POST", f"{BASE}/runs", self.outsider_key, json={"modules": ["base"]}),
                         403, "forbidden")
        self.assertError(self.post_zip(zip_folders(os.path.join(FIXTURES, "mvt_clean")), key=self.outsider_key),
                         403, "forbidden")
        self.assertFalse(self.env["module.validator.run"].search([("origin", "=", "api")]))

    def test_unknown_endpoint_and_run_are_json_404(self):
        self.assertError(self.call("GET", f"{BASE}/nothing/here", self.key), 404, "not_found")
        self.assertError(self.call("GET", f"{BASE}/runs/999999999", self.key), 404, "not_found")
        self.assertError(self.call("GET", f"{BASE}/runs/999999999/report", self.key), 404, "not_found")

    # -- bad requests ---------------------------------------------------------------------
    def test_bad_requests_are_json_4xx(self):
        self.assertError(self.call("POST", f"{BASE}/runs", self.key, data=b"{not json",
                                   headers={"Content-Type": "application/json"}), 400, "bad_json")
        self.assertError(self.call("POST", f"{BASE}/runs", self.key, json={"modules": []}), 422, "bad_modules")
        self.assertError(self.call("POST", f"{BASE}/runs", self.key, json={"modules": ["../etc"]}),
                         422, "bad_modules")
        self.assertError(self.call("POST", f"{BASE}/runs", self.key, json={"modules": ["base"], "level": "deep"}),
                         422, "bad_level")
        self.assertError(self.call("POST", f"{BASE}/runs", self.key,
                                   json={"modules": ["base"], "fail_on": "info"}), 422, "bad_fail_on")
        error = self.assertError(self.call("POST", f"{BASE}/runs", self.key,
                                           json={"modules": ["mv_api_no_such_module"]}), 422, "run_refused")
        self.assertIn("mv_api_no_such_module", error["message"])
        self.assertError(self.call("POST", f"{BASE}/runs", self.key, files={"other": ("a.zip", b"x")}),
                         400, "missing_archive")
        self.assertError(self.post_zip(b"this is not a zip"), 422, "not_a_zip")
        self.assertError(self.post_zip(make_zip([("README.txt", b"hello")])), 422, "no_module")

    # -- hostile uploads ------------------------------------------------------------------
    def test_size_file_count_and_ratio_limits_are_413(self):
        self.set_param("api_max_upload_mb", 1)
        self.set_param("api_max_unpacked_mb", 2)
        self.set_param("api_max_files", 20)
        noise = os.urandom(1_200_000)  # does not compress
        cases = {
            "archive_too_large": make_zip([("m/__manifest__.py", MANIFEST), ("m/noise.bin", noise)]),
            "too_many_files": make_zip([("m/__manifest__.py", MANIFEST)]
                                       + [(f"m/data/f{i}.txt", b"x") for i in range(25)]),
            # Four letters at random compress about four times: under the ratio
            # and the upload limit, over 2 MiB unpacked.
            "uncompressed_too_large": make_zip([("m/__manifest__.py", MANIFEST), ("m/big.txt", os.urandom(
                2_500_000).translate(bytes.maketrans(bytes(range(256)), b"acgt" * 64)))]),
            # 200 MB of zeros in about 200 KB: a zip bomb.
            "compression_ratio": make_zip([("m/__manifest__.py", MANIFEST), ("m/bomb.txt", b"\0" * 200_000_000)]),
        }
        for code, data in cases.items():
            started = time.monotonic()
            self.assertError(self.post_zip(data), 413, code)
            if code == "compression_ratio":
                elapsed_ms = 1000 * (time.monotonic() - started)
                self.assertLess(elapsed_ms, 5000, "a zip bomb is refused from its directory, not inflated")
                _logger.info("zip bomb (%s bytes, 200 MB inflated) refused in %.0f ms", len(data), elapsed_ms)
        # Over the upload limit by far: refused while the body is read.
        self.assertError(self.post_zip(os.urandom(3 * 1024 * 1024)), 413)
        self.assertFalse(self.uploads(), "a refused upload leaves no folder behind")
        self.assertFalse(self.env["module.validator.run"].search([("origin", "=", "api")]))

    def test_hostile_entries_are_refused(self):
        link = zipfile.ZipInfo("m/models/link.py")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        device = zipfile.ZipInfo("m/dev")
        device.create_system = 3
        device.external_attr = (stat.S_IFCHR | 0o666) << 16
        escape = tempfile.mkdtemp(prefix="mv_api_escape_")
        self.addCleanup(shutil.rmtree, escape, ignore_errors=True)
        cases = {
            "path_traversal": [("m/../../../../../../" + escape.lstrip("/") + "/evil.py", b"x")],
            "absolute_path": [(escape + "/evil.py", b"x")],
            "symlink": [(link, b"/etc/passwd")],
            "device": [(device, b"")],
            "duplicate_name": [("m/data/A.xml", b"<odoo/>"), ("m/data/a.xml", b"<odoo/>")],
            "nested_archive": [("m/static/lib.zip", make_zip([("x", b"y")]))],
        }
        for code, entries in cases.items():
            data = make_zip([("m/__manifest__.py", MANIFEST), *entries])
            self.assertError(self.post_zip(data), 422, code)
        # An archive whatever its name says, and a tarball.
        self.assertError(self.post_zip(make_zip([("m/__manifest__.py", MANIFEST),
                                                 ("m/data/notes.txt", make_zip([("x", b"y")]))])),
                         422, "nested_archive")
        tar = io.BytesIO()
        with tarfile.open(fileobj=tar, mode="w") as archive:
            info = tarfile.TarInfo("x")
            archive.addfile(info, io.BytesIO(b""))
        self.assertError(self.post_zip(make_zip([("m/__manifest__.py", MANIFEST),
                                                 ("m/data/file.dat", tar.getvalue())])), 422, "nested_archive")
        self.assertFalse(os.listdir(escape), "nothing is written outside the upload's folder")
        self.assertFalse(self.uploads())
        self.assertFalse(self.env["module.validator.run"].search([("origin", "=", "api")]))

    def test_bulletproof_uploads_only_when_a_manager_allows_it(self):
        data = zip_folders(os.path.join(FIXTURES, "mvt_clean"))
        self.assertError(self.post_zip(data, level="bulletproof"), 403, "bulletproof_disabled")
        self.set_param("api_bulletproof_uploads", "True")
        response = self.post_zip(data, level="bulletproof")
        # Allowed now: queued, or refused only when this server cannot make scratch databases.
        self.assertIn(response.status_code, (202, 422), response.text)
        if response.status_code == 422:
            self.assertEqual(response.json()["error"]["code"], "run_refused")
        else:
            run = self.env["module.validator.run"].browse(response.json()["id"])
            self.assertEqual(run.level, "bulletproof")
            run.action_cancel()

    def test_the_servers_variables_come_after_the_request(self):
        data = zip_folders(os.path.join(FIXTURES, "mvt_clean"))
        Run = self.env["module.validator.run"]
        with patch.dict(os.environ, {"ODOO_VALIDATION_LEVEL": "comprehensive", "ODOO_VALIDATION_TIMEOUT": "120"}):
            implicit = self.post_zip(data, fail_on="error")  # no level: the variable's
            explicit = self.post_zip(data, level="static")  # the request's level wins
        with patch.dict(os.environ, {"ODOO_SKIP_BULLETPROOF": "1"}):
            skipped = self.post_zip(data, level="bulletproof")  # runs as dynamic: no 403
        with patch.dict(os.environ, {"ODOO_VALIDATION_LEVEL": "deep"}):
            self.assertError(self.post_zip(data, level="static"), 422, "bad_level")
        runs = [Run.browse(response.json()["id"]) for response in (implicit, explicit, skipped)]
        self.assertEqual([run.level for run in runs], ["dynamic", "static", "dynamic"])
        self.assertEqual(runs[0].api_time_budget, 120)
        self.assertEqual(runs[0]._request().time_budget_s, 120)
        self.assertFalse(runs[2].api_time_budget)

    # -- a valid upload ----------------------------------------------------------------------
    def test_valid_upload_returns_its_report(self):
        started = time.monotonic()
        data = zip_folders(os.path.join(FIXTURES, "mvt_dep001"), os.path.join(FIXTURES, "mvt_clean"))
        response = self.post_zip(data, level="static", fail_on="error")
        self.assertEqual(response.status_code, 202, response.text)
        created = response.json()
        self.assertEqual(set(created), {"id", "name", "state", "url"})
        self.assertEqual(created["state"], "queued")
        self.assertTrue(created["url"].endswith(f"{BASE}/runs/{created['id']}"))
        run = self.env["module.validator.run"].browse(created["id"])
        self.assertEqual((run.origin, run.user_id, run.level), ("api", self.user, "static"))
        folder = run.upload_folder
        self.assertTrue(os.path.isdir(folder))
        self.assertEqual(stat.S_IMODE(os.stat(folder).st_mode), 0o700, "the upload's folder is private")

        status = self.call("GET", f"{BASE}/runs/{run.id}", self.key).json()
        self.assertEqual(set(status) - {"waiting"}, {"id", "name", "state", "verdict", "progress"})
        self.assertEqual(status["state"], "queued")
        self.assertIsNone(status["verdict"])
        self.assertError(self.call("GET", f"{BASE}/runs/{run.id}/report", self.key), 422, "run_not_finished")

        self.process_queue()
        status = self.call("GET", f"{BASE}/runs/{run.id}", self.key).json()
        self.assertEqual((status["state"], status["verdict"]), ("done", "fail"))
        self.assertEqual(status["progress"], {"done": 2, "total": 2, "percent": 100.0})
        self.assertFalse(os.path.exists(folder), "the upload is deleted once the run ends")

        response = self.call("GET", f"{BASE}/runs/{run.id}/report?format=json", self.key)
        self.assertEqual(response.status_code, 200)
        report = response.json()
        jsonschema.validate(report, json.loads(Path(REPORT_SCHEMA).read_text(encoding="utf-8")))
        modules = {module["name"]: module for module in report["modules"]}
        self.assertEqual(set(modules), {"mvt_dep001", "mvt_clean"})
        self.assertEqual(modules["mvt_dep001"]["path"], "mvt_dep001", "no server folder in the report")
        self.assertEqual(modules["mvt_dep001"]["verdict"], "fail")
        self.assertIn(("DEP001", "error"), [(f["rule"], f["severity"]) for f in modules["mvt_dep001"]["findings"]])
        self.assertEqual(modules["mvt_clean"]["verdict"], "pass")
        self.assertEqual(modules["mvt_clean"]["code_fingerprint"],
                         code_fingerprint(os.path.join(FIXTURES, "mvt_clean")))

        sarif = self.call("GET", f"{BASE}/runs/{run.id}/report?format=sarif", self.key).json()
        results = sarif["runs"][0]["results"]
        dep001 = [r for r in results if r["ruleId"] == "DEP001"]
        self.assertTrue(dep001)
        uri = dep001[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        self.assertTrue(uri.startswith("mvt_dep001/"), uri)
        self.assertNotIn("originalUriBaseIds", sarif["runs"][0])
        self.assertNotIn(folder, json.dumps(sarif))

        junit = etree.fromstring(self.call("GET", f"{BASE}/runs/{run.id}/report?format=junit", self.key).content)
        failed = [case.get("name") for case in junit.iter("testcase") if case.find("failure") is not None]
        self.assertEqual(failed, ["mvt_dep001"])
        self.assertError(self.call("GET", f"{BASE}/runs/{run.id}/report?format=pdf", self.key), 400, "bad_format")
        _logger.info("valid upload of 2 modules: round trip %.2f s", time.monotonic() - started)

    def test_an_upload_is_deleted_however_its_run_ends(self):
        Run = self.env["module.validator.run"]
        data = zip_folders(os.path.join(FIXTURES, "mvt_clean"))
        cancelled = Run.browse(self.post_zip(data).json()["id"])
        kept = Run.browse(self.post_zip(data).json()["id"])
        folders = (cancelled.upload_folder, kept.upload_folder)
        self.assertTrue(all(os.path.isdir(folder) for folder in folders))
        cancelled.action_cancel()
        self.env.flush_all()
        # What the end's post-commit hook does, and the sweep behind it.
        Run._api_clean_uploads()
        self.assertFalse(os.path.exists(folders[0]), "a cancelled run's upload is deleted")
        self.assertTrue(os.path.isdir(folders[1]), "a queued run keeps its upload")
        # A folder no run owns (a request that died after unpacking) goes after an hour.
        orphan = Run._api_new_upload_folder()
        Run._api_clean_uploads()
        self.assertTrue(os.path.isdir(orphan))
        os.utime(orphan, (time.time() - 7200, time.time() - 7200))
        Run._api_clean_uploads()
        self.assertFalse(os.path.exists(orphan))

    def test_uploaded_code_is_never_imported(self):
        workdir = tempfile.mkdtemp(prefix="mv_api_marker_")
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        marker = os.path.join(workdir, "imported.marker")
        writer = f"open({marker!r}, 'w').write('imported')\n".encode()
        data = make_zip([
            ("mvt_api_marker/__manifest__.py",
             b"{'name': 'Marker', 'version': '1.0.0', 'license': 'LGPL-3', 'depends': ['base'],"
             b" 'post_init_hook': 'post_init', 'pre_init_hook': 'pre_init'}"),
            ("mvt_api_marker/__init__.py", writer + b"from . import models\nfrom .hooks import post_init, pre_init\n"),
            ("mvt_api_marker/hooks.py", b"def post_init(env):\n    " + writer + b"def pre_init(env):\n    " + writer),
            ("mvt_api_marker/models/__init__.py", writer + b"from . import marker\n"),
            ("mvt_api_marker/models/marker.py",
             writer + b"from odoo import fields, models\n\n\nclass Marker(models.Model):\n"
             b"    _name = 'mvt.api.marker'\n    _description = 'Marker'\n    name = fields.Char()\n"),
            ("mvt_api_marker/setup.py", writer),
            ("mvt_api_marker/tests/__init__.py", writer),
        ])
        # The detector works: running the code does write the marker.
        subprocess.run([sys.executable, "-c", writer.decode()], check=True)
        self.assertTrue(os.path.exists(marker))
        os.remove(marker)
        for level in ("static", "dynamic"):
            response = self.post_zip(data, level=level)
            self.assertEqual(response.status_code, 202, response.text)
            self.process_queue()
            run = self.env["module.validator.run"].browse(response.json()["id"])
            self.assertEqual((run.state, run.module_count), ("done", 1), run.error_message)
            self.assertFalse(os.path.exists(marker), f"the {level} level imported uploaded code")

    # -- runs of modules on the server, and per-key slots ----------------------------------
    def test_runs_per_key_wait_for_a_slot_then_429(self):
        self.set_param("api_runs_per_key", 1)
        self.set_param("api_queue_per_key", 2)
        Run = self.env["module.validator.run"]
        ids = []
        for _index in range(3):
            response = self.call("POST", f"{BASE}/runs", self.key, json={"modules": ["base_setup"], "level": "fast"})
            self.assertEqual(response.status_code, 202, response.text)
            ids.append(response.json()["id"])
        runs = Run.browse(ids)
        self.assertEqual(runs.mapped("level"), ["static"] * 3, "fast is the static level")
        self.assertEqual([bool(run.item_ids) for run in runs], [True, False, False])
        self.assertEqual(runs.mapped("state"), ["queued"] * 3, "beyond the key's slots, runs are queued")
        status = self.call("GET", f"{BASE}/runs/{ids[1]}", self.key).json()
        self.assertEqual(status["state"], "queued")
        self.assertIn("waiting", status)
        self.assertError(self.call("POST", f"{BASE}/runs", self.key, json={"modules": ["base_setup"]}),
                         429, "queue_full")
        # Another key has its own slots.
        other = self._new_key(self.user, "other pipeline")
        response = self.call("POST", f"{BASE}/runs", other, json={"modules": ["base_setup"]})
        self.assertEqual(response.status_code, 202, response.text)
        self.assertTrue(Run.browse(response.json()["id"]).item_ids)

        # One module validated: the first run ends and hands its slot to the second only.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            while env["module.validator.run"].browse(ids[0]).state != "done":
                self.assertTrue(env["module.validator.run"]._cron_process_queue())
        self.env.invalidate_all()
        self.assertEqual(runs.mapped("state")[0], "done")
        self.assertEqual([bool(run.item_ids) for run in runs], [True, True, False])
        self.process_queue()
        self.assertEqual(runs.mapped("state"), ["done"] * 3)
        self.assertTrue(runs[0].date_processing <= runs[1].date_processing <= runs[2].date_processing)
        self.assertEqual(runs.mapped("verdict"), ["pass"] * 3)

    def test_json_run_of_server_modules_and_visibility(self):
        response = self.call("POST", f"{BASE}/runs", self.key,
                             json={"modules": ["base_setup"], "level": "static", "fail_on": "warning"})
        self.assertEqual(response.status_code, 202, response.text)
        run_id = response.json()["id"]
        self.process_queue()
        report = self.call("GET", f"{BASE}/runs/{run_id}/report", self.key).json()
        jsonschema.validate(report, json.loads(Path(REPORT_SCHEMA).read_text(encoding="utf-8")))
        self.assertEqual([m["name"] for m in report["modules"]], ["base_setup"])
        # Every validator user reads every run (security/module_validator_rules.xml)...
        colleague = new_test_user(self.env, "mv_api_colleague", groups=USER_GROUPS)
        self.assertEqual(self.call("GET", f"{BASE}/runs/{run_id}", self._new_key(colleague)).status_code, 200)
        # ...and nobody else.
        self.assertError(self.call("GET", f"{BASE}/runs/{run_id}", self.outsider_key), 403)

    # -- deployments ---------------------------------------------------------------------
    def test_deployment_recorded_and_matched_with_the_run(self):
        response = self.post_zip(zip_folders(os.path.join(FIXTURES, "mvt_clean")))
        self.assertEqual(response.status_code, 202, response.text)
        run_id = response.json()["id"]
        self.process_queue()
        report = self.call("GET", f"{BASE}/runs/{run_id}/report", self.key).json()
        fingerprint = report["modules"][0]["code_fingerprint"]
        payload = {
            "environment": "staging", "target": "acme-staging", "outcome": "failure",
            "error_message": "KeyError: 'x'",
            "modules": [{"name": "mvt_clean", "version": "18.0.1.0.0", "code_fingerprint": fingerprint}],
        }
        response = self.call("POST", f"{BASE}/deployments", self.key, json=payload)
        self.assertEqual(response.status_code, 201, response.text)
        answer = response.json()
        deployment = self.env["module.validator.deployment"].browse(answer["id"])
        self.assertEqual(
            (deployment.origin, deployment.environment, deployment.target, deployment.outcome,
             deployment.error_message, deployment.user_id),
            ("api", "staging", "acme-staging", "failure", "KeyError: 'x'", self.user))
        self.assertEqual(deployment.line_ids.mapped("module_name"), ["mvt_clean"])
        self.assertEqual(deployment.line_ids.version, "18.0.1.0.0")
        self.assertEqual(deployment.run_id.id, run_id)
        self.assertTrue(answer["validated"], "the code deployed is the code the upload validated")
        self.assertTrue(deployment.passed_but_failed)
        # A module on the server's addons path needs no fingerprint; unknown ones do.
        response = self.call("POST", f"{BASE}/deployments", self.key,
                             json={"modules": [{"name": "base_setup", "version": "18.0.1.0"}]})
        self.assertEqual(response.status_code, 201, response.text)
        self.assertTrue(self.env["module.validator.deployment"].browse(response.json()["id"]).line_ids.code_fingerprint)
        # Dates from CI: a deployment before the run cannot have been validated by it.
        before = dict(payload, date_start="2020-01-01T10:00:00+02:00", date_end="2020-01-01T08:30:00Z")
        response = self.call("POST", f"{BASE}/deployments", self.key, json=before)
        self.assertEqual(response.status_code, 201, response.text)
        early = self.env["module.validator.deployment"].browse(response.json()["id"])
        self.assertEqual((str(early.date_start), str(early.date_end)), ("2020-01-01 08:00:00", "2020-01-01 08:30:00"))
        self.assertFalse(response.json()["validated"])
        self.assertError(self.call("POST", f"{BASE}/deployments", self.key,
                                   json=dict(payload, date_start="yesterday")), 422, "bad_date_start")
        count = self.env["module.validator.deployment"].search_count([])
        self.assertError(self.call("POST", f"{BASE}/deployments", self.key,
                                   json=dict(payload, date_start="2020-01-02T00:00:00",
                                             date_end="2020-01-01T00:00:00")), 422, "invalid")
        self.assertEqual(self.env["module.validator.deployment"].search_count([]), count,
                         "a refused deployment leaves nothing behind")
        self.assertError(self.call("POST", f"{BASE}/deployments", self.key, json={"modules": ["x"]}),
                         422, "bad_modules")
        self.assertError(self.call("POST", f"{BASE}/deployments", self.key,
                                   json={"modules": [{"name": "base_setup"}], "outcome": "great"}), 422)
        self.assertError(self.call("POST", f"{BASE}/deployments", self.outsider_key, json=payload), 403)


@tagged("post_install", "-at_install")
class TestUpload(BaseCase):
    """service/upload.py alone: what the HTTP tests do not reach."""

    def extract(self, entries, limits=upload.Limits()):
        folder = tempfile.mkdtemp(prefix="mv_upload_unit_")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        return folder, upload.extract(io.BytesIO(make_zip(entries)), folder, limits)

    def assertRefused(self, entries, status, code, limits=upload.Limits()):
        with self.assertRaises(upload.Refused) as caught:
            self.extract(entries, limits)
        self.assertEqual((caught.exception.status, caught.exception.code), (status, code), caught.exception)

    def test_a_valid_archive_is_unpacked_privately(self):
        xlsx = make_zip([("[Content_Types].xml", b"<Types/>")])  # office documents are zip files
        folder, names = self.extract([("m/__manifest__.py", MANIFEST), ("m/report/template.xlsx", xlsx),
                                      ("n/__manifest__.py", MANIFEST), ("n/./models//a.py", b"")])
        self.assertEqual(names, ["m", "n"])
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(folder, "m", "report")).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(folder, "m", "__manifest__.py")).st_mode), 0o600)
        self.assertTrue(os.path.isfile(os.path.join(folder, "n", "models", "a.py")))

    def test_refusals(self):
        # zipfile writes no encrypted entry: set the flag in the headers by hand.
        data = bytearray(make_zip([("m/__manifest__.py", MANIFEST)]))
        data[data.index(b"PK\x03\x04") + 6] |= 0x1
        data[data.index(b"PK\x01\x02") + 8] |= 0x1
        folder = tempfile.mkdtemp(prefix="mv_upload_unit_")
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        with self.assertRaises(upload.Refused) as caught:
            upload.extract(io.BytesIO(bytes(data)), folder)
        self.assertEqual(caught.exception.code, "encrypted")
        self.assertRefused([("m/__manifest__.py", MANIFEST), ("m/a", b"x"), ("m/a/b", b"y")], 422, "duplicate_name")
        self.assertRefused([("m/__manifest__.py", MANIFEST), ("m/a\x01b", b"x")], 422, "bad_name")
        self.assertRefused([("m\\..\\..\\x.py", b"x")], 422, "path_traversal")
        self.assertRefused([("My-Module/__manifest__.py", MANIFEST)], 422, "bad_module_name")
        self.assertRefused([("__manifest__.py", MANIFEST)], 422, "no_module")
        small = upload.Limits(max_compressed=10_000, max_uncompressed=50_000, max_files=3, max_ratio=10)
        self.assertRefused([("m/__manifest__.py", MANIFEST), ("m/z", b"z" * 200_000)], 413, "compression_ratio", small)
        self.assertRefused([("m/__manifest__.py", MANIFEST), ("m/r", os.urandom(60_000))], 413, "archive_too_large",
                           upload.Limits(max_compressed=50_000))
        self.assertRefused([("m/__manifest__.py", MANIFEST)] + [(f"m/{i}", b"") for i in range(3)], 413,
                           "too_many_files", small)


@tagged("post_install", "-at_install")
class TestApiClient(ApiCase):
    """tools/mv_client.py and the README's curl commands, run for real."""

    def setUp(self):
        super().setUp()
        self.project = scratch_folder(self, "mv_api_project_")
        addons = os.path.join(self.project, "addons")
        os.makedirs(addons)
        for name in ("mvt_dep001", "mvt_clean"):
            shutil.copytree(os.path.join(FIXTURES, name), os.path.join(addons, name),
                            ignore=shutil.ignore_patterns("__pycache__"))
        with open(os.path.join(self.project, ".gitignore"), "w", encoding="utf-8") as handle:
            handle.write("*.log\n")
        with open(os.path.join(addons, "mvt_clean", "debug.log"), "w", encoding="utf-8") as handle:
            handle.write("ignored\n")
        subprocess.run(["git", "init", "-q", self.project], check=True)
        subprocess.run(["git", "-C", self.project, "add", "."], check=True)
        self.env.flush_all()

    def run_while_processing(self, command, env=None, cwd=None, timeout=300):
        """Run ``command`` while this thread plays the queue's worker."""
        environ = {key: value for key, value in os.environ.items() if key != "MODULE_VALIDATOR_API_KEY"}
        environ.update(env or {})
        self.env.flush_all()
        with compat.allow_outside_requests(self):
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ,
                                       cwd=cwd or self.project, text=True)
            deadline = time.monotonic() + timeout
            while process.poll() is None and time.monotonic() < deadline:
                with self.registry.cursor() as cr:
                    env_ = api.Environment(cr, SUPERUSER_ID, {})
                    env_["module.validator.run"]._cron_process_queue()
                    cr.postcommit.run()
                time.sleep(0.2)
            try:
                stdout, stderr = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
        self.env.invalidate_all()
        return process.returncode, stdout, stderr

    def client(self, *args, key=None, env=None):
        return self.run_while_processing(
            [sys.executable, CLIENT, "--url", self.base_url(), *(["--key", key] if key else []), *args], env=env)

    def test_client_validates_a_project_and_writes_the_reports(self):
        os.makedirs(os.path.join(self.project, "out"))
        started = time.monotonic()
        code, stdout, stderr = self.client(
            "--level", "static", "--sarif", "out/results.sarif", "--junit", "out/results.xml",
            "--json", "out/report.json", "addons", env={"MODULE_VALIDATOR_API_KEY": self.key},
        )
        elapsed = time.monotonic() - started
        self.assertEqual(code, 1, f"a broken module fails the run\n{stdout}\n{stderr}")
        self.assertIn("sending 2 module(s)", stderr)
        self.assertRegex(stderr, r"\S+/\d+: (queued|running|done), \d/2 module\(s\)")
        self.assertIn("FAIL  mvt_dep001", stdout)
        self.assertIn("PASS  mvt_clean", stdout)
        self.assertIn("DEP001", stdout)
        self.assertRegex(stdout, r"FAIL: 2 module\(s\) validated at the static level")
        sarif = json.loads(Path(os.path.join(self.project, "out", "results.sarif")).read_text(encoding="utf-8"))
        uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
                for result in sarif["runs"][0]["results"] for loc in result["locations"]}
        self.assertTrue(uris and all(uri.startswith("addons/") for uri in uris),
                        f"SARIF locations are relative to the repository: {uris}")
        junit = etree.parse(os.path.join(self.project, "out", "results.xml"))
        self.assertEqual([c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None],
                         ["mvt_dep001"])
        report = json.loads(Path(os.path.join(self.project, "out", "report.json")).read_text(encoding="utf-8"))
        self.assertEqual(report["verdict"], "fail")
        run = self.env["module.validator.run"].search([("origin", "=", "api")], limit=1)
        self.assertEqual(run.user_id, self.user)
        _logger.info("mv_client.py round trip with 2 modules: %.2f s\n%s%s", elapsed, stderr, stdout)

    def test_client_exit_codes(self):
        code, stdout, stderr = self.client("--level", "static", "addons/mvt_clean", key=self.key)
        self.assertEqual(code, 0, f"{stdout}\n{stderr}")
        self.assertIn("PASS: 1 module(s)", stdout)
        code, _stdout, stderr = self.client("addons", key="wrong-key")
        self.assertEqual(code, 2)
        self.assertIn("401 unauthorized", stderr)
        code, _stdout, stderr = self.client("addons", key=self.outsider_key)
        self.assertEqual((code, "403 forbidden" in stderr), (2, True), stderr)
        code, _stdout, stderr = self.client("addons")  # no key at all
        self.assertEqual(code, 2)
        self.assertIn("MODULE_VALIDATOR_API_KEY", stderr)
        code, _stdout, stderr = self.run_while_processing(
            [sys.executable, CLIENT, "--url", "http://127.0.0.1:9", "--key", "x", "addons"])
        self.assertEqual(code, 2)
        self.assertIn("cannot reach", stderr)

    def test_client_respects_gitignore(self):
        sys.path.insert(0, os.path.dirname(CLIENT))
        try:
            import mv_client  # noqa: PLC0415
        finally:
            sys.path.pop(0)
        modules = mv_client.find_modules([os.path.join(self.project, "addons")])
        self.assertEqual(sorted(modules), ["mvt_clean", "mvt_dep001"])
        data, _count = mv_client.build_archive(modules, self.project)
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        self.assertIn("mvt_clean/__manifest__.py", names)
        self.assertNotIn("mvt_clean/debug.log", names, "git ls-files --exclude-standard")
        shutil.rmtree(os.path.join(self.project, ".git"))
        data, _count = mv_client.build_archive(modules, self.project)
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        self.assertIn("mvt_clean/__manifest__.py", names)
        self.assertNotIn("mvt_clean/debug.log", names, "the .gitignore reader without git")
        # What the client sends, the service accepts.
        self.assertEqual(upload.module_names(upload.check(zipfile.ZipFile(io.BytesIO(data)), upload.Limits())),
                         ["mvt_clean", "mvt_dep001"])

    def test_readme_curl_example_runs(self):
        text = Path(README).read_text(encoding="utf-8")
        match = re.search(r"\.\. curl-example-start\n\n\.\. code-block:: bash\n\n(.*?)\n\.\. curl-example-end",
                          text, re.S)
        self.assertTrue(match, "README.rst shows the curl equivalent between curl-example markers")
        script = "\n".join(line[4:] for line in match.group(1).splitlines())
        code, stdout, stderr = self.run_while_processing(
            ["bash", "-euo", "pipefail", "-c", script],
            env={"MV_URL": self.base_url(), "MODULE_VALIDATOR_API_KEY": self.key})
        self.assertEqual(code, 0, f"{stdout}\n{stderr}")
        _logger.info("README curl example:\n%s%s", stdout, stderr)
        self.assertIn('"state": "done"', stdout.replace('"state":"done"', '"state": "done"'))
        sarif = json.loads(Path(os.path.join(self.project, "results.sarif")).read_text(encoding="utf-8"))
        self.assertIn("DEP001", {r["ruleId"] for r in sarif["runs"][0]["results"]})
        self.assertTrue(etree.parse(os.path.join(self.project, "results.xml")).getroot().tag == "testsuites")
        deployment = json.loads(stdout.strip().splitlines()[-1])
        self.assertEqual((deployment["outcome"], deployment["environment"], deployment["validated"]),
                         ("success", "staging", True), "the deployment matches the uploaded run")
