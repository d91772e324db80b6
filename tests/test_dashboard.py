# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDashboard(HttpCase):
    """The overview's figures on a hand-built history, then the same screen in a browser.

    Times are in UTC (the users' timezone), relative to now:

    ================  ========  =======  =====  ===================================
    run               profile   when     state  findings (module, severity, rule)
    ================  ========  =======  =====  ===================================
    old               gate      -40 d    fail   a error DEP001 (outside 30 days)
    gate1             gate      -3 d     fail   a error DEP001 x2, b warning VIEW002
    gate2             gate      today    fail   a error DEP001, b error VIEW001
                                                (waived), b warning VIEW002
    nightly1          nightly   -2 d     pass   c warning PY002
    nightly2          nightly   today    pass   c info PY003
    wizard            -         today    fail   d error PY001
    crashed           -         today    (internal error, no verdict)
    wizard2           -         today+   pass   (d fixed: fingerprint d2)
    ================  ========  =======  =====  ===================================

    Results carry code fingerprints (module letter + version: a1, b1...), so
    each deployment is matched to the run that validated its code:

    ====  ===========  =======  ======  ===========  =================================
    dep   environment  when     code    outcome      matched run -> accuracy cell
    ====  ===========  =======  ======  ===========  =================================
    D0    staging      -40 d    a1      failure      (outside 30 days)
    D1    staging      -3 d     a1      failure      gate1 (dynamic, fail) -> tp
    D2    staging      -3 d     b1      success      gate1 (dynamic, fail) -> fp
    D3    development  -2 d     c1      success      nightly1 (static, pass) -> tn
    D4    development  -2 d     c1      rolled_back  nightly1 (static, pass) -> fn
    D5    production   -1 d     x9      success      none (not validated)
    D6    development  today+   d2      success      wizard2 (static, pass) -> tn
    ====  ===========  =======  ======  ===========  =================================

    30 days: 6 deployments, 4 successes (66.7 %); dynamic 1 of 2 right
    (50 %), static 2 of 3 (66.7 %). This month (all of it today): the wizard
    run's failing d1 never went out, d2 did after passing: 1 failure avoided,
    15 minutes saved.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.tz = "UTC"
        cls.user = new_test_user(
            cls.env, "mv_dashboard_user", tz="UTC",
            groups="base.group_user,module_validator.group_module_validator_user",
        )
        cls.outsider = new_test_user(cls.env, "mv_dashboard_outsider", groups="base.group_user")
        now = fields.Datetime.now()
        start_of_today = datetime.combine(now.date(), time.min)
        cls.today = start_of_today + (now - start_of_today) / 2
        cls.now = now
        Profile = cls.env["module.validator.profile"]
        # Only the history built here takes part in the figures (installing
        # the test database recorded a deployment of its own).
        Profile.search([]).write({"active": False})
        cls.env["module.validator.deployment"].search([]).unlink()
        cls.gate = Profile.create({
            "name": "Staging gate", "environment": "staging", "level": "dynamic",
            "module_selection": "list", "module_names": "mv_dash_a,mv_dash_b",
        })
        cls.nightly = Profile.create({
            "name": "Nightly static", "environment": "development", "level": "static",
            "module_selection": "list", "module_names": "mv_dash_c",
        })
        waiver = cls.env["module.validator.waiver"].create({
            "rule_id": cls.env.ref("module_validator.rule_view001").id,
            "module_name": "mv_dash_b",
            "justification": "Known, fixed upstream next week.",
            "expiry_date": fields.Date.add(fields.Date.today(), days=30),
        })
        cls.old = cls.make_run(cls.gate, now - timedelta(days=40), "fail", [
            ("mv_dash_a", "error", "DEP001"),
        ])
        cls.gate1 = cls.make_run(cls.gate, now - timedelta(days=3), "fail", [
            ("mv_dash_a", "error", "DEP001"), ("mv_dash_a", "error", "DEP001"),
            ("mv_dash_b", "warning", "VIEW002"),
        ])
        cls.nightly1 = cls.make_run(cls.nightly, now - timedelta(days=2), "pass", [
            ("mv_dash_c", "warning", "PY002"),
        ])
        cls.gate2 = cls.make_run(cls.gate, cls.today, "fail", [
            ("mv_dash_a", "error", "DEP001"), ("mv_dash_b", "error", "VIEW001", waiver),
            ("mv_dash_b", "warning", "VIEW002"),
        ])
        cls.nightly2 = cls.make_run(cls.nightly, cls.today, "pass", [
            ("mv_dash_c", "info", "PY003"),
        ])
        cls.wizard = cls.make_run(None, cls.today, "fail", [("mv_dash_d", "error", "PY001")])
        cls.later = start_of_today + (now - start_of_today) * 3 / 4
        cls.wizard2 = cls.make_run(None, cls.later, "pass", [], modules={"mv_dash_d": "d2"})
        cls.crashed = cls.env["module.validator.run"].create({
            "origin": "test", "state": "failed", "date_start": cls.today,
            "error_message": "Modules not found on the addons path: nowhere",
        })
        cls.deployments = {
            name: cls.env["module.validator.deployment"].create({
                "environment": environment, "outcome": outcome,
                "date_start": when, "date_end": when + timedelta(minutes=5),
                "error_message": "column x contains null values" if outcome != "success" else False,
                "line_ids": [Command.create({
                    "module_name": f"mv_dash_{code[0]}", "version": "18.0.1.0.0", "code_fingerprint": code,
                })],
            })
            for name, environment, when, code, outcome in [
                ("D0", "staging", now - timedelta(days=40, hours=-1), "a1", "failure"),
                ("D1", "staging", now - timedelta(days=3, hours=-1), "a1", "failure"),
                ("D2", "staging", now - timedelta(days=3, hours=-2), "b1", "success"),
                ("D3", "development", now - timedelta(days=2, hours=-1), "c1", "success"),
                ("D4", "development", now - timedelta(days=2, hours=-2), "c1", "rolled_back"),
                ("D5", "production", now - timedelta(days=1), "x9", "success"),
                ("D6", "development", start_of_today + (now - start_of_today) * 7 / 8, "d2", "success"),
            ]
        }

    @classmethod
    def make_run(cls, profile, when, verdict, findings, modules=None):
        """A finished run with one result per module and the given findings.

        Module ``mv_dash_X`` has code fingerprint ``X1`` unless ``modules``
        maps it to another one."""
        run = cls.env["module.validator.run"].create({
            "origin": "profile" if profile else "test",
            "profile_id": profile.id if profile else False,
            "level": profile.level if profile else "static",
            "date_start": when, "state": "running",
        })
        fingerprints = {module: module[-1] + "1" for module, *_rest in findings}
        fingerprints.update(modules or {})
        unwaived = {(module, severity) for module, severity, _rule, *waiver in findings if not waiver}
        results = cls.env["module.validator.result"].create([{
            "run_id": run.id, "name": module, "origin": "addons_path",
            "verdict": "fail" if (module, "error") in unwaived else "pass",
            "code_fingerprint": fingerprint,
        } for module, fingerprint in sorted(fingerprints.items())])
        result_of = {result.name: result for result in results}
        cls.env["module.validator.finding"].create([{
            "run_id": run.id, "result_id": result_of[module].id, "rule_code": rule,
            "severity": severity, "module_name": module, "message": f"{rule} in {module}",
            "fingerprint": f"{module}:{rule}:{position}",
            "waiver_id": waiver[0].id if waiver else False,
        } for position, (module, severity, rule, *waiver) in enumerate(findings)])
        run.write({"state": "done", "verdict": verdict})
        return run

    def data(self, user=None):
        return self.env["module.validator.dashboard"].with_user(user or self.user).get_dashboard_data()

    def records(self, action):
        """The records an action lists, as the user who clicks sees them."""
        self.assertEqual(action["type"], "ir.actions.act_window")
        return self.env[action["res_model"]].with_user(self.user).search(action["domain"])

    # -- figures ------------------------------------------------------------------
    def test_open_errors_are_unwaived_errors_of_each_profiles_latest_run(self):
        kpi = self.data()["kpis"]["open_errors"]
        self.assertEqual(kpi["value"], 1)
        self.assertEqual(kpi["runs"], 2)
        findings = self.records(kpi["action"])
        self.assertEqual(findings.run_id, self.gate2)
        self.assertEqual(findings.mapped("rule_code"), ["DEP001"])

    def test_runs_today_counts_every_run_started_today(self):
        kpi = self.data()["kpis"]["runs_today"]
        self.assertEqual(kpi["value"], 5)
        self.assertEqual(kpi["failed"], 2)
        self.assertEqual(self.records(kpi["action"]),
                         self.gate2 | self.nightly2 | self.wizard | self.wizard2 | self.crashed)

    def test_top_failing_rules_count_unwaived_errors_of_the_last_30_days(self):
        chart = self.data()["charts"]["top_rules"]
        self.assertEqual([(item["label"], item["count"]) for item in chart["items"]],
                         [("DEP001", 3), ("PY001", 1)])
        dep001 = self.records(chart["items"][0]["action"])
        self.assertEqual(dep001.run_id, self.gate1 | self.gate2)
        self.assertEqual(len(self.records(chart["action"])), 4)

    def test_findings_by_module_of_the_latest_runs(self):
        chart = self.data()["charts"]["findings_by_module"]
        self.assertEqual(chart["labels"], ["mv_dash_a", "mv_dash_b", "mv_dash_c"])
        counts = {dataset["severity"]: dataset["data"] for dataset in chart["datasets"]}
        self.assertEqual(counts, {"error": [1, 0, 0], "warning": [0, 1, 0], "info": [0, 0, 1]})
        module_b = self.records(chart["actions"]["mv_dash_b"])
        self.assertEqual(module_b.mapped("rule_code"), ["VIEW002"])
        self.assertEqual(module_b.run_id, self.gate2)

    def test_pass_rate_per_profile_and_day(self):
        chart = self.data()["charts"]["pass_rate"]
        today = self.now.date()
        self.assertEqual(chart["labels"][-1], today.isoformat())
        self.assertEqual(len(chart["labels"]), 7)
        rates = {
            dataset["label"]: {
                label: (point["rate"], point["runs"])
                for label, point in zip(chart["labels"], dataset["points"], strict=True) if point["runs"]
            }
            for dataset in chart["datasets"]
        }
        day = lambda days: (today - timedelta(days=days)).isoformat()  # noqa: E731
        self.assertEqual(rates, {
            "Nightly static": {day(2): (100.0, 1), day(0): (100.0, 1)},
            "Staging gate": {day(3): (0.0, 1), day(0): (0.0, 1)},
        })
        gate_today = chart["datasets"][1]["points"][-1]
        self.assertEqual(self.records(gate_today["action"]), self.gate2)
        self.assertEqual(self.records(chart["action"]),
                         self.gate1 | self.gate2 | self.nightly1 | self.nightly2)

    def test_deployment_figures(self):
        kpis = self.data()["kpis"]
        deployments = self.deployments
        self.assertEqual(deployments["D1"].run_id, self.gate1)
        self.assertEqual(deployments["D4"].run_id, self.nightly1)
        self.assertEqual(deployments["D6"].run_id, self.wizard2)
        self.assertFalse(deployments["D5"].run_id)

        success = kpis["success_rate"]
        self.assertEqual((success["value"], success["successes"], success["deployments"]), (66.7, 4, 6))
        self.assertEqual(self.records(success["action"]),
                         sum((deployments[f"D{n}"] for n in range(1, 7)), self.env["module.validator.deployment"]))

        saved = kpis["minutes_saved"]
        self.assertEqual((saved["value"], saved["failures_avoided"]), (15, 1))
        self.assertEqual(self.records(saved["action"]), self.wizard)

        accuracy = {level["level"]: level for level in kpis["accuracy"]}
        self.assertEqual(list(accuracy), ["static", "dynamic", "bulletproof"])
        cells = {
            level: (row["accuracy"], row["tp"], row["fp"], row["tn"], row["fn"], row["total"])
            for level, row in accuracy.items()
        }
        self.assertEqual(cells, {
            "static": (66.7, 0, 0, 2, 1, 3),
            "dynamic": (50.0, 1, 1, 0, 0, 2),
            "bulletproof": (None, 0, 0, 0, 0, 0),
        })
        self.assertEqual(self.records(accuracy["static"]["action"]),
                         deployments["D3"] | deployments["D4"] | deployments["D6"])

    def test_only_validator_users_get_the_overview(self):
        with self.assertRaises(AccessError):
            self.data(self.outsider)

    # -- the screen ---------------------------------------------------------------
    def test_tour(self):
        self.start_tour("/odoo", "module_validator_dashboard_tour", login="mv_dashboard_user")
