# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The CI templates (ci-templates/), checked against the published schemas and
run: each shell step of the GitHub workflow (``run:``) and each item of the
GitLab job (``before_script:``, ``script:``) is executed, as the runners execute
them, against a temporary git repository holding a broken and a clean addon.

What cannot run here is not run: the steps that use an action (``uses:``:
checkout, setup-python, upload-sarif, upload-artifact) are not shell, and the
runner's own expressions (``${{ github.ref_name }}``, ``$CI_DEFAULT_BRANCH``)
are given by the test. The steps that set something up are guarded by what is
already there; the test points them at this server's Odoo source (and series), its
Python and its database (the suite's own, where module_validator is installed),
through the very variables the templates declare, and checks that they say
they skip. On the default branch the clean addon is really installed, twice
(the bulletproof level), in scratch databases.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from lxml import etree
from ruamel.yaml import YAML

from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from ..engine import compat
from .common import ADDON_ROOT, FIXTURES, drop_committed_runs_afterwards, odoo_bin, subprocess_env
from .test_sarif import assert_valid_sarif

_logger = logging.getLogger(__name__)

TEMPLATES = os.path.join(ADDON_ROOT, "ci-templates")
GITHUB = os.path.join(TEMPLATES, "github-actions.yml")
GITLAB = os.path.join(TEMPLATES, "gitlab-ci.yml")
SARIF, JUNIT = "module-validation.sarif", "module-validation.xml"


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="safe").load(handle)


def check_jsonschema(schema, path):
    """check-jsonschema with one of the schemas it ships (no network)."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, path],
        capture_output=True, text=True, timeout=120, check=False,
    )


@tagged("post_install", "-at_install")
class TestCiTemplates(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.github = load_yaml(GITHUB)
        cls.gitlab = load_yaml(GITLAB)
        cls.github_job = cls.github["jobs"]["validate"]
        cls.gitlab_job = cls.gitlab["module-validation"]

    def setUp(self):
        super().setUp()
        drop_committed_runs_afterwards(self)  # the validation step stores its runs
        self.folder = tempfile.mkdtemp(prefix="mv_ci_")
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        # The validator as the templates clone it: a folder named
        # module_validator inside MV_ADDONS.
        self.mv_addons = os.path.join(self.folder, "validator")
        os.mkdir(self.mv_addons)
        os.symlink(ADDON_ROOT, os.path.join(self.mv_addons, "module_validator"))
        self.repo = os.path.join(self.folder, "repo")
        os.mkdir(self.repo)
        for name in ("mvt_clean", "mvt_py001"):
            shutil.copytree(os.path.join(FIXTURES, name), os.path.join(self.repo, name),
                            ignore=shutil.ignore_patterns("__pycache__"))
        self.git("init", "-q", "-b", "main")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", "a clean and a broken addon")

    def git(self, *args):
        result = subprocess.run(
            ["git", *args], cwd=self.repo, capture_output=True, text=True, timeout=60, check=False,
            env=subprocess_env({"GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@example.com",
                                "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.com",
                                "GIT_CONFIG_NOSYSTEM": "1"}),
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    # -- what the runners would give -----------------------------------------
    def machine(self):
        """This machine's answers to the variables the templates declare: its
        Odoo source and Python, the validator, this database and its server."""
        values = {
            "ADDONS": self.repo,
            "ODOO_SRC": compat.odoo_source_root(),
            "ODOO_SERIES": compat.series(),
            "MV_ADDONS": self.mv_addons,
            "PYTHON": sys.executable,
            "PGDATABASE": self.env.cr.dbname,
        }
        # The server's connection; None: libpq's default (unset).
        for variable, option in (("PGHOST", "db_host"), ("PGPORT", "db_port"),
                                 ("PGUSER", "db_user"), ("PGPASSWORD", "db_password")):
            values[variable] = str(config[option]) if config[option] else None
        return values

    def job_environment(self, declared, runner_values, overrides):
        """The steps' environment: the template's variables, with the runner's
        expressions replaced by ``runner_values`` and this machine's values.
        Every override must be a variable the template declares."""
        unknown = set(overrides) - set(declared)
        self.assertFalse(unknown, f"the test sets variables the template does not declare: {unknown}")
        env = subprocess_env()
        for name in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
            env.pop(name, None)
        for name, value in declared.items():
            value = str(value)
            for expression, answer in runner_values.items():
                value = value.replace(expression, answer)
            self.assertNotRegex(value, r"\$\{\{|\$CI_", f"{name}: an expression the test does not give")
            env[name] = value
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def github_environment(self, branch, **extra):
        runner = {"${{ github.workspace }}": self.repo, "${{ github.ref_name }}": branch,
                  "${{ github.event.repository.default_branch }}": "main"}
        return self.job_environment(self.github_job["env"], runner, {**self.machine(), **extra})

    def gitlab_environment(self, branch, **extra):
        runner = {"$CI_PROJECT_DIR": self.repo, "$CI_COMMIT_REF_NAME": branch, "$CI_DEFAULT_BRANCH": "main"}
        return self.job_environment(self.gitlab_job["variables"], runner, {**self.machine(), **extra})

    def github_shell_steps(self):
        """``(name, script)`` of each ``run:`` step; ``uses:`` steps are actions, not shell."""
        steps = self.github_job["steps"]
        self.assertEqual(self.github["defaults"]["run"]["shell"], "bash")
        shell = [(step["name"], step["run"]) for step in steps if "run" in step]
        actions = [step["uses"].split("@")[0] for step in steps if "uses" in step]
        self.assertEqual(len(shell) + len(actions), len(steps))
        return shell

    def run_script(self, script, env):
        """One step as the runners run it: bash, stop at the first failure
        (GitHub's ``shell: bash`` is ``bash --noprofile --norc -eo pipefail``;
        GitLab's generated script sets ``-eo pipefail`` too)."""
        self.assertNotIn("${{", script, "an expression in a shell step: the runner would rewrite it")
        started = time.monotonic()
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                cwd=self.repo, env=env, capture_output=True, text=True, timeout=900,
                                check=False)
        return result, time.monotonic() - started

    def run_job(self, label, scripts, env):
        """Run ``scripts`` in order until one fails, as a job does; the results by name."""
        results = {}
        for name, script in scripts:
            result, seconds = self.run_script(script, env)
            _logger.info("CI %s, step %r: exit status %s in %.1f s", label, name, result.returncode, seconds)
            results[name] = result
            if result.returncode:
                break
        return results

    def assert_setup_skipped(self, results):
        """The setting-up steps found everything here and said so."""
        expected = {
            "Odoo and module_validator": ("is already there",),
            "Odoo's requirements": (f"Odoo Server {compat.series()}", "already installed"),
            "Database with module_validator": ("module_validator is already installed",),
        }
        for name, phrases in expected.items():
            self.assertEqual(results[name].returncode, 0, results[name].stdout + results[name].stderr)
            for phrase in phrases:
                self.assertIn(phrase, results[name].stdout)

    def assert_reports(self, broken):
        """SARIF valid against the official schema and JUnit that a CI reads."""
        with open(os.path.join(self.repo, SARIF), encoding="utf-8") as handle:
            sarif = json.load(handle)
        assert_valid_sarif(sarif)
        results = sarif["runs"][-1]["results"]
        junit = etree.parse(os.path.join(self.repo, JUNIT)).getroot()
        failures = sum(int(suite.get("failures", 0)) for suite in junit.iter("testsuite"))
        cases = {case.get("name") for case in junit.iter("testcase")}
        if broken:
            self.assertEqual({r["ruleId"] for r in results}, {"PY001"})
            location = results[0]["locations"][0]["physicalLocation"]
            self.assertEqual(location["artifactLocation"]["uri"], "mvt_py001/broken.py")
            self.assertGreaterEqual(failures, 1)
            self.assertTrue(any("mvt_py001" in (name or "") for name in cases), cases)
        else:
            self.assertEqual(results, [])
            self.assertEqual(failures, 0)
        self.assertTrue(any("mvt_clean" in (name or "") for name in cases), cases)

    # -- the tests -----------------------------------------------------------
    def test_templates_match_the_published_schemas(self):
        for schema, path in (("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)):
            result = check_jsonschema(schema, path)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("ok -- validation done", result.stdout)
        # The check bites: a job without its runner is refused.
        with open(GITHUB, encoding="utf-8") as handle:
            broken = handle.read().replace("    runs-on: ubuntu-24.04\n", "")
        path = os.path.join(self.folder, "workflow.yml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(broken)
        self.assertEqual(check_jsonschema("vendor.github-workflows", path).returncode, 1)

    def test_both_templates_run_the_same_commands(self):
        github = [script for _name, script in self.github_shell_steps()]
        gitlab = self.gitlab_job["before_script"] + self.gitlab_job["script"]
        self.assertEqual(gitlab, github)
        # The same variables, bar the runner's own.
        self.assertEqual(set(self.gitlab_job["variables"]) - {"POSTGRES_USER", "POSTGRES_PASSWORD"},
                         set(self.github_job["env"]))
        self.assertEqual(self.github_job["services"]["postgres"]["image"],
                         self.gitlab_job["services"][0]["name"])
        # Both publish the reports the validation step writes, even when it fails.
        artifacts = self.gitlab_job["artifacts"]
        self.assertEqual((artifacts["when"], artifacts["reports"]["junit"]), ("always", JUNIT))
        self.assertEqual(set(artifacts["paths"]), {SARIF, JUNIT})
        uploads = {step["uses"].split("@")[0]: step for step in self.github_job["steps"] if "uses" in step}
        self.assertEqual(uploads["github/codeql-action/upload-sarif"]["with"]["sarif_file"], SARIF)
        self.assertIn("always()", uploads["github/codeql-action/upload-sarif"]["if"])
        self.assertEqual(uploads["actions/upload-artifact"]["if"], "always()")
        self.assertEqual(set(uploads["actions/upload-artifact"]["with"]["path"].split()), {SARIF, JUNIT})
        self.assertEqual(self.github["permissions"]["security-events"], "write")

    def test_github_workflow_fails_on_a_broken_addon_and_passes_a_clean_one(self):
        steps = self.github_shell_steps()
        self.assertEqual([name for name, _script in steps][-1], "Validate the addons")

        # A pull request's branch: the dynamic level, the broken addon fails the job.
        broken = self.run_job("github broken", steps, self.github_environment("feature"))
        self.assert_setup_skipped(broken)
        validate = broken["Validate the addons"]
        self.assertEqual(validate.returncode, 1, validate.stderr)
        self.assertIn("Validating 2 addon(s) at the dynamic level", validate.stdout)
        self.assertIn("FAIL  mvt_py001", validate.stdout)
        self.assertIn("error   PY001  broken.py:1", validate.stdout)
        self.assertIn("PASS  mvt_clean", validate.stdout)
        self.assertRegex(validate.stdout, r"FAIL: 2 module\(s\) validated at the dynamic level")
        self.assert_reports(broken=True)

        # The broken addon removed, on the default branch: the bulletproof
        # level installs the clean one for real, and the job passes.
        self.git("rm", "-q", "-r", "mvt_py001")
        self.git("commit", "-q", "-m", "drop the broken addon")
        clean = self.run_job("github clean", steps, self.github_environment("main"))
        self.assert_setup_skipped(clean)
        validate = clean["Validate the addons"]
        self.assertEqual(validate.returncode, 0, validate.stdout + validate.stderr)
        self.assertIn("Validating 1 addon(s) at the bulletproof level", validate.stdout)
        self.assertRegex(validate.stdout, r"PASS: 1 module\(s\) validated at the bulletproof level")
        self.assertNotIn("mvt_py001", validate.stdout)
        self.assert_reports(broken=False)

    def test_gitlab_job_fails_on_a_broken_addon(self):
        items = self.gitlab_job["before_script"] + self.gitlab_job["script"]
        names = [name for name, _script in self.github_shell_steps()]
        results = self.run_job("gitlab broken", list(zip(names, items, strict=True)),
                               self.gitlab_environment("feature"))
        self.assert_setup_skipped(results)
        validate = results["Validate the addons"]
        self.assertEqual(validate.returncode, 1, validate.stderr)
        self.assertIn("error   PY001  broken.py:1", validate.stdout)
        self.assert_reports(broken=True)

    def test_validation_step_fails_when_it_cannot_validate(self):
        """Exit status 2 (no database here) fails the step too; no addon at all as well."""
        script = dict(self.github_shell_steps())["Validate the addons"]
        no_database, _seconds = self.run_script(
            script, self.github_environment("feature", PGDATABASE="mv_no_such_database"))
        self.assertEqual(no_database.returncode, 2, no_database.stdout + no_database.stderr)
        self.assertIn("cannot open database 'mv_no_such_database'", no_database.stderr)
        empty = os.path.join(self.folder, "empty")
        os.mkdir(empty)
        nothing, _seconds = self.run_script(script, self.github_environment("feature", ADDONS=empty))
        self.assertEqual(nothing.returncode, 1)
        self.assertIn(f"No addon in {empty}", nothing.stdout)

    def test_report_option_names_a_format_and_a_file(self):
        refused = odoo_bin("validate", "--path", os.path.join(self.repo, "mvt_clean"), "--report", "pdf:x.pdf")
        self.assertEqual(refused.returncode, 2)
        self.assertIn("'pdf:x.pdf': expected FORMAT:FILE with FORMAT one of json, junit, sarif, text",
                      refused.stderr)

    def test_readme_shows_the_templates(self):
        with open(os.path.join(ADDON_ROOT, "readme", "USAGE.rst"), encoding="utf-8") as handle:
            usage = handle.read()
        for name in ("ci-templates/github-actions.yml", "ci-templates/gitlab-ci.yml"):
            self.assertIn(name, usage)
        self.assertTrue(re.search(r"--report sarif:", usage))
