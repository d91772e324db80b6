# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import odoo

from odoo.addons.base.tests.common import BaseCommon

from ..engine import compat, discovery
from ..engine.facts import DynamicFacts, StaticFacts
from ..engine.runner import validate

# Real paths: the addon may be reached through a link named after it.
HERE = os.path.dirname(os.path.realpath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
ADDON_ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ADDON_ROOT, "examples")


class ValidatorCase(BaseCommon):
    """Runs the real engine on fixture addons, inside a real Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        addons_paths, core_paths = discovery.odoo_paths()
        cls.catalog = discovery.discover(
            [FIXTURES, EXAMPLES, *addons_paths], core_paths=core_paths
        )

    def run_engine(self, names, level="static", series=None, **kwargs):
        """The engine's report on ``names``, validated for ``series`` (default: the running one)."""
        modules, unknown = discovery.select(self.catalog, names)
        self.assertFalse(unknown, f"fixtures not found: {unknown}")
        facts = (StaticFacts(self.catalog, series=series) if level == "static"
                 else DynamicFacts(self.catalog, self.env, series=series))
        return validate(modules, facts, level, version="test", **kwargs)

    def codes(self, name, level="static", series=None):
        """Sorted rule codes found on one module."""
        report = self.run_engine([name], level, series)
        return sorted(finding.rule for finding in report.modules[0].findings)


def module_python_sources(modules):
    """``(relative path, bytes)`` of every Python file of the installed Odoo ``modules``."""
    from odoo.modules.module import get_module_path  # noqa: PLC0415 - only for the few tests using it

    for module in modules:
        root = get_module_path(module)
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("static", "__pycache__")]
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    with open(path, "rb") as handle:
                        yield os.path.relpath(path, root), handle.read()


def scratch_folder(case, prefix):
    """A new temporary folder, removed when ``case``'s test ends."""
    folder = tempfile.mkdtemp(prefix=prefix)
    case.addCleanup(shutil.rmtree, folder, ignore_errors=True)
    return folder


# The command line keeps parsed files and results in the user's cache: one of
# the test run's own, so that runs never see each other's entries.
CLI_CACHE = tempfile.mkdtemp(prefix="mv_test_cache_")
atexit.register(shutil.rmtree, CLI_CACHE, ignore_errors=True)


# The process's variables (service/environment.py) change what a run does;
# a subprocess gets only those a test gives it, whatever this server was given.
PROCESS_VARIABLES = (
    "ODOO_VALIDATION_LEVEL", "ODOO_VALIDATION_TIMEOUT", "ODOO_SKIP_BULLETPROOF",
    "ODOO_REQUIRE_ALL_VALIDATIONS", "ODOO_VALIDATION_DATABASE", "ODOO_VALIDATION_ADDONS_PATH",
)


def subprocess_env(extra_env=None):
    """This server's environment for a subprocess: its Odoo importable, its own engine cache."""
    env = {key: value for key, value in os.environ.items() if key not in PROCESS_VARIABLES}
    env.update(PYTHONPATH=compat.odoo_source_root(), XDG_CACHE_HOME=CLI_CACHE)
    env.update(extra_env or {})
    return env


def server_config_args(option="-c"):
    """``[option, <this server's configuration file>]``, or ``[]`` without one."""
    path = compat.config_file()
    return [option, path] if path and os.path.exists(path) else []


def odoo_bin(command, *args, database=None, timeout=300, addons_path=None, extra_env=None, cwd=None,
             stdin_text=None):
    """Run ``odoo-bin COMMAND ARGS`` as users and CI do: a subprocess of this server's setup.

    ``addons_path`` goes before the command, as the README says; the
    configuration file (``-c``) given after it holds this server's path too.
    ``stdin_text`` is what the process reads (``odoo-bin shell`` runs it).
    """
    addons_path = addons_path or compat.addons_path_option()
    line = [sys.executable, "-m", "odoo", f"--addons-path={addons_path}", command]
    line += server_config_args()
    line += ["--log-level=warn", *args]
    if database:
        line += ["-d", database]
    return subprocess.run(line, capture_output=True, text=True, timeout=timeout, input=stdin_text,
                          env=subprocess_env(extra_env), cwd=cwd, check=False)


def drop_committed_runs_afterwards(case):
    """Delete, when ``case`` ends, the runs that subprocesses commit in the
    suite's own database meanwhile (``odoo-bin validate -d``), so that later
    tests find the database as it was."""
    dbname = case.env.cr.dbname
    with odoo.sql_db.db_connect(dbname).cursor() as cr:
        cr.execute("SELECT COALESCE(max(id), 0) FROM module_validator_run")
        (last,) = cr.fetchone()

    def drop():
        with odoo.sql_db.db_connect(dbname).cursor() as cr:
            cr.execute("DELETE FROM module_validator_run WHERE id > %s", (last,))
            cr.commit()

    case.addCleanup(drop)
