# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The process's variables: flags beat them, they beat the settings, and the
command line, the hooks and the test gate read them the same way."""

import json
import os
import subprocess
import sys

import jsonschema

import odoo
from odoo.tests import tagged

from ..engine.render import render_junit, render_text
from ..engine.results import LevelsReport
from ..service.environment import InvalidSetting, plan
from .common import ADDON_ROOT, FIXTURES, ValidatorCase, odoo_bin, subprocess_env
from .test_engine import REPORT_SCHEMA
from .test_installed_modules import gate_plan


@tagged("post_install", "-at_install")
class TestProcessVariables(ValidatorCase):
    # -- the one resolution (service/environment.py) ----------------------------
    def test_flag_beats_variable_beats_settings_beats_default(self):
        variable = {"ODOO_VALIDATION_LEVEL": "dynamic"}
        self.assertEqual(plan(environ={}).levels, ("static",))
        self.assertEqual(plan(settings_level="dynamic", environ={}).levels, ("dynamic",))
        self.assertEqual(plan(settings_level="static", environ=variable).levels, ("dynamic",))
        self.assertEqual(plan(level="bulletproof", settings_level="static", environ=variable).levels,
                         ("bulletproof",))
        # An empty variable is unset (CI templates declare them empty).
        self.assertEqual(plan(settings_level="dynamic", environ={"ODOO_VALIDATION_LEVEL": " "}).level, "dynamic")
        budget = {"ODOO_VALIDATION_TIMEOUT": "90"}
        self.assertIsNone(plan(environ={}).time_budget_s)
        self.assertEqual(plan(settings_time_budget_s=600, environ={}).time_budget_s, 600)
        self.assertEqual(plan(settings_time_budget_s=600, environ=budget).time_budget_s, 90)
        self.assertEqual(plan(time_budget_s="30", settings_time_budget_s=600, environ=budget).time_budget_s, 30)
        # 0 is "no budget", and beats the profile's too.
        self.assertIsNone(plan(settings_time_budget_s=600, environ={"ODOO_VALIDATION_TIMEOUT": "0"}).time_budget_s)

    def test_aliases_and_invalid_values(self):
        for word, level in (("fast", "static"), ("comprehensive", "dynamic"), ("Bulletproof ", "bulletproof"),
                            ("static", "static"), ("dynamic", "dynamic")):
            self.assertEqual(plan(environ={"ODOO_VALIDATION_LEVEL": word}).level, level, word)
        for variable, value in (("ODOO_VALIDATION_LEVEL", "turbo"), ("ODOO_VALIDATION_TIMEOUT", "soon"),
                                ("ODOO_VALIDATION_TIMEOUT", "-5"), ("ODOO_SKIP_BULLETPROOF", "maybe"),
                                ("ODOO_REQUIRE_ALL_VALIDATIONS", "2")):
            with self.assertRaisesRegex(InvalidSetting, f"{variable}='{value}'"):
                plan(environ={variable: value})
        # A typo fails even while a flag overrides the variable.
        with self.assertRaises(InvalidSetting):
            plan(level="static", environ={"ODOO_VALIDATION_LEVEL": "turbo"})

    def test_skip_bulletproof_and_require_all(self):
        skip = {"ODOO_SKIP_BULLETPROOF": "yes"}
        skipped = plan(level="bulletproof", environ=skip)
        self.assertEqual((skipped.levels, skipped.requested_level), (("dynamic",), "bulletproof"))
        self.assertIn("ODOO_SKIP_BULLETPROOF is set", skipped.notes[0])
        self.assertEqual(plan(level="dynamic", environ=skip).notes, ())
        every = {"ODOO_REQUIRE_ALL_VALIDATIONS": "true"}
        self.assertEqual(plan(level="dynamic", environ=every).levels, ("static", "dynamic"))
        self.assertEqual(plan(level="static", environ=every).levels, ("static",))
        self.assertEqual(plan(level="bulletproof", environ={**every, **skip}).levels, ("static", "dynamic"))
        self.assertEqual(plan(level="bulletproof", environ=every).levels, ("static", "dynamic", "bulletproof"))

    def test_the_test_gate_reads_the_same_variables(self):
        self.assertEqual(gate_plan(environ={}).levels, ("dynamic",))
        self.assertEqual(gate_plan(environ={"ODOO_VALIDATION_LEVEL": "fast"}).levels, ("static",))
        self.assertEqual(gate_plan(environ={"ODOO_REQUIRE_ALL_VALIDATIONS": "1"}).levels, ("static", "dynamic"))
        self.assertEqual(gate_plan(environ={"ODOO_VALIDATION_TIMEOUT": "120"}).time_budget_s, 120)

    def test_hooks_ask_the_same_file(self):
        """The hooks run service/environment.py with any python3, before Odoo is set up."""
        script = os.path.join(ADDON_ROOT, "service", "environment.py")

        def levels(**variables):
            return subprocess.run([sys.executable, "-I", script], env=subprocess_env(variables),
                                  capture_output=True, text=True, timeout=60, check=False)

        self.assertEqual(levels().stdout, "static\n")
        self.assertEqual(levels(ODOO_VALIDATION_LEVEL="comprehensive", ODOO_REQUIRE_ALL_VALIDATIONS="on").stdout,
                         "static dynamic\n")
        typo = levels(ODOO_SKIP_BULLETPROOF="maybe")
        self.assertEqual((typo.returncode, typo.stdout), (2, ""))
        self.assertIn("ODOO_SKIP_BULLETPROOF='maybe'", typo.stderr)

    # -- odoo-bin validate ------------------------------------------------------
    def validate(self, *args, database=False, **variables):
        return odoo_bin("validate", *args, database=self.env.cr.dbname if database else None,
                        extra_env=variables)

    def test_cli_level_flag_beats_the_variable(self):
        module = ("--path", os.path.join(FIXTURES, "mvt_clean"), "--format", "json")
        dynamic = self.validate(*module, ODOO_VALIDATION_LEVEL="comprehensive")
        self.assertEqual(dynamic.returncode, 2, dynamic.stdout)
        self.assertIn("the dynamic level (ODOO_VALIDATION_LEVEL=comprehensive) needs a database", dynamic.stderr)
        flag = self.validate(*module, "--level", "fast", ODOO_VALIDATION_LEVEL="comprehensive")
        self.assertEqual(flag.returncode, 0, flag.stderr)
        self.assertEqual(json.loads(flag.stdout)["level"], "static")
        typo = self.validate(*module, ODOO_VALIDATION_LEVEL="turbo")
        self.assertEqual(typo.returncode, 2)
        self.assertIn("ODOO_VALIDATION_LEVEL='turbo': expected static, dynamic or bulletproof", typo.stderr)

    def test_cli_timeout_is_the_run_time_budget(self):
        module = ("--path", os.path.join(FIXTURES, "mvt_clean"), "--format", "json", "--no-cache")
        out_of_time = self.validate(*module, ODOO_VALIDATION_TIMEOUT="0.001")
        self.assertEqual(out_of_time.returncode, 1, out_of_time.stderr)
        findings = json.loads(out_of_time.stdout)["modules"][0]["findings"]
        self.assertEqual([f["rule"] for f in findings], ["MV002"])
        flag = self.validate(*module, "--timeout", "0", ODOO_VALIDATION_TIMEOUT="0.001")
        self.assertEqual(flag.returncode, 0, flag.stderr)
        bad = self.validate(*module, ODOO_VALIDATION_TIMEOUT="soon")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("ODOO_VALIDATION_TIMEOUT='soon'", bad.stderr)

    def test_cli_skip_bulletproof_and_require_all_with_a_database(self):
        first_run = self.last_cli_run()
        self.addCleanup(self.delete_cli_runs_since, first_run)
        skipped = self.validate("--path", os.path.join(FIXTURES, "mvt_clean"), "--level", "bulletproof",
                                "--format", "json", database=True, ODOO_SKIP_BULLETPROOF="1")
        self.assertIn(skipped.returncode, (0, 1), skipped.stderr)
        data = json.loads(skipped.stdout)
        jsonschema.validate(data, REPORT_SCHEMA)
        self.assertEqual(data["level"], "dynamic")
        self.assertIn("ODOO_SKIP_BULLETPROOF is set: the bulletproof level requested (--level bulletproof) "
                      "ran as dynamic.", data["notes"])
        # mvt_man009 passes the static level and fails the dynamic one (a
        # missing external dependency): both levels run and are reported.
        every = self.validate("--path", os.path.join(FIXTURES, "mvt_man009"), "--format", "json",
                              database=True, ODOO_VALIDATION_LEVEL="comprehensive",
                              ODOO_REQUIRE_ALL_VALIDATIONS="1")
        self.assertEqual(every.returncode, 1, every.stderr)
        data = json.loads(every.stdout)
        jsonschema.validate(data, REPORT_SCHEMA)
        self.assertEqual([(level["level"], level["verdict"]) for level in data["levels"]],
                         [("static", "pass"), ("dynamic", "fail")])
        self.assertEqual((data["level"], data["verdict"]), ("dynamic", "fail"))
        self.assertIn("MAN009", {f["rule"] for f in data["modules"][0]["findings"]})
        # One stored run per level.
        self.assertEqual(self.cli_runs_since(first_run), [("dynamic",), ("static",), ("dynamic",)])

    def test_require_all_reports_each_level(self):
        static = self.run_engine(["mvt_clean"])
        failing = self.run_engine(["mvt_py001"])
        failing.level = "dynamic"
        both = LevelsReport([static, failing])
        text = render_text(both)
        self.assertIn("== static level ==", text)
        self.assertIn("== dynamic level ==", text)
        self.assertTrue(text.endswith("FAIL: every level up to dynamic must pass: static pass, dynamic fail\n"))
        self.assertEqual(render_junit(both).count("<testsuite "), 2)

    def last_cli_run(self):
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM module_validator_run")
            return cr.fetchone()[0]

    def cli_runs_since(self, run_id):
        """The levels of the runs the subprocesses committed."""
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT level FROM module_validator_run WHERE origin = 'cli' AND id > %s ORDER BY id",
                       (run_id,))
            return cr.fetchall()

    def delete_cli_runs_since(self, run_id):
        """Leave the test database as it was."""
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("DELETE FROM module_validator_run WHERE origin = 'cli' AND id > %s", (run_id,))
            cr.commit()
