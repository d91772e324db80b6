# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Nothing leaks (issue 13, item 6): no SQL built by string formatting in the
addon's Python, and no secret of a validated module or of the server stored
verbatim in findings, excerpts or the log.
"""

import ast
import logging
import os
import shutil
import tempfile
from unittest.mock import patch

from odoo.tests import BaseCase, tagged
from odoo.tools import config

from ..engine import discovery, secret_mask
from ..engine.facts import DynamicFacts, StaticFacts
from ..engine.rules import RULES
from ..engine.rules.registry import INTERNAL_ERROR, Issue, Rule
from ..engine.runner import validate
from ..engine.secret_mask import MASK, mask, secrets_in_text
from .common import ADDON_ROOT, ValidatorCase

# -- no SQL built by string formatting -------------------------------------------------------------

# Calls whose first argument is SQL text: cursor methods and the SQL wrappers.
SQL_CALLS = {"execute", "executemany", "mogrify", "copy_expert", "SQL"}
SKIPPED = {".git", ".state", "node_modules", "__pycache__"}
# (path, line text) of formatted SQL whose non-constant parts are known safe.
# Empty: keep it so, and prefer odoo.tools.SQL / psycopg2.sql / parameters.
ALLOWED = set()


def _constant(node, assignments, depth=0):
    """True when ``node`` only ever evaluates to text written in the code."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constant(node.left, assignments, depth) and _constant(node.right, assignments, depth)
    if isinstance(node, ast.IfExp):
        return _constant(node.body, assignments, depth) and _constant(node.orelse, assignments, depth)
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(value, ast.Constant) for value in node.values)
    if isinstance(node, ast.Name) and depth < 3:
        values = assignments.get(node.id)
        return bool(values) and all(_constant(value, assignments, depth + 1) for value in values)
    return False


def _formatted(node, assignments, depth=0):
    """True when ``node`` builds text from non-constant parts (f-string, %, +, format, join)."""
    if isinstance(node, ast.JoinedStr | ast.BinOp | ast.IfExp):
        return not _constant(node, assignments)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "format", "join", "replace", "format_map"):
        # psycopg2.sql.SQL("... {}").format(sql.Identifier(x)) composes safely.
        receiver = node.func.value
        composed = isinstance(receiver, ast.Call) and (
            getattr(receiver.func, "attr", None) == "SQL" or getattr(receiver.func, "id", None) == "SQL")
        return not composed
    if isinstance(node, ast.Name) and depth < 3:
        return any(_formatted(value, assignments, depth + 1) for value in assignments.get(node.id, ()))
    return False


def formatted_sql(root):
    """``[(path, line, source)]`` of SQL calls whose text is formatted from non-constant parts."""
    found = []
    for folder, dirs, files in os.walk(root):
        relative_folder = os.path.relpath(folder, root)
        # Fixture and example addons are validated, not run (mv_example_broken does not even parse).
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED
                         and not (relative_folder == "tests" and d.startswith("fixtures"))
                         and not (relative_folder == "." and d == "examples"))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                tree = ast.parse(handle.read(), filename=path)
            scopes = [tree, *(node for node in ast.walk(tree)
                              if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))]
            seen = set()
            for scope in scopes:
                assignments = {}
                for node in ast.walk(scope):
                    if isinstance(node, ast.Assign):
                        for target in node.targets:
                            if isinstance(target, ast.Name):
                                assignments.setdefault(target.id, []).append(node.value)
                    elif isinstance(node, ast.AugAssign | ast.AnnAssign) and isinstance(node.target, ast.Name):
                        value = node.value if isinstance(node, ast.AnnAssign) else node
                        if value is not None:
                            assignments.setdefault(node.target.id, []).append(
                                ast.BinOp(ast.Name(node.target.id), ast.Add(), node.value)
                                if isinstance(node, ast.AugAssign) else value)
                for node in ast.walk(scope):
                    if not (isinstance(node, ast.Call) and node.args) or id(node) in seen:
                        continue
                    func = node.func
                    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                    if called in SQL_CALLS and _formatted(node.args[0], assignments):
                        seen.add(id(node))
                        found.append((os.path.relpath(path, root), node.lineno, ast.unparse(node.args[0])[:120]))
    return found


@tagged("post_install", "-at_install")
class TestNoFormattedSql(BaseCase):
    def test_no_sql_is_built_by_string_formatting(self):
        found = [(path, line, source) for path, line, source in formatted_sql(ADDON_ROOT)
                 if (path, source) not in ALLOWED]
        self.assertEqual(found, [], "SQL built by string formatting: use parameters or odoo.tools.SQL")

    def test_the_scan_finds_what_it_looks_for(self):
        folder = tempfile.mkdtemp(prefix="mv_sql_scan_")
        self.addCleanup(shutil.rmtree, folder)
        with open(os.path.join(folder, "bad.py"), "w") as handle:
            handle.write(
                "def f(cr, table, ids, verb):\n"
                "    cr.execute(f'SELECT * FROM {table}')\n"                      # 2: f-string
                "    cr.execute('DELETE FROM %s' % table)\n"                      # 3: %
                "    cr.execute('SELECT {}'.format(table))\n"                     # 4: format
                "    cr.execute('SELECT * FROM ' + table)\n"                      # 5: +
                "    query = 'UPDATE x SET a = 1 WHERE id IN ' + str(ids)\n"
                "    cr.execute(query)\n"                                         # 7: through a name
                "    env.cr.execute(SQL(f'SELECT {table}'))\n"                    # 8: SQL(f-string)
                "    cr.execute('SELECT * FROM x WHERE id = %s', (1,))\n"         # fine: parameter
                "    cr.execute(SQL('SELECT %s', SQL.identifier(table)))\n"       # fine: SQL
                "    cr.execute(sql.SQL('DROP DATABASE {}').format(sql.Identifier(table)))\n"  # fine
                "    kind = 'ALTER' if verb else 'CREATE'\n"
                "    cr.execute(sql.SQL(kind + ' ROLE {}').format(sql.Identifier(table)))\n"  # fine: constants
                "    cr.execute('SELECT 1' + ' FROM x')\n"                        # fine: constants
            )
        self.assertEqual([line for _path, line, _source in formatted_sql(folder)], [2, 3, 4, 5, 7, 8])


# -- no secret stored verbatim -------------------------------------------------------------------------

# Built here rather than written out: no token-shaped string in the repository.
XML_PASSWORD = "mv-xml-" + "Pa55word" * 2
EVAL_TOKEN = "mv-eval-" + "T0ken" * 3
CSV_PASSWORD = "mv-csv-" + "Hunter2" * 2
MANIFEST_KEY = "mv-manifest-" + "K3y" * 4
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5" * 4
SERVER_DB_PASSWORD = "mv-db-" + "Serv3r" * 3
SERVER_ADMIN_PASSWD = "mv-master-" + "Adm1n" * 3
CRASH_SECRET = "mv-crash-" + "S3cret" * 3
CONF_DB_PASSWORD = "mv-conf-" + "C0nf" * 4
SECRETS = (XML_PASSWORD, EVAL_TOKEN, CSV_PASSWORD, MANIFEST_KEY, GITHUB_TOKEN, SERVER_DB_PASSWORD,
           SERVER_ADMIN_PASSWD, CRASH_SECRET, CONF_DB_PASSWORD)


def write_secret_module(root):
    folder = os.path.join(root, "mvs_secret")
    files = {
        "__manifest__.py": repr({
            "name": "Secrets", "version": "1.0.0", "license": "LGPL-3", "depends": ["base"],
            "data": ["data/secret.xml", "data/res.partner.csv"], "api_key": MANIFEST_KEY,
        }),
        "__init__.py": "from . import models\n",
        "models/__init__.py": "from . import secret\n",
        "models/secret.py": f"API_TOKEN = {GITHUB_TOKEN!r}\nPASSWORD = {XML_PASSWORD!r}\n",
        # Evals that do not parse: DAT007 quotes each expression in its message.
        "data/secret.xml": (
            '<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n'
            '  <record id="user_secret" model="res.partner">\n'
            f'    <field name="password" eval="\'{XML_PASSWORD}\' +"/>\n'
            f'    <field name="comment" eval="\'token={EVAL_TOKEN}\' +"/>\n'
            f'    <field name="ref" eval="\'{GITHUB_TOKEN}\' +"/>\n'
            f'    <field name="website" eval="\'{SERVER_DB_PASSWORD}\' +"/>\n'
            f'    <field name="email" eval="\'{SERVER_ADMIN_PASSWD}\' +"/>\n'
            f'    <field name="api_token">{CRASH_SECRET}</field>\n'
            '  </record>\n</odoo>\n'
        ),
        "data/res.partner.csv": f"id,name,password\npartner_secret,Secret,{CSV_PASSWORD}\n",
        # A development configuration copied into the module, as happens.
        "odoo.conf": f"[options]\ndb_password = {CONF_DB_PASSWORD}\n",
    }
    for relative, content in files.items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
    return folder


def crash_on_secret(ctx):
    """A rule that fails on a value of the module, as int('...') would."""
    for record in ctx.index.records:
        for data_field in record.fields:
            if data_field.name == "api_token":
                int(data_field.text)  # ValueError: invalid literal for int() with base 10: '<the value>'
    return
    yield  # pragma: no cover - a generator like real checks


class LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(logging.Formatter().format(record))


@tagged("post_install", "-at_install")
class TestNoSecretStored(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = tempfile.mkdtemp(prefix="mv_secrets_")
        cls.addClassCleanup(shutil.rmtree, cls.root, ignore_errors=True)
        write_secret_module(cls.root)
        addons_paths, core_paths = discovery.odoo_paths()
        cls.catalog = discovery.discover([cls.root, *addons_paths], core_paths=core_paths)

    def setUp(self):
        super().setUp()
        # The server's own secrets, as a production configuration holds them.
        patcher = patch.dict(config.options, {"db_password": SERVER_DB_PASSWORD,
                                              "admin_passwd": SERVER_ADMIN_PASSWD})
        patcher.start()
        self.addCleanup(patcher.stop)
        RULES["ZZZ998"] = Rule("ZZZ998", "crash on a value", "engine", "static", "warning",
                               "", "", "", "", "", crash_on_secret)
        self.addCleanup(RULES.pop, "ZZZ998", None)
        self.capture = LogCapture()
        logger = logging.getLogger("odoo.addons.module_validator")
        previous = logger.level
        logger.setLevel(logging.DEBUG)
        logging.getLogger().addHandler(self.capture)
        self.addCleanup(logger.setLevel, previous)
        self.addCleanup(logging.getLogger().removeHandler, self.capture)

    def assertNoSecret(self, texts, where):
        leaks = sorted({secret for secret in SECRETS for text in texts if text and secret in text})
        self.assertEqual(leaks, [], f"secrets stored verbatim in {where}")

    def test_the_fixture_would_leak_without_the_mask(self):
        # The findings quote the values: masking, not luck, keeps them out.
        with patch("odoo.addons.module_validator.engine.secret_mask.mask", side_effect=lambda text, known=(): text):
            report = validate(discovery.select(self.catalog, ["mvs_secret"])[0], StaticFacts(self.catalog),
                              "static", version="test")
        messages = [f.message for f in report.modules[0].findings]
        for secret in (XML_PASSWORD, EVAL_TOKEN, GITHUB_TOKEN, SERVER_DB_PASSWORD, SERVER_ADMIN_PASSWD, CRASH_SECRET):
            self.assertTrue([m for m in messages if secret in m], f"{secret} is in no message: {messages}")

    def test_static_and_dynamic_findings_and_logs_hold_no_secret(self):
        modules, _unknown = discovery.select(self.catalog, ["mvs_secret"])
        for level, facts in (("static", StaticFacts(self.catalog)), ("dynamic", DynamicFacts(self.catalog, self.env))):
            report = validate(modules, facts, level, version="test")
            findings = report.modules[0].findings
            self.assertIn("DAT007", {f.rule for f in findings}, level)
            self.assertIn(INTERNAL_ERROR, {f.rule for f in findings}, level)
            self.assertIn(MASK, " ".join(f.message for f in findings))
            self.assertNoSecret([f"{f.message} {f.excerpt} {f.fingerprint}" for f in findings], f"{level} findings")
        self.assertTrue([line for line in self.capture.lines if "ZZZ998 crashed" in line], "the crash is logged")
        self.assertNoSecret(self.capture.lines, "the log")

    def test_stored_runs_hold_no_secret(self):
        run, _report = self.env["module.validator.run"]._launch(
            ["mvs_secret"], level="dynamic", origin="test", extra_paths=[self.root])
        self.assertEqual(run.state, "done", run.error_message)
        self.assertTrue(run.finding_ids)
        self.assertNoSecret(run.finding_ids.mapped(lambda f: f"{f.message} {f.excerpt or ''} {f.fingerprint}"),
                            "stored findings")
        self.assertNoSecret(self.capture.lines, "the log")

    def test_bulletproof_log_excerpts_hold_no_secret(self):
        # What a rehearsal reports (engine/rehearsal): a traceback quoting the
        # module's code and the server's connection, straight from the build log.
        log = (
            "Traceback (most recent call last):\n"
            '  File "mvs_secret/models/secret.py", line 1, in <module>\n'
            f"    API_TOKEN = {GITHUB_TOKEN!r}\n"
            f"psycopg2.OperationalError: connection to server failed: password={SERVER_DB_PASSWORD} refused\n"
            f"odoo.exceptions.AccessDenied: master password {SERVER_ADMIN_PASSWD} / {XML_PASSWORD}\n"
            f"smtp://mailer:{CSV_PASSWORD}@smtp.example.com\n"
        )

        def rehearse(module):
            return [("TST001", Issue("models/secret.py", 1, f"The module failed to install: {log.splitlines()[-1]}",
                                     key="install", excerpt=log))]

        modules, _unknown = discovery.select(self.catalog, ["mvs_secret"])
        report = validate(modules, DynamicFacts(self.catalog, self.env), "bulletproof", version="test",
                          rehearse=rehearse)
        (finding,) = [f for f in report.modules[0].findings if f.rule == "TST001"]
        self.assertIn("Traceback", finding.excerpt)
        self.assertIn(MASK, finding.excerpt)
        self.assertNoSecret([finding.message, finding.excerpt], "a bulletproof finding")

    def test_the_mask_on_its_own(self):
        self.assertEqual(mask(f"db_password = {SERVER_DB_PASSWORD}"), f"db_password = {MASK}")
        self.assertEqual(mask(f"{{'api_key': '{MANIFEST_KEY}'}}"), f"{{'api_key': '{MASK}'}}")
        self.assertEqual(mask(f"postgresql://odoo:{CSV_PASSWORD}@db/x"), f"postgresql://odoo:{MASK}@db/x")
        self.assertEqual(mask(f"token {GITHUB_TOKEN}."), f"token {MASK}.")
        self.assertEqual(mask(f"value {XML_PASSWORD}", {XML_PASSWORD}), f"value {MASK}")
        # Ordinary messages are left alone.
        for text in ("eval of password: invalid syntax in \"'x' +\".", "password=True", "No model 'res.partner'",
                     "auto_install names modules that are not in 'depends': sale."):
            self.assertEqual(mask(text), text)
        self.assertEqual(secrets_in_text(f'<field name="password">{XML_PASSWORD}</field>', ".xml"), {XML_PASSWORD})
        self.assertEqual(secrets_in_text("password = fields.Char(string='Password')", ".py"), set())

    def test_the_fast_secret_scan_finds_what_the_expression_finds(self):
        text = "\n".join([
            "SMTP_Password = 'hunter2-long'  # mixed case",
            "conf.api-key='abcdef123456' x.token=\"tok-tok-tok\"",  # dotted, dashed, adjacent
            "client_secret: 'cs-0123456789', 'Passphrase' => 'open sesame'",
            "keyboard = 'not a secret name'; monkey_pwd = 'banana-split'",
            "İstanbul_password = 'longer-lowercase'",  # İ lowercases to two characters
            "dsn=postgres://u:p@h/db",
        ])
        for sample in (text, text.replace("İ", "I")):
            self.assertEqual([m.span() for m in secret_mask._assignments(sample)],
                             [m.span() for m in secret_mask.ASSIGNMENT_RE.finditer(sample)])
        self.assertEqual(secrets_in_text(text.replace("İ", "I"), ".py"), {
            "hunter2-long", "abcdef123456", "tok-tok-tok", "cs-0123456789", "open sesame",
            "banana-split", "longer-lowercase"})
