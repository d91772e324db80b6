# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import time

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from ..engine.rules.custom_rules import glob_matcher
from .common import FIXTURES, ValidatorCase

HIT, OK = "mvt_custom_hit", "mvt_custom_ok"
REGEX = {"code": "X-PRINT", "name": "No print() in add-on code", "custom_kind": "regex",
         "file_glob": "**/*.py", "pattern": r"\bprint\(", "severity": "warning"}
XPATH_ARCH = {"code": "X-EDITABLE-BOTTOM", "name": "Lists are editable at the top", "custom_kind": "xpath",
              "xpath_scope": "arch", "pattern": "/list[@editable='bottom']", "severity": "error"}
XPATH_FILE = {"code": "X-VIEW-RECORD", "name": "Bottom-editable list in a data file", "custom_kind": "xpath",
              "file_glob": "views/*.xml", "pattern": "//list[@editable='bottom']", "severity": "info"}
PYTHON = {
    "code": "X-MODEL-DESCRIPTION", "name": "Models have a _description", "custom_kind": "python",
    "severity": "error",
    "pattern": "[(m['path'], m['line'], 'Model %s has no _description' % m['name']) "
               "for m in models if m['name'] and '_description' not in m['attributes']]",
}


@tagged("post_install", "-at_install")
class TestCustomRules(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["module.validator.rule"]
        cls.user = new_test_user(cls.env, "mv_cr_user",
                                 groups="base.group_user,module_validator.group_module_validator_user")
        cls.manager = new_test_user(cls.env, "mv_cr_manager",
                                    groups="base.group_user,module_validator.group_module_validator_manager")
        cls.engine_rule = cls.env.ref("module_validator.rule_py001")

    def launch(self, *names):
        run, _report = self.env["module.validator.run"]._launch(
            list(names), origin="test", extra_paths=[FIXTURES]
        )
        self.assertEqual(run.state, "done", run.error_message)
        return run

    def findings(self, run, module, code):
        return run.finding_ids.filtered(lambda f: f.module_name == module and f.rule_code == code)

    # -- each kind triggers on a module and not on its close variant ---------------
    def test_each_kind_triggers_on_the_module_and_not_on_its_variant(self):
        rules = self.Rule.create([REGEX, XPATH_ARCH, XPATH_FILE, PYTHON])
        run = self.launch(HIT, OK)
        regex = self.findings(run, HIT, "X-PRINT")
        self.assertEqual(len(regex), 1)
        self.assertEqual((regex.path, regex.line, regex.severity), ("models/thing.py", 10, "warning"))
        self.assertIn("found 'print('", regex.message)
        self.assertEqual(regex.rule_id, rules[0])
        arch = self.findings(run, HIT, "X-EDITABLE-BOTTOM")
        self.assertEqual((arch.path, arch.line, arch.severity), ("views/thing_views.xml", 7, "error"))
        self.assertIn("view_mvt_custom_thing_list", arch.message)
        self.assertEqual(arch.rule_id, rules[1])
        in_file = self.findings(run, HIT, "X-VIEW-RECORD")
        self.assertEqual((in_file.path, in_file.line), ("views/thing_views.xml", 7))
        python = self.findings(run, HIT, "X-MODEL-DESCRIPTION")
        self.assertEqual((python.path, python.line), ("models/thing.py", 4))
        self.assertEqual(python.message, "Model mvt.custom.thing has no _description")
        self.assertEqual(python.rule_id, rules[3])
        # The close variant triggers none of them.
        self.assertFalse(run.finding_ids.filtered(
            lambda f: f.module_name == OK and f.rule_code.startswith("X-")
        ))
        # Nothing ran as an internal error.
        self.assertFalse(run.finding_ids.filtered(lambda f: f.rule_code == "MV001"))

    def test_xpath_scope_arch_sees_the_arch_alone(self):
        # '/list' is the root of an arch, never of a whole file (<odoo>).
        self.Rule.create(dict(XPATH_ARCH, code="X-FILE-ROOT", xpath_scope="file"))
        self.Rule.create(dict(XPATH_ARCH, code="X-ARCH-ROOT"))
        run = self.launch(HIT)
        self.assertFalse(self.findings(run, HIT, "X-FILE-ROOT"))
        self.assertTrue(self.findings(run, HIT, "X-ARCH-ROOT"))

    def test_python_context_reads_files_inside_the_module_only(self):
        self.Rule.create({
            "code": "X-CONTEXT", "name": "Context", "custom_kind": "python", "file_glob": "views/*.xml",
            "pattern": "[module, manifest['license'], str(list(matching_files)), "
                       "str(read('__manifest__.py') is not None), str(read('../mvt_custom_ok/__init__.py')), "
                       "str(len(xpath('views/thing_views.xml', '//list'))), "
                       "str([v['xmlid'] for v in views]), str(re.search('print', read('models/thing.py')) is not None)]",
        })
        run = self.launch(HIT)
        self.assertEqual(sorted(self.findings(run, HIT, "X-CONTEXT").mapped("message")), sorted([
            HIT, "LGPL-3", "['views/thing_views.xml']", "True", "None", "1",
            "['view_mvt_custom_thing_list']", "True",
        ]))

    def test_python_context_is_read_only(self):
        self.Rule.create({"code": "X-MUTATE", "name": "Mutates", "custom_kind": "python",
                          "pattern": "manifest['depends'].append('sale')"})
        run = self.launch(HIT)
        internal = self.findings(run, HIT, "MV001")
        self.assertEqual(len(internal), 1)
        self.assertIn("Rule X-MUTATE failed", internal.message)
        self.assertIn("append", internal.message)

    # -- failures and time limits --------------------------------------------------
    def test_raising_and_slow_rules_are_internal_errors_and_the_run_goes_on(self):
        self.Rule.create([
            REGEX,
            {"code": "X-RAISES", "name": "Raises", "custom_kind": "python", "pattern": "1 / 0"},
            # Catastrophic backtracking on 60 'a' followed by '!': 2**60 steps.
            {"code": "X-SLOW", "name": "Backtracks", "custom_kind": "regex", "file_glob": "data/*.txt",
             "pattern": r"(a+)+$", "time_limit": 0.5},
        ])
        started = time.monotonic()
        run = self.launch(HIT, OK)
        self.assertLess(time.monotonic() - started, 30)
        internal = self.findings(run, HIT, "MV001")
        self.assertEqual(len(internal), 2, internal.mapped("message"))
        raised = internal.filtered(lambda f: "X-RAISES" in f.message)
        self.assertIn("ZeroDivisionError", raised.message)
        slow = internal.filtered(lambda f: "X-SLOW" in f.message)
        self.assertIn("time limit of 0.5 s", slow.message)
        self.assertEqual(slow.severity, "error")
        self.assertEqual(slow.rule_id, self.env.ref("module_validator.rule_mv001"))
        # The other rules still ran, on this module and the next one.
        self.assertTrue(self.findings(run, HIT, "X-PRINT"))
        self.assertTrue(self.findings(run, OK, "MV001").filtered(lambda f: "X-RAISES" in f.message))
        self.assertEqual(sorted(run.result_ids.mapped("name")), sorted([HIT, OK]))

    def test_an_invalid_stored_definition_is_an_internal_error_not_a_crash(self):
        rule = self.Rule.create(REGEX)
        self.env.cr.execute("UPDATE module_validator_rule SET pattern = '((' WHERE id = %s", [rule.id])
        rule.invalidate_recordset()
        run = self.launch(HIT)
        internal = self.findings(run, HIT, "MV001")
        self.assertIn("definition cannot run", internal.message)
        self.assertIn("regular expression is not valid", internal.message)

    # -- definitions are checked on save -----------------------------------------------
    def test_definition_is_checked_on_save(self):
        bad = [
            (dict(REGEX, pattern="(unclosed"), "regular expression is not valid"),
            (dict(REGEX, file_glob=False), "needs a file glob"),
            (dict(REGEX, file_glob="../other/*.py"), "inside the module folder"),
            (dict(XPATH_ARCH, pattern="//list["), "XPath is not valid"),
            (dict(XPATH_ARCH, pattern="unknown-function(//list)"), "cannot be evaluated"),
            (dict(PYTHON, pattern="[m for m in"), "does not compile"),
            (dict(PYTHON, pattern="().__class__"), "not allowed"),
            (dict(REGEX, code="PRINT"), "start with 'X-'"),
            (dict(REGEX, time_limit=0), "time limit"),
            (dict(REGEX, time_limit=3600), "time limit"),
            (dict(REGEX, pattern=""), "required"),
            (dict(REGEX, pattern="a{99999999999}"), "regular expression is not valid"),
        ]
        for values, message in bad:
            with self.assertRaisesRegex(ValidationError, message, msg=values):
                with self.env.cr.savepoint():
                    self.Rule.create(values)
        rule = self.Rule.create(REGEX)
        with self.assertRaisesRegex(ValidationError, "X-PRINT cannot be saved"):
            rule.pattern = "[a-"
        self.assertEqual((rule.is_custom, rule.level, rule.category), (True, "static", "custom"))

    def test_glob_semantics(self):
        match = glob_matcher("**/*.py, views/*.xml")
        self.assertTrue(match("__init__.py"))
        self.assertTrue(match("models/sub/x.py"))
        self.assertTrue(match("views/a.xml"))
        self.assertFalse(match("views/sub/a.xml"))
        self.assertFalse(match("data/a.xml"))
        self.assertTrue(glob_matcher("*.xml")("data/deep/a.xml"))  # no '/': any folder

    # -- sharing rules ---------------------------------------------------------------------
    def test_export_import_round_trip(self):
        rules = self.Rule.create([
            dict(REGEX, rationale="Prints go to stdout, not the log.", remedy="Use _logger."),
            XPATH_ARCH,
            dict(PYTHON, active=False, time_limit=5.0, bad_example="class X(models.Model):\n    _name = 'x'"),
        ])
        fields_ = ["code", "name", "custom_kind", "file_glob", "xpath_scope", "pattern", "severity",
                   "active", "time_limit", "rationale", "remedy", "bad_example", "category"]
        before = rules.with_context(active_test=False).read(fields_)
        action = rules.with_user(self.manager).action_export_xml()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        data = attachment.raw
        root = etree.fromstring(data)
        self.assertEqual(root.tag, "odoo")
        self.assertEqual({r.get("model") for r in root}, {"module.validator.rule"})
        rules.unlink()
        wizard = Form(self.env["module.validator.rule.import"].with_user(self.manager))
        wizard.file = base64.b64encode(data).decode()
        result = wizard.save().action_import()
        imported = self.Rule.with_context(active_test=False).search(result["domain"])
        self.assertEqual(len(imported), 3)
        after = imported.read(fields_)
        strip_ids = lambda rows: sorted(({k: v for k, v in r.items() if k != "id"} for r in rows),  # noqa: E731
                                        key=lambda r: r["code"])
        self.assertEqual(strip_ids(after), strip_ids(before))
        # A second import updates the rules in place, or leaves them alone.
        imported.filtered(lambda r: r.code == "X-PRINT").severity = "info"
        self.env["module.validator.rule.import"]._import_rules(data, overwrite=False)
        self.assertEqual(self.Rule.search([("code", "=", "X-PRINT")]).severity, "info")
        again = self.env["module.validator.rule.import"]._import_rules(data)
        self.assertEqual(again.sorted("id"), imported.sorted("id"))
        self.assertEqual(self.Rule.search([("code", "=", "X-PRINT")]).severity, "warning")

    def test_export_needs_custom_rules(self):
        with self.assertRaisesRegex(UserError, "Select custom rules"):
            self.engine_rule.action_export_xml()

    def test_import_treats_the_file_as_hostile(self):
        Import = self.env["module.validator.rule.import"]
        record = ('<record id="r" model="module.validator.rule"><field name="code">X-A</field>'
                  '<field name="name">A</field><field name="custom_kind">regex</field>'
                  '<field name="file_glob">*.py</field><field name="pattern">a</field>{extra}</record>')
        hostile = {
            "DOCTYPE": '<?xml version="1.0"?><!DOCTYPE odoo [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                       '<odoo>' + record.format(extra='<field name="remedy">&b;</field>') + '</odoo>',
            "DOCTYPE declarations": '<?xml version="1.0"?><!DOCTYPE odoo [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<odoo>' + record.format(extra='<field name="remedy">&x;</field>') + '</odoo>',
            "only records of model": '<odoo><record id="u" model="res.users">'
                                     '<field name="login">x</field></record></odoo>',
            "unknown field": '<odoo>' + record.format(extra='<field name="is_admin">1</field>') + '</odoo>',
            "literal True, False": '<odoo>' + record.format(
                extra='<field name="active" eval="__import__(\'os\').system(\'true\')"/>') + '</odoo>',
            "no ref, search": '<odoo>' + record.format(
                extra='<field name="category" ref="base.main_company"/>') + '</odoo>',
            "must be one of": '<odoo>' + record.format(extra="").replace(">regex<", ">shell<") + '</odoo>',
            "only <record>": '<odoo><function model="module.validator.rule" name="unlink"/></odoo>',
            "only custom rules": '<odoo>' + record.format(extra='<field name="is_custom" eval="False"/>')
                                 + '</odoo>',
            "validator's own rules": '<odoo>' + record.format(extra="").replace("X-A", "PY001") + '</odoo>',
            "not well-formed": '<odoo><record',
            "root element": '<data/>',
            "larger than 1 MiB": '<odoo>' + " " * (1024 * 1024) + '</odoo>',
        }
        for reason, text in hostile.items():
            with self.assertRaisesRegex(UserError, reason, msg=reason):
                with self.env.cr.savepoint():
                    Import._import_rules(text.encode())
        self.assertFalse(self.Rule.search([("code", "=", "X-A")]))
        # The harmless part of the same file imports.
        Import._import_rules(("<odoo>" + record.format(extra="") + "</odoo>").encode())
        self.assertTrue(self.Rule.search([("code", "=", "X-A")]).is_custom)
        # A definition that does not check out is refused as if typed in.
        with self.assertRaisesRegex(ValidationError, "regular expression is not valid"):
            Import._import_rules(("<odoo>" + record.format(extra="").replace("X-A", "X-B").replace(
                '"pattern">a<', '"pattern">(<') + "</odoo>").encode())

    # -- access rights ---------------------------------------------------------------------
    def test_users_read_custom_rules_but_cannot_create_or_edit_them(self):
        rule = self.Rule.create(REGEX).with_user(self.user)
        self.assertEqual(rule.pattern, r"\bprint\(")
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.user).create(dict(REGEX, code="X-USER"))
        with self.assertRaises(AccessError):
            rule.write({"pattern": "print"})
        with self.assertRaises(AccessError):
            rule.unlink()
        with self.assertRaises(AccessError):
            self.env["module.validator.rule.import"].with_user(self.user).create({"file": b"PG9kb28vPg=="})

    def test_managers_create_edit_and_delete_custom_rules(self):
        Rule = self.Rule.with_user(self.manager)
        form = Form(Rule.with_context(default_is_custom=True),
                    view="module_validator.view_module_validator_rule_custom_form")
        form.code = "X-MANAGER"
        form.name = "Written by a manager"
        form.custom_kind = "regex"
        form.file_glob = "**/*.py"
        form.pattern = "TODO"
        form.severity = "error"
        form.rationale = "Unfinished work ships."
        rule = form.save()
        self.assertEqual((rule.is_custom, rule.severity, rule.default_severity), (True, "error", "error"))
        rule.write({"name": "Renamed", "remedy": "Finish it.", "severity": "warning"})
        self.assertEqual((rule.name, rule.default_severity), ("Renamed", "warning"))
        rule.unlink()
        self.assertFalse(rule.exists())

    def test_nobody_creates_edits_or_deletes_engine_rules(self):
        manager_rule = self.engine_rule.with_user(self.manager)
        manager_rule.write({"severity": "warning", "active": False})  # tuning stays allowed
        admin_rule = self.engine_rule.with_user(self.env.ref("base.user_admin"))
        for rule in (manager_rule, admin_rule, self.engine_rule.sudo()):
            with self.assertRaisesRegex(UserError, "cannot be deleted"):
                rule.unlink()
            with self.assertRaises(UserError):
                rule.write({"is_custom": True})
        for rule in (manager_rule, admin_rule):
            with self.assertRaisesRegex(UserError, "only whether it is active"):
                rule.write({"rationale": "Rewritten"})
        with self.assertRaisesRegex(UserError, "Only custom rules can be created"):
            self.Rule.with_user(self.manager).create(dict(REGEX, is_custom=False))
        # Rewriting an engine rule's own value is not a change.
        manager_rule.write({"code": "PY001"})
        self.assertTrue(self.engine_rule.exists())

    def test_sync_from_engine_never_touches_custom_rules(self):
        rule = self.Rule.create(dict(REGEX, category="python", rationale="Ours."))
        self.Rule._sync_from_engine()
        self.assertTrue(rule.exists())
        self.assertEqual((rule.category, rule.rationale, rule.is_custom), ("python", "Ours.", True))
        self.assertEqual(self.Rule.search_count([("code", "=", "X-PRINT")]), 1)
