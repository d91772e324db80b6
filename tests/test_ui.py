# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the backend shows users: the rule knowledge base, settings, the
per-module history, run times and who started a run; the screens themselves
in Chromium tours."""

import json
import os
from datetime import timedelta
from unittest.mock import patch

import odoo
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, TransactionCase, tagged

from ..cli.validate import UsageError, Validate
from ..engine.rehearsal import rehearse
from ..engine.rehearsal.scratch import DatabaseServer
from ..models.module_validator_run import human_duration
from .common import odoo_bin


def make_run(env, name, when, modules, **values):
    """A finished run: ``modules`` maps a module name to (verdict, [(severity, rule code)])."""
    run = env["module.validator.run"].create(dict({
        "name": name, "origin": "test", "date_start": when, "state": "running",
    }, **values))
    rules = {rule.code: rule for rule in env["module.validator.rule"].search([])}
    for module, (verdict, findings) in modules.items():
        env["module.validator.result"].create({
            "run_id": run.id, "name": module, "origin": "addons_path", "verdict": verdict,
            "version": "18.0.1.0.0",
            "error_count": sum(1 for severity, _code in findings if severity == "error"),
            "warning_count": sum(1 for severity, _code in findings if severity == "warning"),
            "finding_ids": [fields.Command.create({
                "run_id": run.id, "rule_id": rules[code].id, "rule_code": code,
                "severity": severity, "module_name": module, "message": f"{code} in {module}",
                "fingerprint": f"{name}:{module}:{code}:{position}",
            }) for position, (severity, code) in enumerate(findings)],
        })
    run._finish(12.5)
    return run


@tagged("post_install", "-at_install")
class TestUiModels(TransactionCase):
    """The fields and actions behind the screens."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        cls.first = make_run(cls.env, "UI-1", now - timedelta(days=2), {
            "mv_ui_a": ("fail", [("error", "DEP001"), ("warning", "MAN004")]),
            "mv_ui_b": ("pass", []),
        })
        cls.second = make_run(cls.env, "UI-2", now - timedelta(days=1), {
            "mv_ui_a": ("pass", [("warning", "MAN004")]),
        })

    def module(self, name):
        return self.env["module.validator.module"].search([("name", "=", name)])

    def test_modules_have_their_latest_verdict_and_history(self):
        module = self.module("mv_ui_a")
        self.assertEqual(len(module), 1)
        self.assertEqual((module.verdict, module.latest_run_id), ("pass", self.second))
        self.assertEqual((module.run_count, module.failed_run_count, module.pass_rate), (2, 1, 50.0))
        self.assertEqual((module.error_count, module.warning_count), (0, 1))
        self.assertEqual(module.result_ids.run_id, self.first | self.second)
        # The id is the module's first result: it stays the same as runs come.
        self.assertEqual(module.id, self.first.result_ids.filtered(lambda r: r.name == "mv_ui_a").id)
        self.assertEqual(self.module("mv_ui_b").verdict, "pass")
        failing = self.env["module.validator.module"].search([("verdict", "=", "fail"), ("name", "like", "mv_ui_")])
        self.assertFalse(failing)
        history = self.env["module.validator.result"].search(module.action_view_history()["domain"])
        self.assertEqual(len(history), 2)
        findings = self.env["module.validator.finding"].search(module.action_view_findings()["domain"])
        self.assertEqual(findings.mapped("rule_code"), ["MAN004"])

    def test_a_result_opens_its_module_page(self):
        result = self.first.result_ids.filtered(lambda r: r.name == "mv_ui_a")
        self.assertEqual(result.history_count, 2)
        action = result.action_view_history()
        self.assertEqual((action["res_model"], action["res_id"]),
                         ("module.validator.module", self.module("mv_ui_a").id))

    def test_findings_show_their_rule_title_and_escalation(self):
        finding = self.first.finding_ids.filtered(lambda f: f.rule_code == "DEP001")
        self.assertEqual(finding.rule_name, finding.rule_id.name)
        self.assertFalse(finding.severity_note)
        man004 = self.env.ref("module_validator.rule_man004")
        self.assertEqual(man004.severity, "warning")
        escalated = self.env["module.validator.finding"].new({
            "rule_id": man004.id, "severity": "error", "rule_code": "MAN004",
        })
        self.assertIn("Raised from Warning", escalated.severity_note)

    def test_rules_tuned_filter_and_level_names(self):
        rule = self.env.ref("module_validator.rule_man004")
        Rule = self.env["module.validator.rule"]
        self.assertNotIn(rule, Rule.search([("severity_tuned", "=", True)]))
        rule.severity = "error"
        self.assertIn(rule, Rule.search([("severity_tuned", "=", True)]))
        self.assertNotIn(rule, Rule.search([("severity_tuned", "=", False)]))
        # A rule's level and a finding's level are two different things.
        self.assertEqual(Rule._fields["level"].string, "From level")
        self.assertEqual(self.env["module.validator.finding"]._fields["level"].string, "Run level")

    def test_human_durations(self):
        self.assertEqual(
            [human_duration(s) for s in (0.42, 21.0, 185, 3720, False)],
            ["0.4 s", "21 s", "3 min 05 s", "1 h 02 min", ""],
        )

    def test_queue_time_and_run_time_apart(self):
        start = fields.Datetime.now() - timedelta(minutes=5)
        run = self.env["module.validator.run"].create({
            "origin": "test", "state": "running", "date_start": start,
            "date_processing": start + timedelta(seconds=40),
        })
        run._finish(61.0)
        self.assertEqual((run.queue_time_display, run.run_time_display, run.duration_display),
                         ("40 s", "21 s", "1 min 01 s"))
        self.assertEqual(self.first.queue_time_display, "")
        self.assertEqual(self.first.run_time_display, "12 s")

    def test_counters_follow_a_run_in_progress(self):
        run = self.env["module.validator.run"]._launch(
            ["mv_example_broken", "mv_example_clean"], origin="test", background=True,
        )[0]
        self.assertEqual(run.state, "queued")
        with patch.object(type(self.env["ir.cron"]), "_notify_progress"):
            self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual(run.state, "running")
        self.assertTrue(run.date_processing)
        self.assertEqual(run.module_count, 1)
        self.assertEqual(run.error_count, sum(run.result_ids.mapped("error_count")))
        self.assertFalse(run.verdict)

    def test_command_line_runs_name_their_user(self):
        admin = self.env.ref("base.user_admin")
        self.assertEqual(Validate._run_user(self.env, "admin"), admin)
        with self.assertRaises(UsageError):
            Validate._run_user(self.env, "nobody-here")
        with patch("getpass.getuser", return_value="admin"):
            self.assertEqual(Validate._run_user(self.env), admin)
        with patch("getpass.getuser", return_value="root-of-nothing"):
            self.assertIsNone(Validate._run_user(self.env))
        run = self.env["module.validator.run"].create({"origin": "cli"})
        self.assertEqual(run.started_by, "Command line")
        by_admin = self.env["module.validator.run"].create({"origin": "cli", "user_id": admin.id})
        self.assertEqual(by_admin.started_by, admin.name)

    def test_wizard_shows_both_names_and_lands_on_the_run(self):
        module = self.env.ref("base.module_web")
        self.assertEqual(module.display_name, module.shortdesc)
        tagged_name = module.with_context(module_validator_technical_names=True).display_name
        self.assertEqual(tagged_name, f"{module.shortdesc} (web)")
        wizard = Form(self.env["module.validator.launch"])
        wizard.module_ids.add(self.env.ref("base.module_base"))
        action = wizard.save().action_run()
        # The runs action with its readable path, replacing the breadcrumbs.
        self.assertEqual((action["path"], action["target"], action["views"]),
                         ("module-validator", "main", [(False, "form")]))

    def test_settings_feed_the_wizard_and_the_rehearsals(self):
        settings = self.env["res.config.settings"].create({
            "validator_default_level": "dynamic", "validator_default_fail_on": "warning",
            "validator_rehearsal_timeout": 120, "validator_rehearsal_parallel": 3,
        })
        settings.execute()
        wizard = self.env["module.validator.launch"].create({"scope": "custom"})
        self.assertEqual((wizard.level, wizard.fail_on), ("dynamic", "warning"))
        Run = self.env["module.validator.run"]
        self.assertEqual((Run._config_int("rehearsal_timeout"), Run._config_int("rehearsal_parallel")), (120, 3))
        self.assertEqual(rehearse.odoo_launcher(timeout_s=Run._config_int("rehearsal_timeout")).timeout_s, 120)
        with patch.dict(os.environ, {"ODOO_VALIDATION_TIMEOUT": "77", "ODOO_VALIDATION_PARALLEL": "5"}):
            # The database's setting wins; without it, the environment variable.
            self.assertEqual(rehearse.timeout_from_env(120), 120)
            self.assertEqual(rehearse.timeout_from_env(None), 77)
            self.assertEqual(rehearse.rehearse_parallelism(3), 3)
            self.assertEqual(rehearse.rehearse_parallelism(0), 5)
        with patch.dict(os.environ, {}, clear=True):
            self.assertEqual(rehearse.timeout_from_env(None), rehearse.DEFAULT_TIMEOUT_S)
        self.env["res.config.settings"].create({"validator_rehearsal_timeout": 0}).execute()
        self.assertIsNone(Run._config_int("rehearsal_timeout"))
        self.assertIn("validator_template_count", self.env["res.config.settings"].default_get(["validator_template_count"]))

    def test_template_databases_are_dropped_between_runs_only(self):
        settings = self.env["res.config.settings"].create({})
        templates = ["mv_tpl_aaa", "mv_tpl_bbb"]
        with patch.object(DatabaseServer, "databases", return_value=templates), \
                patch.object(DatabaseServer, "drop") as drop:
            action = settings.action_validator_drop_templates()
            self.assertEqual([call.args[0] for call in drop.call_args_list], templates)
            self.assertIn("2 template databases dropped", action["params"]["message"])
            drop.reset_mock()
            # A run in progress may be copying a template: nothing is dropped.
            self.env["module.validator.run"].create({"origin": "test", "state": "queued"})
            with self.assertRaisesRegex(UserError, "in progress"):
                settings.action_validator_drop_templates()
            drop.assert_not_called()


@tagged("post_install", "-at_install")
class TestUiCommandLineUser(TransactionCase):
    def test_cli_run_is_attributed_to_the_given_user(self):
        result = odoo_bin("validate", "--modules", "mv_example_clean", "--format", "json",
                          "--user", "admin", database=self.env.cr.dbname)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["verdict"], "pass")
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT id, user_id FROM module_validator_run WHERE origin = 'cli' ORDER BY id DESC LIMIT 1")
            run_id, user_id = cr.fetchone()
            cr.execute("DELETE FROM module_validator_run WHERE id = %s", (run_id,))
            cr.commit()
        self.assertEqual(user_id, self.env.ref("base.user_admin").id)


@tagged("post_install", "-at_install")
class TestUiTours(HttpCase):
    """The screens in Chromium."""

    def test_rules_knowledge_base(self):
        rule = self.env.ref("module_validator.rule_man004")
        self.assertEqual(rule.severity, "warning")
        self.start_tour("/odoo", "module_validator_rules_tour", login="admin")
        self.assertEqual(rule.severity, "error")

    def test_settings_page(self):
        self.start_tour("/odoo", "module_validator_settings_tour", login="admin")
        params = self.env["ir.config_parameter"]
        self.assertEqual(params.get_param("module_validator.default_level"), "dynamic")
        self.assertEqual(params.get_param("module_validator.rehearsal_timeout"), "120")
        self.assertEqual(params.get_param("module_validator.rehearsal_parallel"), "2")

    def test_module_history(self):
        now = fields.Datetime.now()
        make_run(self.env, "HIST-1", now - timedelta(days=2), {
            "mv_hist_a": ("fail", [("error", "DEP001")]),
            "mv_hist_b": ("fail", [("error", "DEP001")]),
        })
        make_run(self.env, "HIST-2", now - timedelta(days=1), {"mv_hist_a": ("pass", [])})
        self.start_tour("/odoo", "module_validator_module_history_tour", login="admin")
