# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bulletproof level's sandbox, against a module written to escape it.

The hostile module's install hook tries to connect to the live database,
read the server's configuration file, and find a secret of the server's
environment, in its own environment or in other processes'. It logs what it
got as one WARNING line, which the rehearsal reports (TST006). Rehearsed
without the sandbox, the same module gets all of it: the probe works.
"""

import json
import os
import re
import secrets
import shutil
import tempfile
import textwrap

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import config

from ..engine import compat, discovery
from ..engine.rehearsal import sandbox as sandbox_module
from ..engine.rehearsal.rehearse import Rehearsal, odoo_launcher
from ..engine.rehearsal.scratch import DatabaseServer, setup_sandbox_role
from .common import ValidatorCase

PROBE_MANIFEST = {
    "name": "Sandbox probe", "author": "module_validator tests", "version": "1.0.0", "license": "LGPL-3",
    "depends": ["base"], "post_init_hook": "probe",
}
PROBE_CODE = '''
import glob
import json
import logging
import os

import psycopg2

from odoo.tools import config

_logger = logging.getLogger(__name__)
LIVE_DATABASE = {live_db!r}
LIVE_CONFIG = {live_conf!r}
SECRET_NAME = {secret_name!r}


def _connects(dbname):
    try:
        psycopg2.connect(dbname=dbname, host=config["db_host"] or None, port=config["db_port"] or None,
                         user=config["db_user"] or None, password=config["db_password"] or None).close()
    except psycopg2.Error:
        return False
    return True


def _readable(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return bool(handle.read().strip())
    except OSError:
        return False


def probe(env):
    environments = 0
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(path, "rb") as handle:
                environments += SECRET_NAME.encode() in handle.read()
        except OSError:
            pass
    found = {{
        "live_database": _connects(LIVE_DATABASE),
        "postgres_database": _connects("postgres"),
        "live_config": _readable(LIVE_CONFIG),
        "own_environment": SECRET_NAME in os.environ,
        "other_environments": environments,
        "pg_variables": sorted(k for k in os.environ if k.startswith("PG") and k not in ("PGHOST", "PGPORT")),
        "processes": len(glob.glob("/proc/[0-9]*")),
    }}
    _logger.warning("sandbox probe: %s", json.dumps(found, sort_keys=True))
'''


@tagged("post_install", "-at_install")
class TestSandbox(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.addons = tempfile.mkdtemp(prefix="mv_sandbox_fixture_")
        cls.addClassCleanup(shutil.rmtree, cls.addons, True)
        cls.secret_name = "MV_SANDBOX_SECRET"
        cls.secret = secrets.token_hex(16)
        module = os.path.join(cls.addons, "mvs_probe")
        os.makedirs(module)
        with open(os.path.join(module, "__manifest__.py"), "w") as handle:
            handle.write(repr(PROBE_MANIFEST))
        with open(os.path.join(module, "__init__.py"), "w") as handle:
            handle.write(textwrap.dedent(PROBE_CODE.format(
                live_db=cls.env.cr.dbname, live_conf=compat.config_file() or "", secret_name=cls.secret_name)))
        cls.catalog = discovery.discover([cls.addons, *discovery.odoo_paths()[0]],
                                         core_paths=discovery.odoo_paths()[1])
        server = DatabaseServer.from_odoo_config(config)
        password = setup_sandbox_role(server, sandbox_module.DEFAULT_ROLE)
        sandbox_module.save_role_password(server.data_dir, sandbox_module.DEFAULT_ROLE, password)

    def probe(self, confined):
        os.environ[self.secret_name] = self.secret
        try:
            launcher = odoo_launcher([self.addons], timeout_s=300,
                                     sandbox_role=sandbox_module.DEFAULT_ROLE if confined else None)
        finally:
            del os.environ[self.secret_name]
        if not confined:
            launcher.sandbox = None
        issues = Rehearsal(launcher, self.catalog).fresh_install(self.catalog.get("mvs_probe"), demo=False)
        text = "\n".join(f"{issue.message}\n{issue.excerpt or ''}" for _code, issue in issues)
        self.assertNotIn(self.secret, text, "a secret value reached a finding")
        match = re.search(r"sandbox probe: (\{.*?\})", text)
        self.assertTrue(match, f"the probe's warning is reported: {text[:2000]}")
        return json.loads(match.group(1)), launcher

    def test_unconfined_the_probe_reaches_everything(self):
        found, _launcher = self.probe(confined=False)
        self.assertTrue(found["live_database"])
        self.assertTrue(found["own_environment"])

    def test_the_sandbox_denies_the_live_database_the_configuration_and_the_environment(self):
        found, launcher = self.probe(confined=True)
        self.assertEqual(launcher.role[0], sandbox_module.DEFAULT_ROLE)
        self.assertFalse(found["live_database"], "the sandbox role connects to the live database")
        self.assertFalse(found["own_environment"])
        self.assertEqual(found["pg_variables"], [])
        if sandbox_module.probe():
            # Own PID and mount namespaces: no other process, the configuration reads empty.
            self.assertEqual(found["other_environments"], 0)
            self.assertFalse(found["live_config"], "the server's configuration file is readable")
            self.assertLess(found["processes"], 10)

    def test_the_sandbox_role_owns_only_rehearsal_databases(self):
        server = DatabaseServer.from_odoo_config(config)
        with server.cursor() as cr:
            cr.execute("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = %s",
                       (sandbox_module.DEFAULT_ROLE,))
            self.assertEqual(cr.fetchone(), (False, False, False))
            cr.execute("SELECT has_database_privilege(%s, %s, 'CONNECT')",
                       (sandbox_module.DEFAULT_ROLE, self.env.cr.dbname))
            self.assertFalse(cr.fetchone()[0])

    def test_settings_button_sets_up_the_role_for_administrators_only(self):
        Settings = self.env["res.config.settings"]
        action = Settings.create({}).action_validator_setup_sandbox()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("module_validator.sandbox_role"),
                         sandbox_module.DEFAULT_ROLE)
        server = DatabaseServer.from_odoo_config(config)
        self.assertTrue(sandbox_module.load_role_password(server.data_dir, sandbox_module.DEFAULT_ROLE))
        manager = self.env["res.users"].create({
            "name": "Validator manager", "login": "mv_sandbox_manager",
            compat.groups_field(): [(6, 0, [self.env.ref("module_validator.group_module_validator_manager").id])],
        })
        with self.assertRaises(AccessError):
            Settings.with_user(manager).sudo(False).create({}).action_validator_setup_sandbox()
