# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bulletproof level against real odoo-bin runs in scratch databases."""

import dataclasses
import os

from odoo.tests import tagged

from ..engine import compat, discovery
from ..engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from ..engine.rehearsal.scratch import BUILD_PREFIX, SCRATCH_PREFIX, DatabaseError, scratch_name
from .common import HERE, ValidatorCase

FIXTURES_INSTALL = os.path.join(HERE, "fixtures_install")


@tagged("post_install", "-at_install")
class TestBulletproof(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.launcher = odoo_launcher([FIXTURES_INSTALL])
        cls.server = cls.launcher.server
        addons_paths, core_paths = discovery.odoo_paths()
        cls.install_catalog = discovery.discover([FIXTURES_INSTALL, *addons_paths], core_paths=core_paths)
        cls.rehearsal = Rehearsal(cls.launcher, cls.install_catalog)

    def rehearse(self, name, demo=False, rehearsal=None):
        issues = (rehearsal or self.rehearsal).fresh_install(self.install_catalog.get(name), demo=demo)
        self.assertNoScratchLeft()
        return issues

    def assertNoScratchLeft(self):
        mine = [db for db in self.server.databases(SCRATCH_PREFIX) + self.server.databases(BUILD_PREFIX)
                if db.split("_")[2] == str(os.getpid())]
        self.assertEqual(mine, [], "scratch databases left behind")

    def test_clean_module_is_green_with_and_without_demo(self):
        self.assertEqual(self.rehearse("mvb_clean", demo=True), [])
        self.assertEqual(self.rehearse("mvb_clean", demo=False), [])

    def test_model_without_access_rules_is_yellow(self):
        issues = self.rehearse("mvb_warning")
        self.assertEqual({code for code, _ in issues}, {"TST006"})
        self.assertIn("no access rules", issues[0][1].message)

    def test_bad_view_field_is_red_and_points_at_the_view(self):
        issues = self.rehearse("mvb_bad_view_field")
        failures = [issue for code, issue in issues if code == "TST001"]
        self.assertTrue(failures, issues)
        self.assertIn("no_such_field", "\n".join(i.message for i in failures))
        self.assertIn("views/thing_views.xml", {i.path for i in failures})

    def test_bad_data_ref_is_red(self):
        issues = self.rehearse("mvb_bad_data_ref")
        failures = [issue for code, issue in issues if code == "TST001"]
        self.assertIn("base.no_such_partner", "\n".join(i.message for i in failures))
        self.assertIn("data/thing_data.xml", {i.path for i in failures})

    def test_bad_demo_ref_is_red_with_demo_and_green_without(self):
        with_demo = self.rehearse("mvb_bad_demo_ref", demo=True)
        self.assertIn("TST004", {code for code, _ in with_demo})
        self.assertEqual(self.rehearse("mvb_bad_demo_ref", demo=False), [])

    def test_python_error_is_red_and_points_at_the_line(self):
        issues = self.rehearse("mvb_python_error")
        failures = [issue for code, issue in issues if code == "TST001"]
        self.assertIn("DEFAULT_SIZE", "\n".join(i.message for i in failures))
        self.assertIn(("models/thing.py", 10), {(i.path, i.line) for i in failures})

    def test_failing_test_is_red_when_tests_are_run(self):
        with_tests = Rehearsal(self.launcher, self.install_catalog, with_tests=True)
        issues = self.rehearse("mvb_failing_test", rehearsal=with_tests)
        failures = [issue for code, issue in issues if code == "TST003"]
        self.assertEqual(len(failures), 1, issues)
        self.assertIn("test_thing_name", failures[0].message)
        self.assertEqual(failures[0].path, "tests/test_thing.py")
        self.assertEqual(self.rehearse("mvb_failing_test"), [])

    def test_timeout_gives_a_finding_and_leaves_no_scratch_database(self):
        self.rehearsal.template(["base"], demo=False)  # a warm template: only the install times out
        quick = dataclasses.replace(self.launcher, timeout_s=1)
        issues = self.rehearse("mvb_clean", rehearsal=Rehearsal(quick, self.install_catalog))
        self.assertEqual([code for code, _ in issues], ["TST001"])
        self.assertIn("timed out after 1 s", issues[0][1].message)

    def test_upgrade_adding_a_required_field_over_existing_rows_is_red(self):
        v1 = dataclasses.replace(self.launcher, addons_path=",".join(
            [os.path.join(FIXTURES_INSTALL, "upgrade_v1"), self.launcher.addons_path]))
        source = scratch_name()
        template, _issues = self.rehearsal.template(["base"], demo=False)
        try:
            self.server.create_from_template(source, template)
            code, text = v1.run(source, ["-i", "mvb_upgrade", *compat.demo_args(False)],
                                os.path.join(self.rehearsal.work_dir, "v1.log"))
            self.assertEqual(code, 0, text[-2000:])
            with self.server.cursor(source) as cr:
                cr.execute("INSERT INTO mvb_upgrade_thing (name) VALUES ('existing row')")
            v2_path = os.path.join(FIXTURES_INSTALL, "upgrade_v2")
            v2 = dataclasses.replace(self.launcher, addons_path=",".join([v2_path, self.launcher.addons_path]))
            addons_paths, core_paths = discovery.odoo_paths()
            catalog = discovery.discover([v2_path, *addons_paths], core_paths=core_paths,
                                         installed=["mvb_upgrade"])
            issues = Rehearsal(v2, catalog).upgrade(catalog.get("mvb_upgrade"), source)
        finally:
            self.server.drop(source)
        self.assertIn("TST002", {code for code, _ in issues})
        # 18.0 says "... NOT NULL ...", 19.0 'column "code" ... contains null values'.
        self.assertRegex("\n".join(issue.message for _, issue in issues), "NOT NULL|contains null values")
        self.assertNoScratchLeft()

    def test_a_role_without_createdb_gets_a_clear_error(self):
        with self.server.cursor() as cr:
            cr.execute("CREATE ROLE mv_test_no_createdb NOLOGIN NOCREATEDB")
        try:
            self.assertFalse(self.server.role_can_create_databases("mv_test_no_createdb"))
            with self.assertRaisesRegex(DatabaseError, "cannot create databases"):
                self.server.check_can_create_databases("mv_test_no_createdb")
        finally:
            with self.server.cursor() as cr:
                cr.execute("DROP ROLE mv_test_no_createdb")
        self.assertTrue(self.server.role_can_create_databases())

    def test_bulletproof_run_from_the_entry_point_stores_results(self):
        run, report = self.env["module.validator.run"]._launch(
            ["mvb_clean", "mvb_bad_view_field"], level="bulletproof", origin="test",
            extra_paths=[FIXTURES_INSTALL],
        )
        self.assertEqual((run.state, run.level, run.verdict), ("done", "bulletproof", "fail"))
        verdicts = {result.name: result.verdict for result in run.result_ids}
        self.assertEqual(verdicts, {"mvb_clean": "pass", "mvb_bad_view_field": "fail"})
        self.assertIn("TST001", run.finding_ids.mapped("rule_code"))
        self.assertNoScratchLeft()

    def test_wizard_queues_the_run_and_the_queue_cron_processes_it(self):
        run, report = self.env["module.validator.run"]._launch(
            ["mvb_clean", "mvb_warning"], level="bulletproof", origin="wizard",
            extra_paths=[FIXTURES_INSTALL], background=True,
        )
        self.assertIsNone(report)
        self.assertEqual((run.state, run.progress), ("queued", "0 / 2"))
        Run = self.env["module.validator.run"]
        Run._cron_process_queue()
        self.assertEqual((run.state, run.progress), ("running", "1 / 2"))
        Run._cron_process_queue()
        self.assertEqual((run.state, run.verdict), ("done", "pass"))
        self.assertEqual(run.warning_count, run.result_ids.filtered(lambda r: r.name == "mvb_warning").warning_count)
        self.assertGreater(run.warning_count, 0)
        self.assertFalse(Run._cron_process_queue())
