# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
import os
import subprocess
import sys
from datetime import date, datetime

import odoo
from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import config
from odoo.tools.safe_eval import safe_eval

from ..engine import compat
from ..cli.deployment import Deployment, build_parser
from ..cli.common import UsageError
from ..engine.code_fingerprint import code_fingerprint
from ..models.deployment_common import clean_error
from .common import HERE, ValidatorCase, server_config_args

FIXTURES_DEPLOY = os.path.join(HERE, "fixtures_deploy")
FIXTURE = os.path.join(FIXTURES_DEPLOY, "mvd_deploy_target")


class DeploymentCase(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Deployment = cls.env["module.validator.deployment"]
        cls.Run = cls.env["module.validator.run"]

    @classmethod
    def make_run(cls, when, level="static", results=(), state="done"):
        """A finished run at ``when`` with ``results`` = [(module, fingerprint, verdict)]."""
        verdicts = [verdict for _module, _fingerprint, verdict in results]
        run = cls.Run.create({
            "origin": "test", "level": level, "state": state, "date_start": when,
            "verdict": "fail" if "fail" in verdicts else "pass",
        })
        cls.env["module.validator.result"].create([
            {"run_id": run.id, "name": module, "origin": "addons_path",
             "code_fingerprint": fingerprint, "verdict": verdict}
            for module, fingerprint, verdict in results
        ])
        return run

    @classmethod
    def deploy(cls, when, modules, outcome="success", environment="production", error=None):
        """A manual deployment at ``when`` of ``modules`` = [(module, fingerprint)]."""
        return cls.Deployment.create({
            "date_start": when, "environment": environment, "outcome": outcome,
            "error_message": error, "target": "prod-db",
            "line_ids": [Command.create({"module_name": module, "version": "18.0.1.0.0",
                                         "code_fingerprint": fingerprint})
                         for module, fingerprint in modules],
        })


@tagged("post_install", "-at_install")
class TestDeploymentAccess(DeploymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(cls.env, "mvd_user",
                                 groups="base.group_user,module_validator.group_module_validator_user")
        cls.manager = new_test_user(cls.env, "mvd_manager",
                                    groups="module_validator.group_module_validator_manager")
        cls.outsider = new_test_user(cls.env, "mvd_outsider", groups="base.group_user")

    def test_user_records_and_edits_but_cannot_delete(self):
        deployment = self.Deployment.with_user(self.user).create({
            "environment": "staging", "outcome": "failure", "error_message": "upgrade broke",
            "line_ids": [Command.create({"module_name": "mvd_x", "code_fingerprint": "f1"})],
        })
        self.assertEqual(deployment.user_id, self.user)
        self.assertEqual(deployment.origin, "manual")
        self.assertRegex(deployment.name, r"^DEP/\d{5}$")
        self.assertEqual(deployment.module_names, "mvd_x")
        deployment.write({"outcome": "rolled_back"})
        self.assertEqual(deployment.outcome, "rolled_back")
        with self.assertRaises(AccessError):
            deployment.line_ids.unlink()
        with self.assertRaises(AccessError):
            deployment.unlink()
        self.assertTrue(deployment.exists())

    def test_manager_deletes(self):
        deployment = self.deploy(datetime(2022, 5, 1), [("mvd_x", "f1")]).with_user(self.manager)
        lines = deployment.line_ids
        deployment.unlink()
        self.assertFalse(lines.exists())

    def test_outsider_sees_nothing(self):
        self.deploy(datetime(2022, 5, 1), [("mvd_x", "f1")])
        with self.assertRaises(AccessError):
            self.Deployment.with_user(self.outsider).search([])

    def test_changes_are_tracked_in_the_chatter(self):
        # As in the UI: created and changed with tracking on (BaseCommon turns it off).
        deployment = self.Deployment.with_user(self.user).with_context(
            tracking_disable=False, mail_notrack=False, mail_create_nolog=False,
        ).create({"environment": "staging", "target": "mvd-tracked"})
        self.assertTrue(deployment.message_ids, "creation is logged")
        # Odoo tracks changes made after the creating transaction commits.
        self.env.flush_all()
        self.env.cr.precommit.run()
        deployment.write({"outcome": "rolled_back"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written before commit
        values = self.env["mail.tracking.value"].sudo().search([
            ("mail_message_id.model", "=", deployment._name),
            ("mail_message_id.res_id", "=", deployment.id),
            ("field_id.name", "=", "outcome"),
        ])
        self.assertEqual(values.mapped("new_value_char"), ["Rolled back"])
        self.assertEqual(values.mail_message_id.author_id, self.user.partner_id)

    def test_end_before_start_is_refused(self):
        with self.assertRaises(ValidationError):
            self.Deployment.create({"date_start": datetime(2022, 5, 2), "date_end": datetime(2022, 5, 1)})


@tagged("post_install", "-at_install")
class TestDeploymentRunMatching(DeploymentCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        pair = [("mvd_x", "x1", "pass"), ("mvd_y", "y1", "pass")]
        cls.older = cls.make_run(datetime(2022, 1, 1), results=pair)
        # A superset, newer: the latest run covering the code wins.
        cls.newer = cls.make_run(datetime(2022, 1, 2), level="dynamic",
                                 results=[*pair, ("mvd_z", "z1", "fail")])
        # Not finished normally, or later than the deployment: never matched.
        cls.crashed = cls.make_run(datetime(2022, 1, 3), results=pair, state="failed")
        cls.later = cls.make_run(datetime(2022, 1, 10), results=pair)

    def test_latest_finished_run_with_the_same_fingerprints(self):
        deployment = self.deploy(datetime(2022, 1, 5), [("mvd_x", "x1"), ("mvd_y", "y1")])
        self.assertEqual(deployment.run_id, self.newer)
        self.assertTrue(deployment.validated)
        self.assertEqual((deployment.run_level, deployment.run_verdict), ("dynamic", "fail"))
        self.assertFalse(deployment.passed_but_failed)
        after = self.deploy(datetime(2022, 1, 11), [("mvd_x", "x1"), ("mvd_y", "y1")])
        self.assertEqual(after.run_id, self.later)

    def test_other_code_or_partial_cover_is_not_validated(self):
        cases = {
            "other fingerprint": [("mvd_x", "x1"), ("mvd_y", "y2")],
            "module no run covered": [("mvd_x", "x1"), ("mvd_w", "w1")],
            "no fingerprint": [("mvd_x", "x1"), ("mvd_y", False)],
            "before any run": None,
        }
        for label, modules in cases.items():
            when = datetime(2021, 12, 31) if modules is None else datetime(2022, 1, 5)
            deployment = self.deploy(when, modules or [("mvd_x", "x1"), ("mvd_y", "y1")])
            self.assertFalse(deployment.run_id, label)
            self.assertFalse(deployment.validated, label)
        self.assertFalse(self.Deployment.create({"environment": "staging"}).validated)
        flagged = self.Deployment.search([("validated", "=", False), ("target", "=", "prod-db")])
        self.assertEqual(len(flagged), 4)

    def test_fixing_a_fingerprint_or_a_new_run_rematches(self):
        deployment = self.deploy(datetime(2022, 1, 5), [("mvd_x", "x1"), ("mvd_y", "y9")])
        self.assertFalse(deployment.validated)
        deployment.line_ids.filtered(lambda line: line.module_name == "mvd_y").code_fingerprint = "y1"
        self.assertEqual(deployment.run_id, self.newer)
        # A run stored afterwards, with an earlier start: found on demand.
        other = self.deploy(datetime(2022, 1, 5), [("mvd_v", "v1")])
        self.assertFalse(other.run_id)
        run = self.make_run(datetime(2022, 1, 4), results=[("mvd_v", "v1", "pass")])
        self.assertFalse(other.run_id)
        other.action_match_run()
        self.assertEqual(other.run_id, run)

    def test_deleting_the_run_unflags_the_deployment(self):
        run = self.make_run(datetime(2022, 2, 1), results=[("mvd_v", "v2", "pass")])
        deployment = self.deploy(datetime(2022, 2, 2), [("mvd_v", "v2")], outcome="failure")
        self.assertTrue(deployment.passed_but_failed)
        run.unlink()
        self.assertFalse(deployment.run_id)
        self.assertFalse(deployment.validated)
        self.assertFalse(deployment.passed_but_failed)

    def test_passed_but_failed_opens_a_prefilled_custom_rule(self):
        run = self.make_run(datetime(2022, 3, 1), results=[("mvd_v", "v3", "pass")])
        deployment = self.deploy(datetime(2022, 3, 2), [("mvd_v", "v3")], outcome="rolled_back",
                                 error="psycopg2.errors.NotNullViolation: column x contains null values")
        self.assertTrue(deployment.passed_but_failed)
        self.assertIn(deployment, self.Deployment.search([("passed_but_failed", "=", True)]))
        action = deployment.action_create_rule()
        self.assertEqual((action["res_model"], action["views"]), ("module.validator.rule", [[False, "form"]]))
        context = action["context"]
        self.assertTrue(context["default_is_custom"])
        self.assertIn("NotNullViolation", context["default_name"])
        self.assertIn("column x contains null values", context["default_rationale"])
        self.assertIn("mvd_v", context["default_rationale"])
        self.assertIn(run.name, context["default_rationale"])
        failure_log = self.env.ref("module_validator.action_module_validator_deployment_failure_log")
        domain = safe_eval(failure_log.domain)
        self.assertEqual(self.Deployment.search(domain + [("id", "=", deployment.id)]), deployment)


@tagged("post_install", "-at_install")
class TestDeploymentMetrics(DeploymentCase):
    """A seeded month of runs and deployments; every figure is counted by hand
    in the comments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        d = datetime
        run, deploy = cls.make_run, cls.deploy
        cls.r1 = run(d(2021, 3, 1, 10), results=[("mvd_a", "a1", "fail"), ("mvd_b", "b1", "pass")])
        cls.r2 = run(d(2021, 3, 2, 10), results=[("mvd_a", "a1", "fail")])  # same broken code again
        cls.r3 = run(d(2021, 3, 3, 10), results=[("mvd_a", "a2", "pass"), ("mvd_b", "b1", "pass")])
        # D1: a fixed (a1 -> a2) before going out: one failure avoided (a@a1, runs r1 and r2). tn static.
        cls.d1 = deploy(d(2021, 3, 4, 12), [("mvd_a", "a2"), ("mvd_b", "b1")])
        cls.r4 = run(d(2021, 3, 5, 10), level="dynamic", results=[("mvd_c", "c1", "pass")])
        # D2: passed but failed. fn dynamic.
        cls.d2 = deploy(d(2021, 3, 6, 12), [("mvd_c", "c1")], outcome="failure", error="boom")
        cls.r5 = run(d(2021, 3, 7, 10), level="dynamic", results=[("mvd_c", "c2", "fail")])
        # D3: the failing code went out anyway: not avoided. tp dynamic.
        cls.d3 = deploy(d(2021, 3, 8, 12), [("mvd_c", "c2")], outcome="rolled_back")
        # D4: staging, nothing validated b@b9.
        cls.d4 = deploy(d(2021, 3, 9, 12), [("mvd_b", "b9")], environment="staging")
        # r6 fails code that had already been deployed (D4): not avoided.
        cls.r6 = run(d(2021, 3, 10, 10), results=[("mvd_b", "b9", "fail")])
        cls.r7 = run(d(2021, 3, 11, 10), results=[("mvd_b", "b10", "pass")])
        cls.d5 = deploy(d(2021, 3, 12, 12), [("mvd_b", "b10")])  # tn static
        cls.r8 = run(d(2021, 3, 13, 10), results=[("mvd_a", "a3", "fail")])
        # D6: deployed what validation failed, and it worked. fp static.
        cls.d6 = deploy(d(2021, 3, 14, 12), [("mvd_a", "a3")])
        # Caught in March, fixed code deployed in April: avoided in April.
        cls.r9 = run(d(2021, 3, 20, 10), results=[("mvd_c", "c3", "fail")])
        cls.r10 = run(d(2021, 3, 21, 10), results=[("mvd_c", "c4", "pass")])
        cls.d7 = deploy(d(2021, 4, 2, 12), [("mvd_c", "c4")])

    def test_seeded_runs_and_deployments_are_matched_as_intended(self):
        expected = {self.d1: self.r3, self.d2: self.r4, self.d3: self.r5, self.d4: self.Run,
                    self.d5: self.r7, self.d6: self.r8, self.d7: self.r10}
        self.assertEqual({d: d.run_id for d in expected}, expected)

    def test_march(self):
        metrics = self.Deployment._metrics(date(2021, 3, 1), date(2021, 3, 31))
        self.assertEqual(metrics["deployments"], 6)  # D1..D6
        self.assertEqual(metrics["successes"], 4)  # D1, D4, D5, D6
        self.assertEqual(metrics["failures"], 2)  # D2, D3
        self.assertAlmostEqual(metrics["success_rate"], 4 / 6)
        self.assertEqual((metrics["validated"], metrics["not_validated"]), (5, 1))
        self.assertEqual(metrics["passed_but_failed"], 1)  # D2
        self.assertEqual(metrics["failures_avoided"], 1)  # mvd_a@a1
        self.assertEqual(metrics["failures_avoided_run_ids"], sorted((self.r1 | self.r2).ids))
        self.assertEqual(metrics["minutes_saved"], 15)
        self.assertEqual(set(metrics["accuracy"]), {"static", "dynamic"})
        # static: D1 tn, D5 tn, D6 fp; dynamic: D2 fn, D3 tp.
        self.assertEqual(metrics["accuracy"]["static"],
                         {"tp": 0, "fp": 1, "tn": 2, "fn": 0, "total": 3, "accuracy": 2 / 3})
        self.assertEqual(metrics["accuracy"]["dynamic"],
                         {"tp": 1, "fp": 0, "tn": 0, "fn": 1, "total": 2, "accuracy": 0.5})

    def test_april_counts_the_fix_deployed_then(self):
        metrics = self.Deployment._metrics("2021-04-01", "2021-04-30")
        self.assertEqual((metrics["deployments"], metrics["successes"]), (1, 1))
        self.assertEqual(metrics["success_rate"], 1.0)
        self.assertEqual(metrics["failures_avoided"], 1)  # mvd_c@c3, fixed as c4 in D7
        self.assertEqual(metrics["failures_avoided_run_ids"], self.r9.ids)
        self.assertEqual(metrics["accuracy"], {"static": {"tp": 0, "fp": 0, "tn": 1, "fn": 0,
                                                          "total": 1, "accuracy": 1.0}})

    def test_one_environment(self):
        metrics = self.Deployment._metrics(date(2021, 3, 1), date(2021, 3, 31), environment="staging")
        self.assertEqual((metrics["deployments"], metrics["successes"], metrics["not_validated"]), (1, 1, 1))
        # No fixed code of a failed module reached staging.
        self.assertEqual((metrics["failures_avoided"], metrics["minutes_saved"]), (0, 0))
        self.assertEqual(metrics["accuracy"], {})
        # Production never got mvd_b@b9 (only staging did, D4): in production its
        # fix (b10, D5) avoided a failure too; mvd_a@a1 as before.
        production = self.Deployment._metrics(date(2021, 3, 1), date(2021, 3, 31), "production")
        self.assertEqual((production["deployments"], production["failures_avoided"]), (5, 2))
        self.assertEqual(production["failures_avoided_run_ids"], sorted((self.r1 | self.r2 | self.r6).ids))

    def test_bounds_and_settings(self):
        # A date as the end covers its whole day (D6 at 12:00 on the 14th).
        self.assertEqual(self.Deployment._metrics(date(2021, 3, 14), date(2021, 3, 14))["deployments"], 1)
        self.assertEqual(
            self.Deployment._metrics(datetime(2021, 3, 14, 0), datetime(2021, 3, 14, 11))["deployments"], 0)
        empty = self.Deployment._metrics(date(2020, 1, 1), date(2020, 1, 31))
        self.assertEqual((empty["deployments"], empty["success_rate"], empty["accuracy"]), (0, 0.0, {}))
        params = self.env["ir.config_parameter"]
        params.set_param("module_validator.failed_build_minutes", "40")
        self.assertEqual(self.Deployment._metrics(date(2021, 3, 1), date(2021, 3, 31))["minutes_saved"], 40)
        params.set_param("module_validator.failed_build_minutes", "a lot")
        self.assertEqual(self.Deployment._metrics(date(2021, 3, 1), date(2021, 3, 31))["minutes_saved"], 15)

    def test_bad_input_is_a_clear_error(self):
        for args in (("yesterday", "2021-03-31"), (None, date(2021, 3, 31)),
                     (date(2021, 3, 31), date(2021, 3, 1)), ("2021-02-30", "2021-03-31")):
            with self.assertRaises(UserError, msg=str(args)):
                self.Deployment._metrics(*args)
        with self.assertRaisesRegex(UserError, "moon"):
            self.Deployment._metrics(date(2021, 3, 1), date(2021, 3, 31), environment="moon")

    def test_the_user_group_can_read_the_metrics(self):
        user = new_test_user(self.env, "mvd_metrics", groups="module_validator.group_module_validator_user")
        metrics = self.Deployment.with_user(user)._metrics(date(2021, 3, 1), date(2021, 3, 31))
        self.assertEqual((metrics["deployments"], metrics["failures_avoided"]), (6, 1))


@tagged("post_install", "-at_install")
class TestDeploymentCommand(DeploymentCase):
    """``odoo-bin deployment``: in this transaction through its execute method,
    and once in a subprocess for the exit codes."""

    def setUp(self):
        super().setUp()
        # The command opens its own cursor: make it this test's transaction.
        self.enterContext(compat.registry_test_mode(self))

    def execute(self, *args):
        options = build_parser("odoo-bin deployment").parse_args(list(args))
        out = io.StringIO()
        code = Deployment().execute(options, out=out)
        return code, out.getvalue()

    def test_records_versions_and_fingerprints_from_the_addons_path(self):
        fingerprint = code_fingerprint(FIXTURE)
        run = self.make_run(datetime(2022, 6, 1), level="dynamic",
                            results=[("mvd_deploy_target", fingerprint, "pass")])
        code, output = self.execute("--modules", "mvd_deploy_target", "--path", FIXTURES_DEPLOY,
                                    "--environment", "staging", "--outcome", "failure",
                                    "--error", "KeyError: 'x'", "--target", "main")
        self.assertEqual(code, 0)
        deployment = self.Deployment.search([("origin", "=", "cli")], limit=1)
        self.assertEqual((deployment.environment, deployment.outcome, deployment.target),
                         ("staging", "failure", "main"))
        self.assertEqual(deployment.error_message, "KeyError: 'x'")
        self.assertEqual(deployment.line_ids.mapped("version"), [f"{compat.series()}.1.0.0"])
        self.assertEqual(deployment.line_ids.code_fingerprint, fingerprint)
        self.assertEqual(deployment.run_id, run)
        self.assertTrue(deployment.passed_but_failed)
        self.assertIn(f"{deployment.name}: failure deployment to staging (main)", output)
        self.assertIn(f"validated: yes, by run {run.name} (dynamic level, verdict pass)", output)
        self.assertIn("validation passed but the deployment failed", output)

    def test_module_folder_and_default_environment(self):
        self.env["ir.config_parameter"].set_param("module_validator.environment", "production")
        code, output = self.execute("--path", FIXTURE, "--outcome", "success")
        self.assertEqual(code, 0)
        deployment = self.Deployment.search([("origin", "=", "cli")], limit=1)
        self.assertEqual((deployment.environment, deployment.target), ("production", self.env.cr.dbname))
        self.assertFalse(deployment.validated)
        self.assertIn("validated: NO", output)

    def test_usage_errors(self):
        for args, message in (
            (("--outcome", "success"), "--modules"),
            (("--modules", "mvd_no_such_module", "--outcome", "success"), "mvd_no_such_module"),
            (("--modules", "base", "--outcome", "success", "--path", "/nonexistent/dir"), "no such folder"),
        ):
            with self.assertRaisesRegex(UsageError, message):
                self.execute(*args)
        with self.assertRaises(SystemExit):  # argparse: bad choice
            self.execute("--modules", "base", "--outcome", "great")

    def test_subprocess_exit_codes(self):
        command = [sys.executable, "-m", "odoo", f"--addons-path={compat.addons_path_option()}", "deployment"]
        command += server_config_args()
        command += ["--log-level=warn", "-d", self.env.cr.dbname, "--path", FIXTURES_DEPLOY]
        env = dict(os.environ, PYTHONPATH=compat.odoo_source_root())

        def run(*args):
            return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300,
                                  env=env, check=False)

        bad = run("--modules", "mvd_no_such_module", "--outcome", "success")
        self.assertEqual(bad.returncode, 2, bad.stdout + bad.stderr)
        self.assertIn("mvd_no_such_module", bad.stderr)
        good = run("--modules", "mvd_deploy_target", "--outcome", "rolled_back", "--environment", "staging",
                   "--target", "mvd-subprocess")
        # The subprocess committed; read and remove its record through a connection of our own.
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT id, name, outcome, environment, validated FROM module_validator_deployment "
                       "WHERE target = %s", ("mvd-subprocess",))
            rows = cr.fetchall()
            cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id IN %s",
                       ("module.validator.deployment", tuple(row[0] for row in rows) or (0,)))
            cr.execute("DELETE FROM module_validator_deployment WHERE target = %s", ("mvd-subprocess",))
            cr.commit()
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        self.assertEqual(len(rows), 1)
        _id, name, outcome, environment, validated = rows[0]
        self.assertEqual((outcome, environment, validated), ("rolled_back", "staging", False))
        self.assertIn(f"{name}: rolled_back deployment to staging (mvd-subprocess)", good.stdout)


@tagged("post_install", "-at_install")
class TestDeploymentErrorText(DeploymentCase):
    def test_secrets_are_masked_and_text_is_bounded(self):
        previous = config["db_password"]
        config["db_password"] = "s3cret-pw"
        try:
            try:
                raise ValueError("connection to server failed for password=hunter2 with s3cret-pw")
            except ValueError as error:
                text = clean_error(error)
        finally:
            config["db_password"] = previous
        self.assertIn("ValueError: connection to server failed", text)
        self.assertNotIn("hunter2", text)
        self.assertNotIn("s3cret-pw", text)
        self.assertIn("test_deployment.py", text)  # where it failed
        self.assertLessEqual(len(clean_error("x" * 20000)), 8000)
