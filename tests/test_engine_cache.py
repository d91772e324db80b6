# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import os
import shutil
import time

from odoo.tests import tagged

from ..engine import discovery
from ..engine.facts import StaticFacts
from ..engine.index import NOT_LITERAL
from ..engine.parse_cache import ParseCache
from ..engine.result_cache import prune_cache
from ..engine.runner import validate
from .common import FIXTURES, ValidatorCase, odoo_bin, scratch_folder

# Fixtures with errors of several kinds: syntax, non-literal field parameters
# (summaries holding NOT_LITERAL), external dependencies (interpreter probes),
# closures, views and data.
MODULES = ["mvt_py001", "mvt_py011", "mvt_py011_ok", "mvt_man009", "mvt_man009_bin",
           "mvt_dep001_chain", "mvt_dat001", "mvt_view001", "mvt_sec001", "mvt_clean"]
AN_HOUR_AGO = time.time() - 3600


def findings(report):
    return sorted((m.name, f.rule, f.severity, f.path, f.line or 0, f.message)
                  for m in report.modules for f in m.findings)


@tagged("post_install", "-at_install")
class TestEngineCache(ValidatorCase):
    """Parsed files and static results kept across runs (parse_cache.py, result_cache.py)."""

    def setUp(self):
        super().setUp()
        self.workdir = scratch_folder(self, "mv_cache_")
        self.addons = os.path.join(self.workdir, "addons")
        self.cache = os.path.join(self.workdir, "cache")
        self.modules = list(MODULES)
        for name in MODULES:
            source = os.path.join(FIXTURES, name)
            shutil.copytree(source, os.path.join(self.addons, name),
                            ignore=shutil.ignore_patterns("__pycache__"))
        # Files written this very second cannot prove, by their stamps, the next change.
        self.age(self.addons)

    def age(self, folder):
        for root, _dirs, files in os.walk(folder):
            for name in files:
                os.utime(os.path.join(root, name), (AN_HOUR_AGO, AN_HOUR_AGO))

    def run_cached(self, cache=True):
        addons_paths, core_paths = discovery.odoo_paths()
        catalog = discovery.discover([self.addons, *addons_paths], core_paths=core_paths)
        modules = [catalog.get(name) for name in self.modules]
        facts = StaticFacts(catalog, ParseCache(self.cache) if cache else None)
        return validate(modules, facts, "static", version="test",
                        cache_directory=self.cache if cache else None)

    def test_a_second_run_reuses_every_result_and_reports_the_same_findings(self):
        fresh = self.run_cached(cache=False)
        cold = self.run_cached()
        warm = self.run_cached()
        self.assertEqual((cold.reused, warm.reused), (0, len(MODULES)))
        self.assertEqual(findings(cold), findings(fresh))
        self.assertEqual(findings(warm), findings(fresh))
        self.assertIn("PY011", {f.rule for m in warm.modules for f in m.findings})

    def test_an_edit_revalidates_the_module_and_the_modules_that_depend_on_it(self):
        self.run_cached()
        broken = os.path.join(self.addons, "mvt_clean", "models", "mvt_clean_record.py")
        self.assertTrue(os.path.exists(broken), os.listdir(os.path.dirname(broken)))
        with open(broken, "a", encoding="utf-8") as handle:
            handle.write("\ndef broken(:\n")
        self.age(os.path.join(self.addons, "mvt_clean"))
        again = self.run_cached()
        self.assertEqual(again.reused, len(MODULES) - 1)
        by_name = {module.name: module for module in again.modules}
        self.assertIn("PY001", [f.rule for f in by_name["mvt_clean"].findings])

    def test_a_file_changed_this_second_is_read_again_next_time(self):
        self.run_cached()
        manifest = os.path.join(self.addons, "mvt_clean", "__manifest__.py")
        os.utime(manifest)  # now: its stamp cannot tell a second edit within the same tick
        self.assertEqual(self.run_cached().reused, 0)  # the catalog changed: every module
        self.assertEqual(self.run_cached().reused, len(MODULES) - 1)

    def test_summaries_come_back_from_the_parse_cache_as_they_were_made(self):
        # A parameter given by a name, not a literal: the summary holds NOT_LITERAL,
        # which PY011 must still recognise once the summary comes back from disk.
        module = os.path.join(self.addons, "mvt_cache_named_selection")
        os.makedirs(os.path.join(module, "models"))
        files = {
            "__manifest__.py": "{'name': 'Named selection', 'version': '1.0.0', "
                               "'license': 'LGPL-3', 'depends': ['base']}\n",
            "__init__.py": "from . import models\n",
            "models/__init__.py": "from . import partner\n",
            "models/partner.py": "from odoo import fields, models\n\nEXTRA = [('vip', 'VIP')]\n"
                                 "POLICY = {'vip': 'set default'}\n\n\n"
                                 "class ResPartner(models.Model):\n    _inherit = 'res.partner'\n\n"
                                 "    kind = fields.Selection([('a', 'A')], string='Kind')\n"
                                 "    level = fields.Selection(selection=EXTRA, string='Level')\n",
        }
        for relative, text in files.items():
            with open(os.path.join(module, relative), "w", encoding="utf-8") as handle:
                handle.write(text)
        self.age(module)
        self.modules.append("mvt_cache_named_selection")
        cold = self.run_cached()
        warm = self.run_cached()
        self.assertEqual(findings(warm), findings(cold))
        named = {m.name: m for m in warm.modules}["mvt_cache_named_selection"]
        self.assertEqual([f.rule for f in named.findings if f.severity == "error"], [])
        addons_paths, core_paths = discovery.odoo_paths()
        catalog = discovery.discover([self.addons, *addons_paths], core_paths=core_paths)
        parse_cache = ParseCache(self.cache)
        index = StaticFacts(catalog, parse_cache).index("mvt_cache_named_selection")
        level = index.python[os.path.join("models", "partner.py")].models[0].fields["level"]
        self.assertEqual(parse_cache.parsed, 0)
        self.assertGreater(parse_cache.reused, 0)
        self.assertIs(level.kwargs["selection"], NOT_LITERAL)

    def test_the_command_line_gives_the_same_report_in_processes_and_from_its_cache(self):
        def run(*extra):
            result = odoo_bin("validate", "--path", self.addons, "--modules", ",".join(MODULES),
                              "--format", "json", *extra,
                              extra_env={"XDG_CACHE_HOME": os.path.join(self.workdir, "xdg")})
            self.assertEqual(result.returncode, 1, result.stderr[-2000:])
            return sorted((m["name"], f["rule"], f["path"], f.get("line") or 0, f["message"])
                          for m in json.loads(result.stdout)["modules"] for f in m["findings"])

        serial = run("--jobs", "1", "--no-cache")
        self.assertEqual(run("--jobs", "2"), serial)
        self.assertTrue(os.listdir(os.path.join(self.workdir, "xdg", "module_validator", "engine")))
        self.assertEqual(run("--jobs", "2"), serial)

    def test_prune_drops_other_engine_versions_and_entries_unused_for_a_month(self):
        self.run_cached()
        stale = os.path.join(self.cache, "results-0123456789abcdef")
        os.makedirs(stale)
        current = [os.path.join(self.cache, name) for name in os.listdir(self.cache)
                   if name != "results-0123456789abcdef"]
        entries = sorted(os.path.join(folder, name) for folder in current for name in os.listdir(folder))
        old = time.time() - 40 * 86400
        os.utime(entries[0], (old, old))
        prune_cache(self.cache)
        self.assertFalse(os.path.exists(stale))
        self.assertFalse(os.path.exists(entries[0]))
        self.assertTrue(all(os.path.exists(entry) for entry in entries[1:]))
        # What is left is still used: the next run reuses every module but the pruned one's.
        self.assertGreaterEqual(self.run_cached().reused, len(MODULES) - 1)
