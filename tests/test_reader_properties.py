# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Property-based tests of the readers (issue 13, item 5): manifests, XML and
CSV data files and Python files, generated at random and mutated byte by byte.

Each reader may only answer with its documented outcome: ``read_manifest``
returns ``(dict, None)`` or ``(None, ManifestProblem)``; ``ModuleIndex.xml``
and ``csv_rows`` return a tree or rows or raise ``FileProblem``; the data
reader and ``summarize_python_source`` never raise (a problem is in the
result). A module built from such files gets a report from the engine, without
an internal error (MV001) and within a time limit.

The budget is a hypothesis settings profile: ``MV_HYPOTHESIS_EXAMPLES``
examples per property (default 40), derandomized so that every run of the
suite tries the same examples; ``MV_HYPOTHESIS_RANDOM=1`` draws new ones.
"""

import ast
import csv
import io
import itertools
import logging
import os
import shutil
import tempfile
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from odoo.tests import tagged

from ..engine import discovery
from ..engine.data_files import _DataReader
from ..engine.discovery import ManifestProblem, ModuleSource, read_manifest
from ..engine.facts import StaticFacts
from ..engine.file_problem import FileProblem
from ..engine.index import ModuleIndex
from ..engine.python_summary import PythonFile, summarize_python_source
from ..engine.rules.registry import INTERNAL_ERROR
from ..engine.runner import validate
from .common import ValidatorCase
from .hostile import time_bound

_logger = logging.getLogger(__name__)

EXAMPLES = int(os.environ.get("MV_HYPOTHESIS_EXAMPLES") or 40)
settings.register_profile(
    "module_validator",
    max_examples=EXAMPLES,
    deadline=None,  # a slow example is measured by the test itself, not flaky timing
    derandomize=os.environ.get("MV_HYPOTHESIS_RANDOM", "") not in ("1", "true", "yes"),
    database=None,  # nothing written in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
PROFILE = settings.get_profile("module_validator")
# One example may take this long, at most (seconds): a reader that hangs fails.
EXAMPLE_LIMIT = 20

# -- strategies ----------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=16)
LITERAL = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.binary(max_size=8)
    | st.sampled_from(["base", "mail", "web", "data/a.xml", "18.0.1.0.0", "LGPL-3", "post_init"]),
    lambda children: (st.lists(children, max_size=4) | st.tuples(children, children)
                      | st.dictionaries(TEXT, children, max_size=3)),
    max_leaves=12,
)
MANIFEST_KEYS = st.sampled_from([
    "name", "version", "depends", "data", "demo", "license", "installable", "auto_install",
    "external_dependencies", "assets", "post_init_hook", "pre_init_hook", "uninstall_hook",
    "post_load", "summary", "author", "category", "application", "qweb", "init_xml",
    "update_xml", "demo_xml", "datas", "countries", "sequence", "images", "website",
]) | TEXT
MANIFEST_DICT = st.dictionaries(MANIFEST_KEYS, LITERAL, max_size=8)
XML_TAGS = st.sampled_from([
    "odoo", "data", "openerp", "record", "field", "menuitem", "template", "function", "value",
    "delete", "xpath", "list", "form", "t", "div", "report", "act_window",
])
XML_ATTRIBUTES = st.sampled_from([
    "id", "model", "name", "ref", "eval", "search", "parent", "action", "groups", "type",
    "noupdate", "context", "forcecreate", "inherit_id", "file", "sequence", "position",
    "t-name", "t-call", "uid", "website_id", "expr", "string", "invisible",
])
XML_VALUES = st.sampled_from([
    "1", "0", "True", "", " ", "base.main_company", "res.partner", "ir.ui.view", "ir.model.access",
    "xml", "html", "int", "float", "list", "tuple", "file", "char", "base64", "ref('base.x')",
    "%(base.action_x)d", "[(4, ref('base.group_user'))]", "after", "inside", "replace", "x.y.z",
    "data/a.xml", "1 +", "[('a', '=', 1)]", "base.group_user,-base.group_portal", "{'a': ref('b')}",
]) | XML_TEXT
CSV_COLUMNS = st.sampled_from([
    "id", "name", "model_id:id", "model_id/id", "group_id:id", "perm_read", "perm_write",
    ":id", "/id", "parent_id:id", "res_id", "implied_ids:id", "sequence",
]) | TEXT
PYTHON_SEEDS = [
    "from odoo import api, fields, models\n\n\nclass Thing(models.Model):\n    _name = 'mvp.thing'\n"
    "    _description = 'Thing'\n    _inherit = ['mail.thread']\n    _rec_name = 'name'\n"
    "    name = fields.Char(required=True)\n    partner_id = fields.Many2one('res.partner', ondelete='set null')\n"
    "    line_ids = fields.One2many('mvp.line', 'thing_id')\n    state = fields.Selection([('a', 'A')])\n\n"
    "    @api.depends('name')\n    def _compute_x(self):\n        self.env['res.partner'].search([])\n",
    "from . import models\nfrom .hooks import post_init\n",
    "try:\n    import vobject\nexcept ImportError:\n    vobject = None\nfrom odoo.addons.mail.models import x\n"
    "if TYPE_CHECKING:\n    import y\nfor name in X:\n    class A(models.Model):\n        _inherit = name\n",
    "def post_init(env):\n    env.cr.execute('SELECT 1')\n\ndef pre_init(cr, registry):\n    pass\n"
    "setattr(Thing, 'global', fields.Boolean())\naction = {'view_mode': 'tree,form'}\n",
    "class X(models.AbstractModel):\n    _name = f'x.{y}'\n    _inherits = {'res.partner': 'partner_id'}\n"
    "    user_has_groups = 1\n    def f(self):\n        return self.user_has_groups('base.group_user')\n",
]
PYTHON_TOKENS = st.sampled_from([
    "class ", "def ", "(", ")", "[", "]", "{", "}", ":", "\n", "    ", "=", "'", '"', "_name", "_inherit",
    "fields.Char(", "models.Model", "import ", "from ", ".", ",", "lambda", "yield", "async ", "@",
    "try:", "except", "if ", "else:", "f'{", "}'", "\\", "#", "0x", "1e", "*", "**", "->", ":=",
])


@st.composite
def mutated(draw, source):
    """``source`` bytes with a few random edits (insert, delete, replace, truncate)."""
    data = bytearray(draw(source))
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8)
                                           | st.sampled_from([b"\0", b"\xff\xfe", b"<", b"&", b"'", b"\n"]))
        elif kind == "delete":
            del data[position:position + draw(st.integers(1, 16))]
        elif kind == "replace" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[position:]
    return bytes(data)


def _element(tag, attributes, text, children):
    element = etree.Element(tag)
    for name, value in attributes.items():
        element.set(name, value)
    element.text = text or None
    element.extend(children)
    return element


XML_TREE = st.recursive(
    st.builds(_element, XML_TAGS, st.dictionaries(XML_ATTRIBUTES, XML_VALUES, max_size=3), XML_TEXT,
              st.just([])),
    lambda children: st.builds(_element, XML_TAGS, st.dictionaries(XML_ATTRIBUTES, XML_VALUES, max_size=4),
                               XML_TEXT, st.lists(children, max_size=4)),
    max_leaves=30,
)
XML_DOCUMENT = st.builds(
    lambda root, children: etree.tostring(_element(root, {}, "", children), xml_declaration=True,
                                          encoding="utf-8"),
    st.sampled_from(["odoo", "data", "openerp", "templates"]), st.lists(XML_TREE, max_size=5),
)
XML_BYTES = mutated(XML_DOCUMENT) | st.binary(max_size=200)


def _csv_bytes(header, rows, encoding):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, "surrogatepass")


CSV_BYTES = mutated(st.builds(
    _csv_bytes, st.lists(CSV_COLUMNS, max_size=6), st.lists(st.lists(TEXT, max_size=7), max_size=6),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
)) | st.binary(max_size=200)
MANIFEST_BYTES = (
    mutated(st.builds(lambda value: repr(value).encode("utf-8", "surrogatepass"), MANIFEST_DICT))
    | mutated(st.builds(lambda value: repr(value).encode("utf-8", "surrogatepass"), LITERAL))
    | st.binary(max_size=200)
)
PYTHON_BYTES = (
    mutated(st.sampled_from(PYTHON_SEEDS).map(str.encode))
    | st.lists(PYTHON_TOKENS | TEXT, max_size=40).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))
    | st.binary(max_size=200)
)


# -- checks, shared by the tests ------------------------------------------------------

class PropertyModules:
    """A folder of generated modules, one per example, under unique names."""

    def __init__(self, catalog):
        self.root = tempfile.mkdtemp(prefix="mv_properties_")
        self.catalog = catalog
        self.facts = StaticFacts(catalog)  # shared: base and the others are parsed once
        self.counter = itertools.count(1)
        self.durations = []

    def module(self, files, manifest=b"{'name': 'p', 'depends': ['base'], 'license': 'LGPL-3'}"):
        name = f"mvp_{next(self.counter)}"
        folder = os.path.join(self.root, name)
        for relative, content in {"__manifest__.py": manifest, "__init__.py": b"", **files}.items():
            path = os.path.join(folder, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(content)
        manifest_value, problem = read_manifest(os.path.join(folder, "__manifest__.py"))
        source = ModuleSource(name, folder, "__manifest__.py", manifest_value, problem)
        self.catalog.modules[name] = source
        return source


def check_manifest(case, modules, data):
    source = modules.module({}, manifest=data)
    manifest, problem = read_manifest(os.path.join(source.path, "__manifest__.py"))
    case.assertTrue((isinstance(manifest, dict) and problem is None)
                    or (manifest is None and isinstance(problem, ManifestProblem)), (manifest, problem))
    if manifest is not None:
        case.assertEqual(manifest, ast.literal_eval(data.decode("utf-8")))
    else:
        case.assertIsInstance(problem.message, str)
    return source


def check_xml(case, modules, data):
    source = modules.module({"data/a.xml": data}, manifest=b"{'name': 'p', 'data': ['data/a.xml']}")
    index = ModuleIndex(source)
    try:
        index.xml("data/a.xml")
    except FileProblem as problem:
        case.assertIsInstance(problem.message, str)
    data_file = _DataReader(ModuleIndex(source)).read("data", "data/a.xml")
    case.assertTrue(data_file.problem is None or isinstance(data_file.problem, FileProblem))
    # What the rules derive from the records: never raises either.
    for attribute in ("records", "records_by_model", "xmlid_definitions", "views", "views_by_xmlid",
                      "acl_records", "acl_model_names"):
        getattr(index, attribute)
    return source


def check_csv(case, modules, data, name="ir.model.access.csv"):
    relative = f"security/{name}"
    source = modules.module({relative: data}, manifest=repr({"name": "p", "data": [relative]}).encode())
    index = ModuleIndex(source)
    try:
        header, rows = index.csv_rows(relative)
        case.assertIsInstance(header, list)
        case.assertIsInstance(rows, list)
    except FileProblem as problem:
        case.assertIsInstance(problem.message, str)
    data_file = _DataReader(ModuleIndex(source)).read("data", relative)
    case.assertTrue(data_file.problem is None or isinstance(data_file.problem, FileProblem))
    index.acl_model_names  # noqa: B018 - computed for its exceptions
    return source


def check_python(case, modules, data):
    summary = summarize_python_source("models/a.py", data)
    case.assertIsInstance(summary, PythonFile)
    case.assertTrue(summary.problem is None or isinstance(summary.problem, FileProblem))
    return modules.module({"models/a.py": data, "__init__.py": b"from .models import a\n",
                           "models/__init__.py": b"from . import a\n"})


def check_engine(case, modules, source):
    """The engine's report on the module: one module, no internal error."""
    report = validate([source], modules.facts, "static", version="test")
    (module,) = report.modules
    crashes = [f.message for f in module.findings if f.rule == INTERNAL_ERROR]
    case.assertFalse(crashes, f"a rule crashed on {source.path}")
    case.assertIn(module.verdict(), ("pass", "fail"))


def checked(case, modules, check, data, **kwargs):
    started = time.monotonic()
    with time_bound(EXAMPLE_LIMIT, check.__name__):
        source = check(case, modules, data, **kwargs)
        check_engine(case, modules, source)
    modules.durations.append(time.monotonic() - started)
    case.assertLess(modules.durations[-1], EXAMPLE_LIMIT)


@tagged("post_install", "-at_install")
class TestReaderProperties(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        addons_paths, core_paths = discovery.odoo_paths()
        cls.modules = PropertyModules(discovery.discover(addons_paths, core_paths=core_paths))
        cls.addClassCleanup(shutil.rmtree, cls.modules.root, ignore_errors=True)

    @classmethod
    def tearDownClass(cls):
        durations = cls.modules.durations
        if durations:
            _logger.info("reader properties: %d examples in %.1f s (slowest %.2f s)",
                         len(durations), sum(durations), max(durations))
        super().tearDownClass()

    @settings(PROFILE)
    @given(MANIFEST_BYTES)
    def test_manifest_reader(self, data):
        checked(self, self.modules, check_manifest, data)

    @settings(PROFILE)
    @given(XML_BYTES)
    def test_xml_reader(self, data):
        checked(self, self.modules, check_xml, data)

    @settings(PROFILE)
    @given(CSV_BYTES, st.sampled_from(["ir.model.access.csv", "res.partner.csv", "res.groups-x.csv"]))
    def test_csv_reader(self, data, name):
        checked(self, self.modules, check_csv, data, name=name)

    @settings(PROFILE)
    @given(PYTHON_BYTES)
    def test_python_reader(self, data):
        checked(self, self.modules, check_python, data)

    @settings(PROFILE)
    @given(MANIFEST_DICT, XML_DOCUMENT, CSV_BYTES, PYTHON_BYTES)
    def test_engine_on_a_module_of_generated_files(self, manifest, xml, csv_data, python):
        manifest = {**manifest, "data": ["security/ir.model.access.csv", "data/a.xml"]}
        files = {"data/a.xml": xml, "security/ir.model.access.csv": csv_data, "models/a.py": python,
                 "__init__.py": b"from . import models\n", "models/__init__.py": b"from . import a\n"}
        manifest_bytes = repr(manifest).encode("utf-8", "surrogatepass")
        started = time.monotonic()
        with time_bound(EXAMPLE_LIMIT, "the engine on a generated module"):
            check_engine(self, self.modules, self.modules.module(files, manifest=manifest_bytes))
        self.modules.durations.append(time.monotonic() - started)

    # -- crashes the properties found, kept as plain regression tests -----------------------------
    def test_regression_auto_install_names_that_are_no_strings(self):
        # MAN007 raised "TypeError: unhashable type: 'list'" (an MV001 instead of its finding).
        source = self.modules.module({}, manifest=repr({
            "name": "p", "depends": ["base"], "license": "LGPL-3", "auto_install": [["base"], {"x": 1}, "base"],
        }).encode())
        report = validate([source], self.modules.facts, "static", version="test")
        codes = [finding.rule for finding in report.modules[0].findings]
        self.assertIn("MAN007", codes)
        self.assertNotIn(INTERNAL_ERROR, codes)

    def test_regression_nul_byte_in_a_manifest_path(self):
        # ModuleIndex.resolve raised "ValueError: embedded null byte" (MAN010 crashed).
        source = self.modules.module({}, manifest=repr({
            "name": "p", "author": "t", "depends": ["base"], "license": "LGPL-3",
            "data": ["data/a\0.xml", "\0"]}).encode())
        self.assertIsNone(ModuleIndex(source).resolve("data/a\0.xml"))
        report = validate([source], self.modules.facts, "static", version="test")
        codes = [finding.rule for finding in report.modules[0].findings]
        self.assertEqual(codes, ["MAN010", "MAN010"])
