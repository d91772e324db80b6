# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rehearsal databases on a PostgreSQL of their own (``validator_scratch_db_*``
options of the configuration file): a second, real PostgreSQL cluster is
started for the test."""

import glob
import os
import shutil
import subprocess
import tempfile
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import config

from ..engine import discovery
from ..engine.rehearsal.rehearse import Rehearsal, free_port, odoo_launcher
from ..engine.rehearsal.scratch import TEMPLATE_PREFIX, DatabaseServer, scratch_name
from .common import HERE, ValidatorCase

FIXTURES_INSTALL = os.path.join(HERE, "fixtures_install")

SUPERUSER = "mv_scratch_admin"


def postgres_bin(name):
    """A PostgreSQL server program (initdb, pg_ctl), from pg_config or Debian's layout."""
    try:
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                check=True).stdout.strip()
        if os.path.exists(os.path.join(bindir, name)):
            return os.path.join(bindir, name)
    except (OSError, subprocess.CalledProcessError):
        pass
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def runuser():
    """util-linux's runuser: in /usr/sbin, which a PATH without the system folders lacks."""
    return shutil.which("runuser") or next(
        (path for path in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(path)), "runuser")


class SecondCluster:
    """A throw-away PostgreSQL cluster on a Unix socket in its own folder."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="mv_scratch_pg_")
        self.port = str(free_port())
        # PostgreSQL refuses to run as root: the cluster belongs to 'postgres' then.
        self.as_user = [runuser(), "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        data = os.path.join(self.folder, "data")
        self._run(postgres_bin("initdb"), "-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8")
        self._run(postgres_bin("pg_ctl"), "-D", data, "-l", os.path.join(self.folder, "log"), "-w",
                  "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=''", "start")
        self.data = data

    def _run(self, *line):
        subprocess.run([*self.as_user, *line], capture_output=True, check=True, timeout=120)

    def options(self):
        return {"validator_scratch_db_host": self.folder, "validator_scratch_db_port": self.port,
                "validator_scratch_db_user": SUPERUSER, "validator_scratch_db_password": False}

    def stop(self):
        try:
            self._run(postgres_bin("pg_ctl"), "-D", self.data, "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@tagged("post_install", "-at_install")
class TestScratchServer(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cluster = SecondCluster()
        cls.addClassCleanup(cls.cluster.stop)

    def setUp(self):
        super().setUp()
        patcher = patch.dict(config.options, self.cluster.options())
        patcher.start()
        self.addCleanup(patcher.stop)
        self.scratch = DatabaseServer.scratch_from_odoo_config(config)
        self.live = DatabaseServer.from_odoo_config(config)

    def test_without_options_rehearsals_use_odoo_s_own_server(self):
        with patch.dict(config.options, {key: False for key in self.cluster.options()}):
            self.assertEqual(DatabaseServer.scratch_from_odoo_config(config), self.live)
        self.assertEqual((self.scratch.host, self.scratch.port, self.scratch.user),
                         (self.cluster.folder, self.cluster.port, SUPERUSER))

    def test_fresh_installs_are_rehearsed_on_the_scratch_server(self):
        addons_paths, core_paths = discovery.odoo_paths()
        catalog = discovery.discover([FIXTURES_INSTALL, *addons_paths], core_paths=core_paths)
        launcher = odoo_launcher([FIXTURES_INSTALL])
        self.assertEqual(launcher.server.host, self.cluster.folder)
        issues = Rehearsal(launcher, catalog).fresh_install(catalog.get("mvb_clean"), demo=False)
        self.assertEqual(issues, [])
        self.assertTrue(self.scratch.databases(TEMPLATE_PREFIX),
                        "the rehearsal's template database is not on the scratch server")
        self.assertFalse(self.scratch.databases("mv_scratch_"), "a scratch database was left behind")

    def test_an_upgrade_copy_is_taken_from_the_live_server(self):
        copy = scratch_name()
        self.scratch.copy_live(copy, self.env.cr.dbname, source_server=self.live)
        try:
            self.assertEqual(self.scratch.module_state(copy, "module_validator"), "installed")
            self.assertFalse(self.live.exists(copy))
        finally:
            self.scratch.drop(copy)
