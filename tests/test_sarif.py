# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo-bin validate --format sarif``: SARIF 2.1.0 that code scanning accepts."""

import json
import os
import shutil
import subprocess
from datetime import date, timedelta

import jsonschema

from odoo.tests import tagged

from ..cli.validate import Validate
from ..engine.render_sarif import FINGERPRINT_KEY, SRCROOT, render_sarif
from ..engine.results import LevelsReport
from ..engine.rules import RULES
from .common import FIXTURES, HERE, ValidatorCase, odoo_bin, scratch_folder

# The official schema (OASIS sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json).
with open(os.path.join(HERE, "data", "sarif-schema-2.1.0.json"), encoding="utf-8") as _schema:
    SARIF_SCHEMA = json.load(_schema)


def assert_valid_sarif(log):
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)


@tagged("post_install", "-at_install")
class TestSarif(ValidatorCase):
    def setUp(self):
        super().setUp()
        self.folder = scratch_folder(self, "mv_sarif_")

    def repository(self, *names):
        """A git work tree holding copies of fixture modules under addons/."""
        root = os.path.join(self.folder, "repo")
        for name in names:
            shutil.copytree(os.path.join(FIXTURES, name), os.path.join(root, "addons", name),
                            ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run(["git", "init", "-q", root], check=True)
        return root

    def sarif(self, *args, cwd):
        result = odoo_bin("validate", *args, "--format", "sarif", cwd=cwd)
        log = json.loads(result.stdout)
        assert_valid_sarif(log)
        return result, log

    def test_findings_carry_repository_paths_lines_fingerprints_and_rule_help(self):
        root = self.repository("mvt_py001", "mvt_clean")
        result, log = self.sarif("--path", os.path.join(root, "addons", "mvt_py001"),
                                 "--path", os.path.join(root, "addons", "mvt_clean"),
                                 cwd=os.path.join(root, "addons"))
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(log["version"], "2.1.0")
        (run,) = log["runs"]
        driver = run["tool"]["driver"]
        self.assertEqual(driver["name"], "module_validator")
        self.assertTrue(driver["version"] and driver["informationUri"].startswith("https://"))
        (result_,) = run["results"]
        self.assertEqual((result_["ruleId"], result_["level"]), ("PY001", "error"))
        location = result_["locations"][0]["physicalLocation"]
        # Relative to the git work tree, not to the current folder (addons/).
        self.assertEqual(location["artifactLocation"],
                         {"uri": "addons/mvt_py001/broken.py", "uriBaseId": SRCROOT})
        self.assertEqual(location["region"]["startLine"], 1)
        engine_finding = self.run_engine(["mvt_py001"]).modules[0].findings[0]
        self.assertEqual(result_["partialFingerprints"], {FINGERPRINT_KEY: engine_finding.fingerprint})
        # The rule as the knowledge base describes it.
        rule = driver["rules"][result_["ruleIndex"]]
        known = RULES["PY001"]
        self.assertEqual(rule["id"], "PY001")
        self.assertEqual(rule["shortDescription"]["text"], known.title)
        self.assertEqual(rule["fullDescription"]["text"], known.rationale)
        self.assertEqual(rule["defaultConfiguration"]["level"], "error")
        for text in (known.remedy, known.bad_example, known.good_example):
            self.assertIn(text, rule["help"]["markdown"])
            self.assertIn(text, rule["help"]["text"])
        self.assertEqual(run["automationDetails"]["id"], "module_validator/static/")

    def test_outside_a_repository_paths_start_at_the_module_folder(self):
        outside = os.path.join(self.folder, "not_a_repo")
        shutil.copytree(os.path.join(FIXTURES, "mvt_man002"), os.path.join(outside, "mvt_man002"))
        _result, log = self.sarif("--path", os.path.join(outside, "mvt_man002"), cwd=outside)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in log["runs"][0]["results"]}
        self.assertEqual(uris, {"mvt_man002/__manifest__.py"})

    def test_a_clean_module_gives_no_result(self):
        root = self.repository("mvt_clean")
        result, log = self.sarif("--path", os.path.join(root, "addons", "mvt_clean"), cwd=root)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(log["runs"][0]["results"], [])
        self.assertEqual(log["runs"][0]["tool"]["driver"]["rules"], [])

    def test_waived_findings_are_external_suppressions_with_their_justification(self):
        Run = self.env["module.validator.run"]
        failing, _report = Run._launch(["mv_example_broken"], origin="test")
        pairs = {(f.rule_id, f.module_name) for f in failing.finding_ids if f.severity == "error"}
        self.assertTrue(pairs)
        self.env["module.validator.waiver"].create([
            {"rule_id": rule.id, "module_name": module, "justification": "Fixed in the next sprint",
             "expiry_date": date.today() + timedelta(days=30)}
            for rule, module in pairs
        ])
        run, report = Run._launch(["mv_example_broken"], origin="test")
        # What odoo-bin validate -d does before rendering.
        report = Validate._stored(self.env, run, report, self.env.cr.dbname)
        log = json.loads(render_sarif(report, cwd=self.folder))
        assert_valid_sarif(log)
        results = log["runs"][0]["results"]
        waived = [r for r in results if r["level"] == "error"]
        self.assertTrue(waived)
        for result in waived:
            self.assertEqual(result["suppressions"], [{
                "kind": "external", "status": "accepted", "justification": "Fixed in the next sprint",
            }])
        self.assertFalse([r for r in results if r["level"] != "error" and "suppressions" in r])

    def test_every_level_is_a_run_of_its_own(self):
        static = self.run_engine(["mvt_py001"])
        other = self.run_engine(["mvt_py001"])
        other.level = "dynamic"
        other.notes.append("a note for the reader")
        log = json.loads(render_sarif(LevelsReport([static, other]), cwd=self.folder))
        assert_valid_sarif(log)
        self.assertEqual([r["automationDetails"]["id"] for r in log["runs"]],
                         ["module_validator/static/", "module_validator/dynamic/"])
        notes = log["runs"][1]["invocations"][0]["toolExecutionNotifications"]
        self.assertEqual(notes[0]["message"]["text"], "a note for the reader")
