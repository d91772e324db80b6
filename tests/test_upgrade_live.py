# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Upgrade checks where users really run them, and rules that fail in a dynamic run."""
import dataclasses
import json
import os
import subprocess
import sys
import tempfile

import odoo
from odoo.tests import tagged

from ..engine import compat
from ..engine.rehearsal.rehearse import odoo_launcher
from ..engine.rehearsal.scratch import scratch_name
from ..engine.rules import RULES
from ..engine.rules.registry import INTERNAL_ERROR, Issue
from .common import ValidatorCase, server_config_args
from .test_upgrade import V1, V2

MODULE = "mvu_live_required"


def _broken_query(ctx):
    # A column the table does not have: PostgreSQL aborts the transaction.
    ctx.facts.env.cr.execute("SELECT mv_no_such_column FROM res_partner LIMIT 1",
                             log_exceptions=False)
    yield Issue("", None, "unreachable")


def _healthy_query(ctx):
    ctx.facts.env.cr.execute("SELECT count(*) FROM ir_module_module WHERE name = %s", ["base"])
    yield Issue("", None, f"base rows: {ctx.facts.env.cr.fetchone()[0]}")


@tagged("post_install", "-at_install")
class TestRuleIsolation(ValidatorCase):
    """One rule's failed query never takes the other rules, or the stored run, down."""

    def register(self, code, check):
        template = next(rule for rule in RULES.values() if rule.level == "dynamic")
        RULES[code] = dataclasses.replace(template, code=code, check=check)
        self.addCleanup(RULES.pop, code)

    def test_failed_query_still_stores_a_done_run(self):
        # Codes sort first: every engine rule runs after the aborted transaction.
        self.register("AAA901", _broken_query)
        self.register("AAA902", _healthy_query)
        run, report = self.env["module.validator.run"]._launch(
            ["mv_example_broken"], level="dynamic", origin="test")
        self.assertEqual(run.state, "done")
        codes = run.finding_ids.mapped("rule_code")
        (internal,) = run.finding_ids.filtered(lambda f: f.rule_code == INTERNAL_ERROR)
        self.assertIn("Rule AAA901 failed", internal.message)
        self.assertIn("UndefinedColumn", internal.message)
        (healthy,) = run.finding_ids.filtered(lambda f: f.rule_code == "AAA902")
        self.assertEqual(healthy.message, "base rows: 1")
        # The engine's own rules still found what they find without the broken rule.
        engine_codes = set(codes) - {INTERNAL_ERROR, "AAA902"}
        self.assertIn("DEP001", engine_codes)
        self.assertIn("PY001", engine_codes)
        self.assertEqual(len(report.modules), 1)
        self.env.cr.execute("SELECT 1")  # the transaction is healthy

    def test_a_healthy_run_has_no_internal_error(self):
        self.register("AAA902", _healthy_query)
        run, _report = self.env["module.validator.run"]._launch(
            ["mv_example_broken"], level="dynamic", origin="test")
        self.assertEqual(run.state, "done")
        self.assertNotIn(INTERNAL_ERROR, run.finding_ids.mapped("rule_code"))


@tagged("post_install", "-at_install")
class TestUpgradeWithNewCodeLoaded(ValidatorCase):
    """Version 1 installed with rows; version 2 pointed at both ways users do it:

    * ``--path`` (the server runs the old code, the new code is read from disk);
    * new code deployed and the server restarted before ``-u``: the addons path
      holds version 2, so the registry has the new required field ``code``
      while the table has no such column yet. An ORM read of the noupdate
      record then names the missing column and aborts the transaction.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        launcher = odoo_launcher(extra_paths=[V1])
        cls.database = scratch_name()
        cls.addClassCleanup(launcher.server.drop, cls.database)
        with tempfile.TemporaryDirectory() as folder:
            code, log = launcher.run(cls.database, [
                "-i", f"module_validator,{MODULE}", *compat.demo_args(False)],
                os.path.join(folder, "install.log"))
        assert code == 0 and " ERROR " not in log, log[-3000:]
        cls.with_path = cls.validate(V1, "--path", V2)
        cls.loaded = cls.validate(V2)

    @classmethod
    def validate(cls, first_path, *args):
        command = [sys.executable, "-m", "odoo", f"--addons-path={first_path},{compat.addons_path_option()}",
                   "validate"]
        command += server_config_args()
        command += ["--log-level=warn", "-d", cls.database, *args,
                    "--modules", MODULE, "--level", "dynamic", "--format", "json"]
        env = dict(os.environ, PYTHONPATH=compat.odoo_source_root())
        return subprocess.run(command, capture_output=True, text=True, timeout=300,
                              env=env, check=False)

    def findings(self, result):
        self.assertEqual(result.returncode, 1, result.stderr[-3000:])
        (module,) = json.loads(result.stdout)["modules"]
        return {(f["rule"], f["severity"]): f["message"] for f in module["findings"]}

    def check_findings(self, result):
        findings = self.findings(result)
        self.assertNotIn((INTERNAL_ERROR, "error"), findings)
        self.assertIn("1 row of table mvu_live_required_thing", findings[("MIG001", "error")])
        self.assertIn("limit: file 10, database 5", findings[("MIG006", "warning")])
        return findings

    def test_with_path(self):
        self.check_findings(self.with_path)

    def test_new_code_loaded_in_the_server(self):
        loaded = self.check_findings(self.loaded)
        self.assertEqual(sorted(loaded), sorted(self.findings(self.with_path)))

    def test_runs_are_stored_done(self):
        with odoo.sql_db.db_connect(self.database).cursor() as cr:
            cr.execute("SELECT state FROM module_validator_run ORDER BY id")
            self.assertEqual([row[0] for row in cr.fetchall()], ["done", "done"])
            # The validation read the old table as it is: no column was added.
            cr.execute("SELECT count(*) FROM information_schema.columns "
                       "WHERE table_name = 'mvu_live_required_thing' AND column_name = 'code'")
            self.assertEqual(cr.fetchone()[0], 0)
