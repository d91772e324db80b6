# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Test files summarized from their symbol table give the summary their tree gives.

Most test files get their summary without an ``ast`` tree (engine/symbol_scan.py):
the symbol table must say "all bound" only where python_scope finds no
missing name, and the summaries of real Odoo test files must be the same
either way on everything the rules read of a test file.
"""

import ast

from odoo.tests import BaseCase, tagged

from ..engine import python_summary
from ..engine.python_scope import KNOWN, import_time_problems
from ..engine.symbol_scan import import_time_names_bound
from .common import module_python_sources

SAMPLE_MODULES = ("base", "mail", "account", "sale", "stock", "website", "web", "hr")
# What the rules read of a test file (python_summary.is_test_file).
TEST_FILE_FIELDS = ("problem", "import_problems", "imports", "view_mode_tree", "removed_calls",
                    "json_routes", "orm_imports", "deprecated_19", "env_checked")


def _field(summary, name):
    value = getattr(summary, name)
    return (value.message, value.line) if name == "problem" and value else value


def _bound(source):
    return import_time_names_bound(source.encode(), "tests/test_x.py", KNOWN)


def _missing_names(source):
    return [name for kind, name, _line in import_time_problems(ast.parse(source), source.encode())
            if kind == "name"]


@tagged("post_install", "-at_install")
class TestSymbolScan(BaseCase):

    def test_names_loaded_at_import_time_must_be_bound(self):
        unbound = {
            "module level": "x = LIMIT + 1\n",
            "class body": "class A:\n    size = LIMIT\n",
            "decorator": "@cached\ndef f():\n    pass\n",
            "default value": "def f(a=LIMIT):\n    pass\n",
            "class base": "class A(Base):\n    pass\n",
            "comprehension": "xs = [i * LIMIT for i in range(3)]\n",
            "nested class": "class A:\n    class B:\n        size = LIMIT\n",
        }
        for where, source in unbound.items():
            with self.subTest(where):
                self.assertTrue(_missing_names(source), "python_scope must report it")
                self.assertFalse(_bound(source))

    def test_bodies_that_run_later_are_not_read(self):
        for source in (
            "def f():\n    return LIMIT\n",
            "f = lambda: LIMIT\n",
            "class A:\n    def f(self):\n        return LIMIT\n",
            "import os\nLIMIT = 3\nclass A:\n    size = LIMIT\n    path = os.sep\n",
            "xs = [i for i in range(3)]\n",
        ):
            with self.subTest(source):
                self.assertTrue(_bound(source))
                self.assertFalse(_missing_names(source))

    def test_a_file_that_does_not_parse_is_never_all_bound(self):
        self.assertFalse(_bound("def f(:\n"))
        self.assertFalse(import_time_names_bound(b"x = 1\0", "tests/test_x.py", KNOWN))

    def test_a_test_file_with_a_missing_name_is_summarized_from_its_tree(self):
        source = b"from odoo.tests import TransactionCase\n\nclass TestX(TransactionCase):\n    size = LIMIT\n"
        summary = python_summary.summarize_python_source("tests/test_x.py", source)
        self.assertEqual(summary.import_problems, [("name", "LIMIT", 4)])
        fixed = python_summary.summarize_python_source("tests/test_x.py", b"LIMIT = 1\n" + source)
        self.assertEqual(fixed.import_problems, [])

    def test_real_files_all_bound_only_where_nothing_is_missing(self):
        checked = 0
        for relative, source in module_python_sources(SAMPLE_MODULES):
            if not import_time_names_bound(source, relative, KNOWN):
                continue
            checked += 1
            problems = import_time_problems(ast.parse(source), source)
            self.assertFalse([p for p in problems if p[0] == "name"], relative)
        self.assertGreater(checked, 500)

    def test_real_test_files_have_the_summary_of_their_tree(self):
        without_tree = 0
        for relative, source in module_python_sources(SAMPLE_MODULES):
            if not python_summary.is_test_file(relative):
                continue
            quick = python_summary.summarize_python_source(relative, source)
            full = python_summary.summarize_python_tree(relative, source)
            without_tree += python_summary._needs_no_tree(relative, source)
            for name in TEST_FILE_FIELDS:
                self.assertEqual(_field(quick, name), _field(full, name), f"{relative}: {name}")
        # Most test files take the quick way: otherwise this test compares nothing.
        self.assertGreater(without_tree, 200)
