# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import os

import jsonschema
from lxml import etree

from odoo.tests import tagged

from ..engine import discovery
from ..engine.render import render_json, render_junit, render_text
from ..engine.rules import RULES
from ..engine.rules.registry import Rule
from .common import FIXTURES, HERE, ValidatorCase

with open(os.path.join(HERE, "data", "validation-report.schema.json"), encoding="utf-8") as _schema:
    REPORT_SCHEMA = json.load(_schema)


@tagged("post_install", "-at_install")
class TestEngine(ValidatorCase):
    def test_fingerprint_is_stable_across_runs_and_ignores_lines(self):
        first = self.run_engine(["mv_example_broken"]).modules[0].findings
        second = self.run_engine(["mv_example_broken"]).modules[0].findings
        self.assertEqual([f.fingerprint for f in first], [f.fingerprint for f in second])
        self.assertEqual(len({f.fingerprint for f in first}), len(first))

    def test_a_crashing_rule_gives_an_internal_error_finding_and_the_run_goes_on(self):
        def explode(ctx):
            raise RuntimeError("boom")
            yield  # pragma: no cover - makes it a generator like real checks

        RULES["ZZZ999"] = Rule("ZZZ999", "crash", "engine", "static", "warning",
                               "", "", "", "", "", explode)
        try:
            report = self.run_engine(["mvt_py001", "mvt_clean"])
        finally:
            del RULES["ZZZ999"]
        for module in report.modules:
            codes = sorted(f.rule for f in module.findings)
            expected = ["MV001", "PY001"] if module.name == "mvt_py001" else ["MV001"]
            self.assertEqual(codes, expected)
        internal = report.modules[0].findings[0]
        self.assertIn("Rule ZZZ999 failed: RuntimeError: boom", internal.message)

    def test_user_settings_disable_rules_and_change_severity(self):
        report = self.run_engine(["mv_example_broken"], settings={
            "PY001": (False, "error"), "DEP001": (True, "warning"),
        })
        findings = report.modules[0].findings
        self.assertNotIn("PY001", {f.rule for f in findings})
        self.assertEqual({f.severity for f in findings if f.rule == "DEP001"}, {"warning"})

    def test_fail_on_warning_fails_a_module_with_warnings_only(self):
        self.assertEqual(self.run_engine(["mvt_man013_missing"]).verdict, "pass")
        self.assertEqual(self.run_engine(["mvt_man013_missing"], fail_on="warning").verdict, "fail")

    def test_json_report_follows_the_public_contract(self):
        report = self.run_engine(["mv_example_broken", "mvt_clean", "mvt_man002"])
        data = json.loads(render_json(report))
        jsonschema.validate(data, REPORT_SCHEMA)
        self.assertEqual(data["verdict"], "fail")
        self.assertEqual([m["verdict"] for m in data["modules"]], ["fail", "pass", "fail"])
        self.assertEqual(data["modules"][1]["counts"], {"error": 0, "warning": 0, "info": 0})

    def test_junit_and_text_reports(self):
        report = self.run_engine(["mv_example_broken", "mvt_clean"])
        suite = etree.fromstring(render_junit(report).encode()).find("testsuite")
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("2", "1"))
        cases = {case.get("name"): case for case in suite.findall("testcase")}
        self.assertIsNotNone(cases["mv_example_broken"].find("failure"))
        self.assertIsNone(cases["mvt_clean"].find("failure"))
        text = render_text(report)
        self.assertIn("FAIL  mv_example_broken", text)
        self.assertIn("PASS  mvt_clean", text)

    def test_discovery_first_path_wins_and_closure_is_in_load_order(self):
        catalog = discovery.discover([FIXTURES, FIXTURES])
        self.assertIn("mvt_clean", catalog.shadowed)
        closure = self.catalog.closure("sale")
        self.assertLess(closure.index("base"), closure.index("account"))
        self.assertNotIn("sale", closure)
        for position, name in enumerate(closure):
            for dep in self.catalog.get(name).depends():
                self.assertLess(closure.index(dep), position, f"{dep} must load before {name}")

    def test_selection_reports_unknown_names_and_finds_custom_modules(self):
        modules, unknown = discovery.select(self.catalog, ["mvt_clean", "nope"], all_custom=True)
        names = {m.name for m in modules}
        self.assertEqual(unknown, ["nope"])
        self.assertTrue({"mvt_clean", "mv_example_broken", "module_validator"} <= names)
        self.assertNotIn("sale", names)
