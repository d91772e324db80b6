# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

import odoo
from odoo.tests import tagged

from ..engine import compat
from ..engine.rules import RULES
from ..engine.rehearsal.rehearse import odoo_launcher
from ..engine.rehearsal.scratch import scratch_name
from .common import HERE, ValidatorCase, server_config_args
from .test_engine import REPORT_SCHEMA

UPGRADES = os.path.join(HERE, "fixtures_upgrade")
V1, V2 = os.path.join(UPGRADES, "v1"), os.path.join(UPGRADES, "v2")


@tagged("post_install", "-at_install")
class TestUpgradeSafety(ValidatorCase):
    """Version 1 of the fixtures installed with rows in a real database, version 2
    on disk: ``odoo-bin validate --level dynamic`` predicts what ``-u`` would do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.modules = sorted(os.listdir(V2))
        launcher = odoo_launcher(extra_paths=[V1])
        cls.database = scratch_name()
        cls.addClassCleanup(launcher.server.drop, cls.database)
        with tempfile.TemporaryDirectory() as folder:
            code, log = launcher.run(cls.database, [
                "-i", ",".join(["module_validator", *cls.modules]), *compat.demo_args(False)],
                os.path.join(folder, "install.log"))
        assert code == 0 and " ERROR " not in log, log[-3000:]
        command = [sys.executable, "-m", "odoo", f"--addons-path={V1},{compat.addons_path_option()}",
                   "validate"]
        command += server_config_args()
        command += ["--log-level=warn", "-d", cls.database, "--path", V2,
                    "--modules", ",".join(cls.modules), "--level", "dynamic", "--format", "json"]
        env = dict(os.environ, PYTHONPATH=compat.odoo_source_root())
        cls.result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                    env=env, check=False)
        cls.report = json.loads(cls.result.stdout)
        cls.by_module = {module["name"]: module for module in cls.report["modules"]}

    def findings(self, module, prefixes=("MIG", "MAN003"), severities=("error", "warning")):
        return [f for f in self.by_module[module]["findings"]
                if f["rule"].startswith(prefixes) and f["severity"] in severities]

    def only(self, module, rule, severity="error"):
        (finding,) = self.findings(module)
        self.assertEqual((finding["rule"], finding["severity"]), (rule, severity), finding)
        return finding["message"]

    def test_report_matches_the_contract_and_fails(self):
        jsonschema.validate(self.report, REPORT_SCHEMA)
        self.assertEqual(self.result.returncode, 1, self.result.stderr[-2000:])
        self.assertEqual(sorted(self.by_module), self.modules)

    def test_mig001_new_required_column_counts_the_rows(self):
        self.assertIn("3 rows of table mvu_required_thing would stay empty",
                      self.only("mvu_required", "MIG001"))
        self.assertIn("newly required", self.only("mvu_newly_required", "MIG001"))
        self.assertIn("1 row of table", self.only("mvu_newly_required", "MIG001"))

    def test_mig002_constraints_against_existing_rows(self):
        self.assertIn("violated by 2 rows", self.only("mvu_unique", "MIG002"))
        self.assertIn("false for 1 row", self.only("mvu_check", "MIG002"))

    def test_mig003_cast_that_fails(self):
        self.assertIn('"A-12"', self.only("mvu_cast", "MIG003"))

    def test_mig004_removed_field_used_by_a_dependent_view(self):
        message = self.only("mvu_field_parent", "MIG004")
        self.assertIn("1 value of table mvu_field_parent_thing", message)
        self.assertIn("mvu_field_child.thing_form", message)

    def test_mig004_rename_without_migration_and_removed_model(self):
        message = self.only("mvu_rename", "MIG004", "warning")
        self.assertIn("2 values of table mvu_rename_thing", message)
        self.assertIn("renamed to 'customer_ref'?", message)
        removed = {f["rule"]: f for f in self.findings("mvu_model_removed")}
        self.assertEqual(sorted(removed), ["MIG004", "MIG005"])
        self.assertIn("mvu_model_removed.note is no longer defined", removed["MIG004"]["message"])
        self.assertIn("leaves table mvu_model_removed_note (2 rows) behind", removed["MIG004"]["message"])
        # Its access rule leaves the data files too: Odoo deletes it at the end of the upgrade.
        self.assertIn("access_note", removed["MIG005"]["message"])

    def test_mig004_model_renamed_and_model_still_extended(self):
        renamed = {f["rule"]: f for f in self.findings("mvu_model_renamed")}
        self.assertIn("leaves table mvu_model_renamed_box (2 rows) behind", renamed["MIG004"]["message"])
        self.assertIn("renamed to 'mvu_model_renamed.crate'?", renamed["MIG004"]["message"])
        # mvu_model_extender (installed, unchanged) still has _inherit on the dropped model:
        # loading it fails, and the upgrade with it.
        (extended,) = [f for f in self.findings("mvu_model_extended") if "still extends" in f["message"]]
        self.assertEqual((extended["rule"], extended["severity"], extended["impact"]),
                         ("MIG004", "error", "install"))
        self.assertIn("mvu_model_extended.gadget is no longer defined", extended["message"])
        self.assertIn("(mvu_model_extender)", extended["message"])

    def test_mig005_deleted_record_still_referenced(self):
        self.assertIn("ON DELETE RESTRICT", self.only("mvu_restrict", "MIG005"))
        self.assertIn("(cat_old)", self.only("mvu_restrict_ok", "MIG005", "warning"))

    def test_mig006_noupdate_value_not_applied(self):
        message = self.only("mvu_noupdate", "MIG006", "warning")
        self.assertIn("limit: file 10, database 5", message)

    def test_mig007_migration_signature(self):
        self.assertIn("migrate(env)", self.only("mvu_migration_bad", "MIG007"))

    def test_mig008_dependent_view_loses_its_anchor(self):
        message = self.only("mvu_view_parent", "MIG008")
        self.assertIn("mvu_view_child.thing_form", message)
        self.assertIn("cannot be located in parent view", message)

    def test_mig008_cascade_names_the_dependents_upgraded_too(self):
        (info,) = self.findings("mvu_view_parent", severities=("info",))
        self.assertEqual(info["rule"], "MIG008")
        self.assertIn("also upgrades the installed modules that depend on it: mvu_view_child",
                      info["message"])
        self.assertEqual(self.findings("mvu_required", severities=("info",)), [])

    def test_mig009_computation_on_a_large_table(self):
        self.assertIn("100,000 rows", self.only("mvu_heavy", "MIG009", "warning"))

    def test_mig010_removed_selection_value_in_use(self):
        self.assertIn("'cancel' (2 rows)", self.only("mvu_selection", "MIG010", "warning"))

    def test_man003_changes_without_version_bump(self):
        self.assertIn("new fields mvu_no_bump.thing.code", self.only("mvu_no_bump", "MAN003", "warning"))

    def test_benign_upgrades_have_no_finding(self):
        for module in ("mvu_required_default", "mvu_unique_ok", "mvu_check_ok", "mvu_cast_ok",
                       "mvu_premigration", "mvu_selection_add", "mvu_new_dependency",
                       "mvu_noupdate_same", "mvu_new_field"):
            with self.subTest(module=module):
                # Rules of one series only (PY017: these fixtures spell SQL
                # constraints the 18.0 way) are not about the upgrade.
                findings = [f for f in self.findings(module, ("",), ("error", "warning", "info"))
                            if not RULES[f["rule"]].series]
                self.assertEqual(findings, [])

    def test_the_database_is_left_unchanged(self):
        # Every probe ran in a rolled-back read-only savepoint of the validated database.
        with odoo.sql_db.db_connect(self.database).cursor() as cr:
            cr.execute("SELECT count(*) FROM mvu_unique_thing")
            self.assertEqual(cr.fetchone()[0], 3)
            cr.execute("SELECT conname FROM pg_constraint WHERE conname IN %s",
                       [("mvu_unique_thing_code_uniq", "mvu_check_thing_qty_positive")])
            self.assertEqual(cr.fetchall(), [])
            cr.execute("SELECT latest_version FROM ir_module_module WHERE name = 'mvu_required'")
            self.assertEqual(cr.fetchone()[0], f"{compat.series()}.1.0.0")
