# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import glob
import json
import os
import shutil
import tempfile

import jsonschema

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..engine import compat
from ..engine.rules import RULES
from ..engine.python_summary import summarize_python_source
from ..engine.rehearsal import porting
from ..engine.rules.manifest_rules import version_problem
from ..engine.rules.unique_rules import _declared_constraints
from .common import FIXTURES, ValidatorCase, odoo_bin
from .test_engine import REPORT_SCHEMA

# The fixtures of the 19.0 rules, each installed for real on Odoo 19.0 (the
# closing note of issue 14 gives the outcomes): (fixture, rule, impact).
SERIES_19_FIXTURES = [
    ("mvt_dat018", "DAT018", "install"),  # ValueError: Invalid field 'category_id' in 'res.groups'
    ("mvt_view016", "VIEW016", "install"),  # RELAXNG: Invalid attribute expand for element group
    ("mvt_py017", "PY017", "warning-log"),  # WARNING Model attribute '_sql_constraints' is no longer supported
    ("mvt_dat003", "DAT003", "install"),  # The XML file ... does not fit the required schema!
    ("mvt_man002", "MAN002", "install"),  # The module ... has an incompatible version: not installed
    ("mvt_man014", "MAN014", "warning-log"),  # WARNING Missing `author` key in manifest
    ("mvt_py018", "PY018", "warning-log"),  # WARNING py.warnings: ... @route(type='json') is a deprecated alias
]


@tagged("post_install", "-at_install")
class TestRulesSeries(ValidatorCase):
    """Rules know their series: validating for 19.0 runs the 19.0 rules, on either series."""

    def test_each_19_rule_fires_on_its_fixture_for_19_only(self):
        for fixture, code, impact in SERIES_19_FIXTURES:
            with self.subTest(fixture=fixture):
                findings = self.run_engine([fixture], series="19.0").modules[0].findings
                found = {(f.rule, f.impact) for f in findings}
                if compat.is_19():
                    # 19.0's own closure and schemas also refuse the 18.0 spelling
                    # (DAT005, DAT002, VIEW010): more errors of the same install.
                    self.assertIn((code, impact), found)
                    self.assertFalse({i for r, i in found if r != code} - {"install"})
                    continue  # the 18.0 rules here still see 19.0's closure and schemas
                self.assertEqual(found, {(code, impact)})
                on_18 = self.run_engine([fixture], series="18.0").modules[0].findings
                if code == "MAN002":
                    self.assertIn("invalid for Odoo 18.0", on_18[0].message)
                elif code == "DAT003":
                    self.assertEqual([(f.rule, f.impact) for f in on_18], [("DAT003", "runtime")])
                else:
                    self.assertEqual(on_18, [], "18.0 accepts it")

    def test_a_single_record_create_warns_on_18_and_breaks_on_19(self):
        # Installed for real: 18.0 logs "... is not overriding the create method in
        # batch" (WARNING); 19.0 installs it silently, then create({'code': 'A'})
        # raises AttributeError: 'list' object has no attribute 'setdefault'.
        impacts = {series: [(f.rule, f.impact, f.line) for f in self.run_engine(
            ["mvt_py019"], series=series).modules[0].findings] for series in compat.SERIES}
        self.assertEqual(impacts, {"18.0": [("PY019", "warning-log", 12)], "19.0": [("PY019", "runtime", 12)]})

    def test_imports_that_19_removed_or_deprecates(self):
        # Installed for real on 19.0: ImportError: cannot import name 'NewId' from
        # 'odoo.models', exit 255; without that line it installs, with the WARNING
        # "Since 19.0, odoo.osv is deprecated use odoo.fields.Domain".
        findings = self.run_engine(["mvt_py020"], series="19.0").modules[0].findings
        self.assertEqual([(f.rule, f.severity, f.impact, f.line) for f in findings],
                         [("PY020", "error", "install", 2), ("PY020", "warning", "warning-log", 3)])
        self.assertEqual(self.run_engine(["mvt_py020"], series="18.0").modules[0].findings, [])

    def test_the_clean_fixture_is_clean_on_both_series(self):
        for series in compat.SERIES:
            self.assertEqual(self.codes("mvt_clean", series=series), [])

    def test_the_portable_spellings_are_not_flagged(self):
        findings = self.run_engine(["mvt_dat018", "mvt_view016"], series="19.0")
        lines = {(f.module, f.line) for m in findings.modules for f in m.findings}
        # The menu's groups= attribute and the plain <group> search view (lines 14 and 23).
        self.assertEqual(lines, {("mvt_dat018", 6), ("mvt_dat018", 11), ("mvt_view016", 9)})

    def test_each_series_creates_its_own_spelling_of_sql_constraints(self):
        source = (b"from odoo import fields, models\n"
                  b"class Code(models.Model):\n"
                  b"    _name = 'x.code'\n"
                  b"    code = fields.Char()\n"
                  b"    _sql_constraints = [('old_unique', 'unique(code)', 'm')]\n"
                  b"    _code_unique = models.Constraint('UNIQUE(code)', 'm')\n"
                  b"    _lower_code = models.UniqueIndex('(lower(code))')\n"
                  b"    _active_code = models.UniqueIndex('(code) WHERE active')\n")
        (model,) = summarize_python_source("models/code.py", source).models
        self.assertEqual(_declared_constraints(model, "18.0"), [("old_unique", "unique(code)", "m")])
        # 19.0 ignores _sql_constraints; a partial unique index refuses only some rows.
        self.assertEqual(_declared_constraints(model, "19.0"),
                         [("code_unique", "UNIQUE(code)"), ("lower_code", "unique(lower(code))")])
        # On 19.0 the fixture's _sql_constraints create nothing: its records install (yellow, PY017).
        self.assertEqual(self.codes("mvt_dat017", series="19.0"), ["PY017"])
        self.assertEqual(self.codes("mvt_dat017", series="18.0"), ["DAT017"])

    def test_a_kanban_box_template_is_silent_on_19(self):
        # 19.0 installs the fixture green (no WARNING) and renders no kanban-box card.
        impacts = {series: [f.impact for f in self.run_engine(["mvt_view015"], series=series).modules[0].findings
                            if "kanban-box" in f.message]
                   for series in compat.SERIES}
        self.assertEqual(impacts, {"18.0": ["warning-log"], "19.0": ["runtime"]})
        # The leftover oe_kanban_global_click class: reported on 18.0 only.
        clicks = {series: len([f for f in self.run_engine(["mvt_view015"], series=series).modules[0].findings
                               if "oe_kanban_global_click" in f.message]) for series in compat.SERIES}
        self.assertEqual(clicks, {"18.0": 1, "19.0": 0})

    def test_rules_say_which_series_they_apply_to(self):
        self.assertEqual(RULES["VIEW016"].series, ("19.0",))
        self.assertTrue(RULES["VIEW016"].applies_to("19.0"))
        self.assertFalse(RULES["VIEW016"].applies_to("18.0"))
        self.assertTrue(RULES["MAN002"].applies_to("18.0") and RULES["MAN002"].applies_to("19.0"))
        self.assertIn("19.0", RULES["MAN002"].series_note)

    def test_versions_as_each_series_reads_them(self):
        # (version, accepted by 18.0, accepted by 19.0): odoo/modules/module.py of each series.
        cases = [("1.2.0", True, True), ("1.2", True, True), ("18.0.1.2.0", True, False),
                 ("19.0.1.2.0", False, True), ("17.0.1.0.0", False, False), ("1.2.3.4", False, False),
                 ("19.0", True, False), ("18.0", True, True), ("1.2.x", False, False)]
        for version, on_18, on_19 in cases:
            with self.subTest(version=version):
                self.assertEqual(version_problem(version, "18.0") is None, on_18)
                self.assertEqual(version_problem(version, "19.0") is None, on_19)

    def test_the_report_names_its_series(self):
        report = self.run_engine(["mvt_clean"], series="19.0").as_dict()
        self.assertEqual(report["series"], "19.0")
        jsonschema.validate(report, REPORT_SCHEMA)
        self.assertEqual(self.run_engine(["mvt_clean"]).as_dict()["series"], compat.series())

    def test_porting_rehearsal_from_the_command_line(self):
        target = "19.0" if compat.series() == "18.0" else "18.0"
        result = odoo_bin("validate", "--path", FIXTURES, "--modules", "mvt_view016,mvt_clean",
                          "--target-series", target, "--format", "json")
        data = json.loads(result.stdout)
        self.assertEqual(data["series"], target)
        rules = {m["name"]: [f["rule"] for f in m["findings"]] for m in data["modules"]}
        self.assertEqual(rules["mvt_clean"], [])
        if target == "19.0":
            self.assertEqual((result.returncode, rules["mvt_view016"]), (1, ["VIEW016"]))
        refused = odoo_bin("validate", "--path", FIXTURES, "--modules", "mvt_clean",
                           "--target-series", target, "--level", "dynamic")
        self.assertEqual(refused.returncode, 2)
        self.assertIn("--target-series", refused.stderr)

    def test_porting_rehearsal_installs_on_the_target_series(self):
        """From 18.0, --level bulletproof --target-series 19.0 installs ported copies on 19.0."""
        if compat.series() != "18.0":
            self.skipTest("rehearses 18.0 modules on 19.0: runs on an 18.0 server")
        try:
            target = porting.find_target("19.0")
        except porting.TargetNotFound as error:
            self.skipTest(f"no Odoo 19.0 here: {error}")
        project = tempfile.mkdtemp(prefix="mv_porting_test_")
        self.addCleanup(shutil.rmtree, project, ignore_errors=True)
        for name in ("mvt_clean", "mvt_dat018"):
            shutil.copytree(os.path.join(FIXTURES, name), os.path.join(project, name),
                            ignore=shutil.ignore_patterns("__pycache__"))
        # An 18.0 version: 19.0 would install nothing; the copies rehearsed drop the prefix.
        manifest = os.path.join(project, "mvt_clean", "__manifest__.py")
        with open(manifest, encoding="utf-8") as handle:
            text = handle.read().replace("'version': '1.0.0'", "'version': '18.0.1.0.0'")
        with open(manifest, "w", encoding="utf-8") as handle:
            handle.write(text)
        result = odoo_bin("validate", "--path", project, "--modules", "mvt_clean,mvt_dat018",
                          "--level", "bulletproof", "--target-series", "19.0", "--format", "json",
                          extra_env={porting.SOURCE_VARIABLE: target.source,
                                     porting.PYTHON_VARIABLE: target.python}, timeout=900)
        data = json.loads(result.stdout)
        rules = {m["name"]: sorted({f["rule"] for f in m["findings"]}) for m in data["modules"]}
        # mvt_clean installs on 19.0 once its version is series-less: MAN002 says so.
        self.assertEqual(rules["mvt_clean"], ["MAN002"])
        # mvt_dat018's install fails on 19.0 as DAT018 foretells.
        self.assertEqual(rules["mvt_dat018"], ["DAT018", "TST001"])
        failures = [f["message"] for m in data["modules"] for f in m["findings"] if f["rule"] == "TST001"]
        self.assertIn("Invalid field 'category_id' in 'res.groups'", failures[0])
        self.assertEqual(result.returncode, 1)

    def test_porting_check_from_the_wizard(self):
        """The wizard offers a later series whose Odoo is here, and runs its rules."""
        Launch = self.env["module.validator.launch"]
        offered = [value for value, _label in Launch._target_series_selection()]
        self.assertEqual(offered[0], compat.series(), "this server's series comes first")
        self.assertNotIn("18.0", offered[1:], "a porting check goes to a later series only")
        if compat.series() != "18.0" or "19.0" not in offered:
            self.assertFalse(Launch.create({}).porting_available)
            self.skipTest("no Odoo 19.0 on this machine, or this server is 19.0")
        self.env["ir.module.module"].update_list()
        example = self.env["ir.module.module"].search([("name", "=", "mv_example_clean")])
        with Form(Launch) as form:
            self.assertTrue(form.porting_available)
            form.module_ids.add(example)
            form.level = "static"
            form.target_series = "19.0"
        action = form.record.action_run()
        run = self.env["module.validator.run"].browse(action["res_id"])
        self.assertEqual((run.target_series, run.state, run.verdict), ("19.0", "done", "pass"))
        self.assertEqual(run._api_report().as_dict()["series"], "19.0")
        form.record.level = "dynamic"
        with self.assertRaises(UserError):
            form.record.action_run()

    def test_porting_check_runs_the_target_series_rules(self):
        Run = self.env["module.validator.run"]
        ported, _report = Run._launch(["mvt_py018"], extra_paths=[FIXTURES], origin="test", target_series="19.0")
        here, _report = Run._launch(["mvt_py018"], extra_paths=[FIXTURES], origin="test",
                                    target_series=compat.series())
        self.assertIn("PY018", ported.finding_ids.mapped("rule_code"))
        self.assertEqual(here.target_series, False, "this server's series is no porting check")
        if compat.series() == "18.0":
            self.assertNotIn("PY018", here.finding_ids.mapped("rule_code"))
        refused, _report = Run._launch(["mvt_clean"], extra_paths=[FIXTURES], origin="test", level="dynamic",
                                       target_series="19.0" if compat.series() == "18.0" else "18.0")
        self.assertEqual(refused.state, "failed")
        self.assertIn("dynamic level", refused.error_message)

    def test_background_porting_rehearsal_from_the_wizard(self):
        """A queued bulletproof porting check installs ported copies on 19.0, item by item."""
        if compat.series() != "18.0":
            self.skipTest("rehearses 18.0 modules on 19.0: runs on an 18.0 server")
        try:
            porting.find_target("19.0")
        except porting.TargetNotFound as error:
            self.skipTest(f"no Odoo 19.0 here: {error}")
        Run = self.env["module.validator.run"]
        before = set(glob.glob(os.path.join(tempfile.gettempdir(), "mv_porting_*")))
        run, report = Run._launch(["mvt_clean", "mvt_dat018"], level="bulletproof", origin="wizard",
                                  extra_paths=[FIXTURES], background=True, target_series="19.0")
        self.assertIsNone(report)
        Run._cron_process_queue()
        Run._cron_process_queue()
        self.assertEqual((run.state, run.verdict, run.target_series), ("done", "fail", "19.0"))
        rules = {r.name: sorted(set(r.finding_ids.mapped("rule_code"))) for r in run.result_ids}
        self.assertEqual(rules, {"mvt_clean": [], "mvt_dat018": ["DAT018", "TST001"]})
        installs = run.finding_ids.filtered(lambda f: f.rule_code == "TST001")
        self.assertEqual(len(installs), 2, "with and without demo data")
        self.assertIn("Invalid field 'category_id' in 'res.groups'", installs[0].message)
        self.assertEqual(set(glob.glob(os.path.join(tempfile.gettempdir(), "mv_porting_*"))), before,
                         "the ported copies are removed after each item")

    def test_a_port_carries_the_modules_it_depends_on_outside_odoo(self):
        module = self.catalog.get("mvt_dep006_ok")
        ported = porting.modules_to_port([module], self.catalog)
        # Its provider comes along (a port moves a project); base and Odoo's
        # other modules come from the target's own tree.
        self.assertEqual(sorted(m.name for m in ported), ["mvt_dep006_ok", "mvt_dep006_provider"])

    def test_apis_that_19_deprecates(self):
        # Installed for real on 19.0 (both install); calling mvt_summary() of
        # mvt_py021 logs one "WARNING py.warnings: DeprecationWarning" per API.
        findings = self.run_engine(["mvt_py021"], series="19.0").modules[0].findings
        self.assertEqual(sorted((f.rule, f.line) for f in findings),
                         [("PY021", 13), ("PY021", 14), ("PY021", 15), ("PY021", 16), ("PY021", 17)])
        self.assertTrue(all((f.severity, f.impact) == ("warning", "hygiene") for f in findings))
        self.assertIn("use self.env.context", findings[0].message)
        self.assertEqual(self.run_engine(["mvt_py021_ok"], series="19.0").modules[0].findings, [])
        if compat.series() == "18.0":
            self.assertEqual(self.run_engine(["mvt_py021"], series="18.0").modules[0].findings, [])
        # Overriding is defining, not using; _read_group is not read_group.
        summary = summarize_python_source("x.py", b"class A:\n    def read_group(self):\n"
                                          b"        return self._read_group([], [], [])\n")
        self.assertEqual(summary.deprecated_19, [])

    def test_delegation_links_19_refuses(self):
        # Installed for real: on 19.0 the member's link without ondelete and the
        # contact's delegate=True without _inherits each raise TypeError (install
        # refused); 18.0 installs both, logging a WARNING for the member's link.
        on_19 = self.run_engine(["mvt_py022"], series="19.0").modules[0].findings
        self.assertEqual([(f.rule, f.severity, f.impact, f.line) for f in on_19],
                         [("PY022", "error", "install", 9), ("PY022", "error", "install", 16)])
        self.assertIn("add _inherits = {'res.partner': 'partner_id'}", on_19[1].message)
        on_18 = self.run_engine(["mvt_py022"], series="18.0").modules[0].findings
        self.assertEqual([(f.rule, f.severity, f.impact, f.line) for f in on_18],
                         [("PY022", "warning", "warning-log", 9)])
        for series in ("18.0", "19.0"):
            self.assertEqual(self.run_engine(["mvt_py022_ok"], series=series).modules[0].findings, [])
