# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Hostile input at every level (issue 13, item 5): the same hostile addons
(tests/hostile.py) through the static and the dynamic level, a stored dynamic
run, and the upload API. Each gives a clear finding, never a crash (no MV001,
the engine's internal error), never a hang, never a file read outside the
module, never a line of the module run.
"""

import io
import logging
import os
import shutil
import tempfile
import time
import zipfile

from odoo.tests import tagged

from ..engine import discovery
from ..engine.rules.registry import INTERNAL_ERROR
from .common import ValidatorCase
from .hostile import PASSWD_MARK, build_hostile_addons, time_bound
from .test_api import BASE, ApiCase

_logger = logging.getLogger(__name__)

# A module's run at one level may take this long, at most (seconds).
TIME_LIMIT = 60
# Rules each hostile module must get, at both levels: the clear finding.
EXPECTED = {
    "mvh_xxe": {"DAT002"},
    "mvh_laughs": {"DAT001"},  # libxml2 refuses the entity loop
    "mvh_deep_xml": {"DAT001"},
    "mvh_deep_python": {"PY001"},
    "mvh_deep_manifest": {"MAN001"},
    "mvh_long_manifest": {"MAN001"},
    "mvh_huge": {"DAT001", "PY001"},
    "mvh_garbage": {"DAT001", "PY001"},
    "mvh_encoding": {"DAT001", "PY001"},
    "mvh_manifest_bytes": {"MAN001"},
    "mvh_code_manifest": {"MAN001"},
    "mvh_code_python": set(),
    "mvh_traversal": {"MAN010"},
    "mvh_symlink": {"MAN010"},
    "mvh_cycle_a": {"DEP002"},
    "mvh_cycle_b": {"DEP002"},
    "mvh_self": {"DEP002"},
    "mvh_odd_manifest": {"MAN005"},
    "mvh_nul_manifest": {"MAN010"},
}


class HostileAddons:
    """The hostile addons in a temporary folder, for the class's tests."""

    @classmethod
    def make_hostile_addons(cls):
        cls.hostile_root = tempfile.mkdtemp(prefix="mv_hostile_")
        cls.addClassCleanup(shutil.rmtree, cls.hostile_root, ignore_errors=True)
        cls.addons = os.path.join(cls.hostile_root, "addons")
        os.makedirs(cls.addons)
        cls.marker = os.path.join(cls.hostile_root, "code-ran.marker")
        cls.hostile = build_hostile_addons(cls.addons, cls.marker)

    def assertSafe(self, findings, what):
        """No internal error, nothing from /etc/passwd, nothing run."""
        messages = [f"{f.rule} {f.message} {f.excerpt or ''}" for f in findings]
        self.assertNotIn(INTERNAL_ERROR, [f.rule for f in findings], f"{what}: {messages}")
        self.assertFalse([m for m in messages if PASSWD_MARK in m], f"{what} shows a file outside the module")
        self.assertFalse(os.path.exists(self.marker), f"{what} ran the module's code")


@tagged("post_install", "-at_install")
class TestHostileInput(HostileAddons, ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_hostile_addons()
        addons_paths, core_paths = discovery.odoo_paths()
        cls.catalog = discovery.discover([cls.addons, *addons_paths], core_paths=core_paths)

    def test_fixtures_are_what_they_claim(self):
        self.assertEqual(set(self.hostile), set(EXPECTED))
        self.assertGreater(os.path.getsize(os.path.join(self.addons, "mvh_huge", "data", "huge.xml")),
                           20 * 1024 * 1024)
        self.assertTrue(os.path.islink(os.path.join(self.addons, "mvh_symlink", "data", "passwd.xml")))
        self.assertIn(PASSWD_MARK, open("/etc/passwd", encoding="utf-8").read())

    def test_each_level_gives_clear_findings_without_crash_or_hang(self):
        names = sorted(self.hostile)
        for level in ("static", "dynamic"):
            started = time.monotonic()
            # One run per level, as a user would start it: the closure is parsed once.
            with time_bound(TIME_LIMIT * 3, f"the {level} validation of the hostile modules"):
                report = self.run_engine(names, level)
            elapsed = time.monotonic() - started
            self.assertEqual([module.name for module in report.modules], names)
            for module in report.modules:
                with self.subTest(level=level, module=module.name):
                    codes = {finding.rule for finding in module.findings}
                    self.assertSafe(module.findings, f"{level} validation of {module.name} "
                                                     f"({self.hostile[module.name]})")
                    self.assertLessEqual(EXPECTED[module.name], codes, f"{level} {module.name}: {sorted(codes)}")
                    if EXPECTED[module.name]:
                        self.assertEqual(module.verdict(), "fail")
                    self.assertLess(module.duration_s, TIME_LIMIT)
            slowest = max(report.modules, key=lambda module: module.duration_s)
            _logger.info("hostile input, %s level: %d modules in %.1f s, slowest %s (%.2f s)",
                         level, len(names), elapsed, slowest.name, slowest.duration_s)

    def test_a_stored_dynamic_run_of_every_hostile_module(self):
        names = sorted(self.hostile)
        with time_bound(TIME_LIMIT * 2, "the dynamic run of the hostile modules"):
            run, report = self.env["module.validator.run"]._launch(
                names, level="dynamic", origin="test", extra_paths=[self.addons])
        self.assertEqual(run.state, "done", run.error_message)
        self.assertEqual(sorted(run.result_ids.mapped("name")), names)
        self.assertSafe([f for m in report.modules for f in m.findings], "the stored dynamic run")
        stored = set(run.finding_ids.mapped(lambda f: (f.module_name, f.rule_id.code)))
        for name, codes in EXPECTED.items():
            self.assertLessEqual({(name, code) for code in codes}, stored, name)


@tagged("post_install", "-at_install")
class TestHostileUpload(HostileAddons, ApiCase):
    """The hostile modules as a valid zip: the archive checks pass, the content is hostile."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_hostile_addons()

    def hostile_zip(self):
        buffer = io.BytesIO()
        names = []
        # Links are refused by the upload itself (test_api.py), and a sparse
        # file over the upload limit too.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name in sorted(self.hostile):
                if name in ("mvh_symlink", "mvh_huge"):
                    continue
                names.append(name)
                folder = os.path.join(self.addons, name)
                for current, _dirs, files in os.walk(folder):
                    for file_name in sorted(files):
                        full = os.path.join(current, file_name)
                        archive.write(full, f"{name}/{os.path.relpath(full, folder)}")
        return buffer.getvalue(), names

    def test_hostile_content_is_validated_at_each_level(self):
        data, names = self.hostile_zip()
        for level in ("static", "dynamic"):
            response = self.post_zip(data, level=level)
            self.assertEqual(response.status_code, 202, response.text)
            with time_bound(TIME_LIMIT * 2, f"the {level} run of the uploaded hostile modules"):
                self.process_queue()
            run_id = response.json()["id"]
            status = self.call("GET", f"{BASE}/runs/{run_id}", self.key).json()
            self.assertEqual((status["state"], status["verdict"]), ("done", "fail"), status)
            report = self.call("GET", f"{BASE}/runs/{run_id}/report", self.key).json()
            modules = {module["name"]: module for module in report["modules"]}
            self.assertEqual(sorted(modules), names)
            for name in names:
                codes = {finding["rule"] for finding in modules[name]["findings"]}
                self.assertNotIn(INTERNAL_ERROR, codes, f"{level} {name}")
                self.assertLessEqual(EXPECTED[name], codes, f"{level} {name}")
            self.assertNotIn(PASSWD_MARK, response.text + str(report))
            self.assertFalse(os.path.exists(self.marker))
        self.assertFalse(self.uploads(), "the uploads are deleted once their runs end")
