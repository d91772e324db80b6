# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The pruned walks of engine/ast_lines.py find what a full ``ast.walk`` finds.

The Python summaries skip the statements no text hint points at (the static
level's speed depends on it). On the real code of a few large Odoo modules,
each pruned search must give exactly the answer of the full walk it replaced;
a hint regex that misses a spelling would show here as a missing use.
"""

import ast

from odoo.tests import BaseCase, tagged

from ..engine import python_scope, python_summary
from ..engine.ast_lines import hint_lines, nodes_at_lines, statements
from ..engine.rules.expression_names import expression_names
from .common import module_python_sources

# Large modules with many uses of what the hints look for (env['x'], _cr, imports...).
SAMPLE_MODULES = ("base", "mail", "account", "sale", "stock", "website")


@tagged("post_install", "-at_install")
class TestAstLines(BaseCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sources = [(relative, source, ast.parse(source))
                       for relative, source in module_python_sources(SAMPLE_MODULES)]

    def test_the_sample_is_large(self):
        self.assertGreater(len(self.sources), 500)
        # 18.0 code uses _cr and read_group hundreds of times, 19.0 code a few.
        uses = sum(len(python_summary._deprecated_19_uses(tree, source)) for _r, source, tree in self.sources)
        self.assertTrue(uses, "the sample must hold _cr / read_group uses")

    def test_deprecated_attributes_as_a_full_walk_finds_them(self):
        for relative, source, tree in self.sources:
            full = sorted({(node.attr, node.lineno) for node in ast.walk(tree)
                           if isinstance(node, ast.Attribute)
                           and node.attr in python_summary.DEPRECATED_19_ATTRIBUTES},
                          key=lambda use: (use[1], use[0]))
            self.assertEqual(python_summary._deprecated_19_uses(tree, source), full, relative)

    def test_statements_are_every_statement(self):
        for relative, _source, tree in self.sources:
            full = sorted(id(node) for node in ast.walk(tree) if isinstance(node, ast.stmt))
            self.assertEqual(sorted(id(node) for node in statements(tree.body)), full, relative)

    def test_dynamic_names_as_a_full_walk_finds_them(self):
        def full_walk(tree):
            return any(
                (isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names))
                or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in python_scope.DYNAMIC_NAME_CALLS)
                for node in ast.walk(tree))

        for relative, source, tree in self.sources:
            pruned = python_scope._uses_dynamic_names(tree, python_scope._dynamic_name_lines(source))
            # The hint regex wants "name(" (or "import *"): a dynamic call spelled
            # "eval (x)" or across lines is found by both, one never without the other.
            self.assertEqual(pruned, full_walk(tree), relative)

    def test_a_use_split_by_a_backslash_is_found(self):
        source = b"class A:\n    def f(self):\n        return self.\\\n            _cr\n"
        self.assertEqual(python_summary.summarize_python_source("models/a.py", source).deprecated_19,
                         [("_cr", 3)])

    def test_nodes_at_lines_skip_the_other_statements(self):
        source = b"a = 1\ndef f():\n    return x.y\nb = 2\n"
        tree = ast.parse(source)
        lines = hint_lines(source, python_summary.re.compile(rb"x\.y"))
        self.assertEqual(lines, [3])
        found = {type(node).__name__ for node in nodes_at_lines(tree, lines)}
        self.assertIn("Attribute", found)
        self.assertNotIn("Assign", found)


@tagged("post_install", "-at_install")
class TestExpressionNames(BaseCase):

    def test_free_names_and_syntax_errors(self):
        self.assertEqual(expression_names("state == 'done' and not active"), (None, {"state", "active"}))
        self.assertEqual(expression_names("[x for x in line_ids if x > limit]")[1], {"line_ids", "limit"})
        error, names = expression_names("state == 'done' && !active")
        self.assertTrue(error)
        self.assertEqual(names, frozenset())
