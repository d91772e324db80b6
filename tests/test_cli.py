# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import os
import tempfile

import jsonschema
from lxml import etree

import odoo
from odoo.tests import tagged

from .common import FIXTURES, HERE, ValidatorCase, odoo_bin
from .test_engine import REPORT_SCHEMA


@tagged("post_install", "-at_install")
class TestCli(ValidatorCase):
    """``odoo-bin validate`` in a subprocess, as users and CI run it."""

    def validate(self, *args, database=False):
        return odoo_bin("validate", *args, database=self.env.cr.dbname if database else None)

    def test_text_report_and_exit_codes_without_database(self):
        clean = self.validate("--modules", "mv_example_clean")
        self.assertEqual(clean.returncode, 0, clean.stderr)
        self.assertIn("PASS  mv_example_clean", clean.stdout)
        broken = self.validate("--modules", "mv_example_clean,mv_example_broken")
        self.assertEqual(broken.returncode, 1, broken.stderr)
        self.assertIn("FAIL  mv_example_broken", broken.stdout)
        self.assertIn("PY001", broken.stdout)

    def test_json_report_matches_the_contract(self):
        result = self.validate("--path", FIXTURES, "--modules", "mvt_clean,mvt_man002", "--format", "json")
        self.assertEqual(result.returncode, 1, result.stderr)
        data = json.loads(result.stdout)
        jsonschema.validate(data, REPORT_SCHEMA)
        self.assertEqual((data["level"], data["verdict"]), ("static", "fail"))
        by_name = {module["name"]: module for module in data["modules"]}
        self.assertEqual(by_name["mvt_man002"]["findings"][0]["rule"], "MAN002")
        self.assertEqual(by_name["mvt_clean"]["verdict"], "pass")

    def test_junit_report_written_to_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            target = os.path.join(folder, "report.xml")
            result = self.validate("--path", os.path.join(FIXTURES, "mvt_py001"),
                                   "--format", "junit", "--output", target)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertEqual(result.stdout, "")
            suite = etree.parse(target).getroot().find("testsuite")
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("1", "1"))
        self.assertIn("PY001", suite.find("testcase/failure").text)

    def test_fail_on_warning(self):
        args = ("--path", os.path.join(FIXTURES, "mvt_man013_missing"))
        self.assertEqual(self.validate(*args).returncode, 0)
        self.assertEqual(self.validate(*args, "--fail-on", "warning").returncode, 1)

    def test_usage_errors_exit_2(self):
        for args in (
            (),
            ("--modules", "mvt_no_such_module"),
            ("--modules", "base", "--level", "dynamic"),
            ("--modules", "base", "--format", "yaml"),
            ("--path", "/nonexistent/folder"),
        ):
            result = self.validate(*args)
            self.assertEqual(result.returncode, 2, f"{args}: {result.stdout} {result.stderr}")
            self.assertIn("error", result.stderr.lower())

    def test_bulletproof_level_without_database(self):
        module = os.path.join(HERE, "fixtures_install", "mvb_bad_view_field")
        result = self.validate("--path", module, "--level", "bulletproof", "--format", "json")
        self.assertEqual(result.returncode, 1, result.stderr)
        data = json.loads(result.stdout)
        jsonschema.validate(data, REPORT_SCHEMA)
        findings = data["modules"][0]["findings"]
        self.assertIn(("TST001", "views/thing_views.xml"), {(f["rule"], f["path"]) for f in findings})

    def test_with_database_the_run_is_stored(self):
        result = self.validate("--level", "dynamic", "--modules", "mv_example_broken",
                               "--format", "json", database=True)
        self.assertEqual(result.returncode, 1, result.stderr)
        data = json.loads(result.stdout)
        jsonschema.validate(data, REPORT_SCHEMA)
        self.assertEqual(data["level"], "dynamic")
        self.assertIn("MAN009", {f["rule"] for f in data["modules"][0]["findings"]})
        # The subprocess committed its run; read it through a connection of our own.
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute(
                "SELECT id, verdict, level FROM module_validator_run WHERE origin = 'cli' ORDER BY id DESC LIMIT 1"
            )
            run_id, verdict, level = cr.fetchone()
            cr.execute("SELECT count(*) FROM module_validator_finding WHERE run_id = %s", (run_id,))
            (finding_count,) = cr.fetchone()
            # Leave the test database as it was.
            cr.execute("DELETE FROM module_validator_run WHERE id = %s", (run_id,))
            cr.commit()
        self.assertEqual((verdict, level), ("fail", "dynamic"))
        self.assertEqual(finding_count, sum(len(m["findings"]) for m in data["modules"]))
