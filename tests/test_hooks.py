# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The git hooks, run as git and pre-commit run them, on temporary repositories."""

import os
import re
import shutil
import subprocess
import sys

from odoo.tests import TransactionCase, tagged

from ..engine import compat
from .common import ADDON_ROOT, FIXTURES, scratch_folder, subprocess_env

HOOKS = os.path.join(ADDON_ROOT, "hooks")


def hook_env(**extra):
    """The hooks find this server's Odoo as a user's shell would give it:
    an interpreter that imports odoo ($PYTHON) and its source ($ODOO_SRC)."""
    return subprocess_env({
        "PYTHON": sys.executable,
        "ODOO_SRC": compat.odoo_source_root(),
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", **extra,
    })


@tagged("post_install", "-at_install")
class TestGitHooks(TransactionCase):
    def setUp(self):
        super().setUp()
        self.folder = scratch_folder(self, "mv_hooks_")
        self.repo = os.path.join(self.folder, "repo")
        self.git("init", "-q", "-b", "main", self.repo, cwd=self.folder)
        self.add_module("mvt_clean")
        with open(os.path.join(self.repo, "README.md"), "w", encoding="utf-8") as handle:
            handle.write("addons\n")

    def run_command(self, *line, cwd=None, stdin=None, **env):
        return subprocess.run(line, cwd=cwd or self.repo, env=hook_env(**env), input=stdin,
                              capture_output=True, text=True, timeout=600, check=False)

    def git(self, *args, cwd=None, **env):
        return self.run_command("git", *args, cwd=cwd, **env)

    def add_module(self, name):
        shutil.copytree(os.path.join(FIXTURES, name), os.path.join(self.repo, "addons", name),
                        ignore=shutil.ignore_patterns("__pycache__"))

    def commit(self, message):
        self.git("add", "-A")
        result = self.git("commit", "-q", "--no-verify", "-m", message)
        self.assertEqual(result.returncode, 0, result.stderr)
        return self.git("rev-parse", "HEAD").stdout.strip()

    def pre_commit(self, *files, **env):
        return self.run_command(os.path.join(HOOKS, "mv-pre-commit"), *files, **env)

    # -- pre-commit --------------------------------------------------------
    def test_pre_commit_hook_is_declared_for_the_framework(self):
        with open(os.path.join(ADDON_ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as handle:
            declaration = handle.read()
        self.assertRegex(declaration, r"(?m)^- id: module-validator$")
        self.assertRegex(declaration, r"(?m)^  language: script$")
        entry = re.search(r"(?m)^  entry: (\S+)$", declaration).group(1)
        self.assertEqual(entry, "hooks/mv-pre-commit")
        self.assertTrue(os.access(os.path.join(ADDON_ROOT, entry), os.X_OK))

    def test_pre_commit_blocks_a_broken_module_and_passes_a_clean_one(self):
        self.add_module("mvt_py001")
        # pre-commit passes the staged files, relative to the repository's root.
        broken = self.pre_commit("addons/mvt_py001/broken.py", "addons/mvt_clean/__manifest__.py", "README.md")
        self.assertEqual(broken.returncode, 1, broken.stderr)
        self.assertIn("FAIL  mvt_py001", broken.stdout)
        self.assertIn("PASS  mvt_clean", broken.stdout)
        self.assertIn("commit blocked", broken.stderr)
        clean = self.pre_commit("addons/mvt_clean/views/mvt_clean_views.xml", "addons/mvt_clean/__init__.py")
        self.assertEqual(clean.returncode, 0, clean.stderr)
        self.assertIn("PASS: 1 module(s) validated at the static level", clean.stdout)
        self.assertNotIn("mvt_py001", clean.stdout)
        # Where it found Odoo, on stderr.
        self.assertIn(f"Odoo {compat.series()} from importable odoo", clean.stderr)
        # Files outside any module: nothing to validate, Odoo is not even started.
        outside = self.pre_commit("README.md")
        self.assertEqual((outside.returncode, outside.stdout), (0, ""))

    def test_hooks_refuse_bad_variables_before_starting_odoo(self):
        typo = self.pre_commit("addons/mvt_clean/__init__.py", ODOO_VALIDATION_LEVEL="comprehensiv")
        self.assertEqual(typo.returncode, 2)
        self.assertIn("ODOO_VALIDATION_LEVEL='comprehensiv'", typo.stderr)
        no_database = self.pre_commit("addons/mvt_clean/__init__.py", ODOO_VALIDATION_LEVEL="comprehensive")
        self.assertEqual(no_database.returncode, 2)
        self.assertIn("the dynamic level needs a database: set ODOO_VALIDATION_DATABASE", no_database.stderr)
        self.assertNotIn("validating", no_database.stderr)

    # -- pre-push ----------------------------------------------------------
    def test_pre_push_blocks_a_push_that_breaks_a_module(self):
        remote = os.path.join(self.folder, "remote.git")
        self.git("init", "-q", "--bare", remote, cwd=self.folder)
        self.git("remote", "add", "origin", remote)
        # The documented install command.
        installed = self.run_command(os.path.join(HOOKS, "install-pre-push"), self.repo)
        self.assertEqual(installed.returncode, 0, installed.stderr)

        clean = self.commit("a clean module")
        pushed = self.git("push", "origin", "main")
        self.assertEqual(pushed.returncode, 0, pushed.stderr)
        self.assertIn("PASS  mvt_clean", pushed.stderr + pushed.stdout)
        self.assertEqual(self.remote_head(remote), clean)

        self.add_module("mvt_py001")
        self.commit("a broken module")
        refused = self.git("push", "origin", "main")
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("PY001", refused.stdout + refused.stderr)
        self.assertIn("Only git push --no-verify gets past this hook", refused.stderr)
        # Only the pushed commits' modules: mvt_clean did not change.
        self.assertNotIn("mvt_clean", refused.stdout + refused.stderr)
        self.assertEqual(self.remote_head(remote), clean)

        # The commit is validated as pushed, even when the working tree fixes it.
        shutil.copy(os.path.join(FIXTURES, "mvt_clean", "__init__.py"),
                    os.path.join(self.repo, "addons", "mvt_py001", "broken.py"))
        still_refused = self.git("push", "origin", "main")
        self.assertNotEqual(still_refused.returncode, 0)
        self.assertIn("PY001", still_refused.stdout + still_refused.stderr)

        # A new branch with the broken commit: compared with what the remote has.
        self.git("checkout", "-q", "-b", "feature")
        refused_branch = self.git("push", "origin", "feature")
        self.assertNotEqual(refused_branch.returncode, 0)
        self.assertIn("PY001", refused_branch.stdout + refused_branch.stderr)

        forced = self.git("push", "--no-verify", "origin", "main")
        self.assertEqual(forced.returncode, 0, forced.stderr)

    def remote_head(self, remote):
        return self.git("rev-parse", "main", cwd=remote).stdout.strip()
