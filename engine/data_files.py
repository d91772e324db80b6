# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The data files of a module (XML and CSV) as convert.py loads them, without a database."""

import copy
import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from .file_problem import FileProblem

# -- Data file summaries ------------------------------------------------------

DATA_ROOTS = ("odoo", "data", "openerp")
# Tags convert.py acts upon in 18.0; any other tag under a root is skipped silently.
DATA_TAGS = ("record", "delete", "function", "menuitem", "template")
VIEW_MODELS = ("ir.ui.view", "theme.ir.ui.view")
ACL_MODEL_COLUMNS = ("model_id:id", "model_id/id")
# ``ref('x')`` in eval/search/context expressions.
EVAL_REF_RE = re.compile(r"""(?<![\w.])ref\(\s*(['"])([^'"\s]+)\1\s*\)""")
# ``'xml_id': 'module.name'`` in a <function model="ir.model.data" name="_update_xmlids">.
UPDATE_XMLIDS_RE = re.compile(r"""['"]xml_id['"]\s*:\s*(['"])([^'"\s]+)\1""")
# ``%(xmlid)d`` / ``%(xmlid)s`` in xml/html field content (convert.py _process).
PERCENT_REF_RE = re.compile(r"(?<!%)%\(([^)]*?)\)[ds]")


@dataclass
class Ref:
    """One xmlid a data file needs at load time."""

    xmlid: str  # as written
    line: int | None
    via: str  # ref, eval, %()d, parent, action, groups, inherit_id, csv...
    optional: bool = False  # a missing target only skips the record with a WARNING


@dataclass
class DataField:
    name: str
    line: int | None
    node: object  # the <field> element
    text: str


@dataclass
class DataRecord:
    """A record, menu, template, function or CSV row, in load order (``seq``)."""

    path: str
    kind: str  # data / demo
    tag: str  # record, menuitem, template, function, delete, csv
    line: int | None
    seq: int
    model: str | None
    xmlid: str | None  # as written
    forcecreate: str | None = None
    fields: list = field(default_factory=list)  # DataField, for <record>
    refs: list = field(default_factory=list)
    expressions: list = field(default_factory=list)  # (python source, line, what)
    parent: object = None  # the record a nested one2many record belongs to
    sequence: str | None = None  # a <menuitem>'s sequence attribute
    method: str | None = None  # a <function>'s method name
    noupdate: bool = False  # inside <odoo noupdate="1"> / <data noupdate="1">

    def get_field(self, name):
        return next((f for f in self.fields if f.name == name), None)


@dataclass
class DataView:
    record: DataRecord
    model: str | None
    inherit_ref: str | None
    type: str | None  # the ``type`` field, when given
    qweb: bool
    arch: object  # element whose children are the arch (a <field> or a <template>)

    @cached_property
    def root(self):
        """First element of the arch, or None (rules ask often; the arch never changes)."""
        return next((child for child in self.arch if isinstance(child.tag, str)), None)


@dataclass
class DataFile:
    path: str
    kind: str
    problem: FileProblem | None = None
    records: list = field(default_factory=list)
    ignored_tags: list = field(default_factory=list)  # (tag, line): skipped by Odoo
    csv_model: str | None = None
    csv_header: list = field(default_factory=list)


def stored_arch(elements, qualify):
    """A fresh copy of a view's arch as convert.py stores it.

    Several top-level elements are wrapped in <data> (_fix_multiple_roots) and each
    ``%(xmlid)d`` in attributes and text becomes ``qualify(match)``: the record id.
    """
    if len(elements) == 1:
        root = copy.deepcopy(elements[0])
    else:
        root = etree.Element("data")
        root.extend(copy.deepcopy(element) for element in elements)
    for element in root.iter():
        for name, value in element.attrib.items():
            if "%(" in value:
                element.set(name, PERCENT_REF_RE.sub(qualify, value))
        if isinstance(element.text, str) and "%(" in element.text:
            element.text = PERCENT_REF_RE.sub(qualify, element.text)
    return root


def full_xmlid(module, xmlid):
    return xmlid if "." in xmlid else f"{module}.{xmlid}"


def _expression_refs(expression, line, via, refs):
    for match in EVAL_REF_RE.finditer(expression):
        refs.append(Ref(match.group(2), line, via))


class _DataReader:
    """Walks the data files of one module the way convert.py does, without a database."""

    def __init__(self, index):
        self.index = index
        self.seq = 0
        self.noupdate = False

    def next_seq(self):
        self.seq += 1
        return self.seq

    def read(self, kind, relative):
        data_file = DataFile(relative, kind)
        lower = relative.lower()
        try:
            if lower.endswith(".xml"):
                root = self.index.xml(relative).getroot()
                if root.tag in DATA_ROOTS:
                    self.read_root(data_file, root)
            elif lower.endswith(".csv"):
                self.read_csv(data_file)
        except FileProblem as problem:
            data_file.problem = problem
        return data_file

    # -- XML ------------------------------------------------------------------
    def read_root(self, data_file, root):
        outer_noupdate = self.noupdate
        if root.get("noupdate") is not None:
            # convert.py reads the flag with str2bool and keeps it for nested <data>.
            self.noupdate = root.get("noupdate").strip().lower() in ("1", "true", "yes", "on")
        try:
            self._read_root_children(data_file, root)
        finally:
            self.noupdate = outer_noupdate

    def _read_root_children(self, data_file, root):
        if root.get("context"):
            data_file.records.append(self.make(data_file, "context", root, None))
        for node in root:
            if not isinstance(node.tag, str):
                continue
            if node.tag in DATA_ROOTS:
                self.read_root(data_file, node)
            elif node.tag == "record":
                self.read_record(data_file, node)
            elif node.tag == "menuitem":
                self.read_menuitem(data_file, node)
            elif node.tag == "template":
                self.read_template(data_file, node)
            elif node.tag in ("function", "delete"):
                self.read_call(data_file, node)
            else:
                data_file.ignored_tags.append((node.tag, node.sourceline))

    def make(self, data_file, tag, node, model, xmlid=None):
        record = DataRecord(
            data_file.path, data_file.kind, tag, node.sourceline, self.next_seq(), model, xmlid,
            noupdate=self.noupdate,
        )
        if node.get("context"):
            record.expressions.append((node.get("context"), node.sourceline, "context"))
            _expression_refs(node.get("context"), node.sourceline, "context", record.refs)
        if node.get("uid"):
            record.refs.append(Ref(node.get("uid"), node.sourceline, "uid"))
        return record

    def read_record(self, data_file, node, parent=None):
        record = self.make(data_file, "record", node, node.get("model"), node.get("id"))
        record.forcecreate = node.get("forcecreate")
        record.parent = parent
        data_file.records.append(record)
        optional = (record.forcecreate or "1").strip().lower() in ("0", "false", "off")
        children = []
        for child in node.iterchildren("field"):
            name = child.get("name")
            record.fields.append(DataField(name, child.sourceline, child, child.text or ""))
            self.read_value(record, child, name, optional)
            if len(child):  # most fields hold text only
                children.extend(child.iterchildren("record"))
        # Nested one2many records are created right after their parent.
        for child in children:
            self.read_record(data_file, child, parent=record)

    def read_value(self, record, node, name, optional=False):
        """Refs and expressions of a <field>/<value> element, as _eval_xml reads it."""
        attributes = node.attrib
        if not attributes:
            return  # a plain value: most fields
        line = node.sourceline
        if search := attributes.get("search"):
            record.expressions.append((search, line, f"search of {name}"))
            _expression_refs(search, line, "search", record.refs)
        elif ref := attributes.get("ref"):
            parent_view = name == "inherit_id" and record.model in VIEW_MODELS
            via = "inherit_id" if parent_view else f"ref of {name}"
            record.refs.append(Ref(ref, line, via, optional))
        elif evaluated := attributes.get("eval"):
            record.expressions.append((evaluated, line, f"eval of {name}"))
            _expression_refs(evaluated, line, "eval", record.refs)
        elif attributes.get("type") in ("xml", "html"):
            content = "".join(etree.tostring(child, encoding="unicode") for child in node)
            if "%(" in content:
                for match in PERCENT_REF_RE.finditer(content):
                    record.refs.append(Ref(match.group(1), line, f"%(...)d in {name}"))
        elif attributes.get("type") in ("list", "tuple"):
            for value in node.iterchildren("value"):
                self.read_value(record, value, name, optional)

    def read_menuitem(self, data_file, node):
        record = self.make(data_file, "menuitem", node, "ir.ui.menu", node.get("id"))
        record.sequence = node.get("sequence")
        data_file.records.append(record)
        line = node.sourceline
        if node.get("parent") and node.getparent().tag != "menuitem":
            record.refs.append(Ref(node.get("parent"), line, "parent"))
        if node.get("action"):
            record.refs.append(Ref(node.get("action"), line, "action"))
        for group in (node.get("groups") or "").split(","):
            group = group.strip().lstrip("-")
            if group:
                record.refs.append(Ref(group, line, "groups"))
        for child in node.iterchildren("menuitem"):
            self.read_menuitem(data_file, child)

    def read_template(self, data_file, node):
        model = "theme.ir.ui.view" if self.index.source.name.startswith("theme_") else "ir.ui.view"
        xmlid = node.get("id", node.get("t-name"))
        record = self.make(data_file, "template", node, model, xmlid)
        data_file.records.append(record)
        line = node.sourceline
        for attribute in ("inherit_id", "website_id"):
            if node.get(attribute):
                record.refs.append(Ref(node.get(attribute), line, attribute))
        for group in (node.get("groups") or "").split(","):
            if group.strip():
                record.refs.append(Ref(group.strip(), line, "groups"))
        content = etree.tostring(node, encoding="unicode")
        if "%(" in content:
            for match in PERCENT_REF_RE.finditer(content):
                record.refs.append(Ref(match.group(1), line, "%(...)d"))

    def read_call(self, data_file, node):
        record = self.make(data_file, node.tag, node, node.get("model"), node.get("id"))
        record.method = node.get("name") if node.tag == "function" else None
        data_file.records.append(record)
        line = node.sourceline
        if node.get("search"):
            record.expressions.append((node.get("search"), line, "search"))
            if node.tag == "function":
                _expression_refs(node.get("search"), line, "search", record.refs)
        if node.tag == "delete":
            return  # a missing id or failing search only logs a WARNING
        if node.get("model") == "ir.model.data" and node.get("name") == "_update_xmlids":
            # Binds xmlids to records created by code (stock.stock_location_stock).
            content = etree.tostring(node, encoding="unicode")
            for match in UPDATE_XMLIDS_RE.finditer(content):
                bound = DataRecord(data_file.path, data_file.kind, "xmlid", line,
                                   self.next_seq(), None, match.group(2))
                data_file.records.append(bound)
        if node.get("eval"):
            record.expressions.append((node.get("eval"), line, "eval"))
            _expression_refs(node.get("eval"), line, "eval", record.refs)
        for child in node.iter("value", "function"):
            if child is node:
                continue
            if child.tag == "function":
                if child.get("eval"):
                    record.expressions.append((child.get("eval"), child.sourceline, "eval"))
                    _expression_refs(child.get("eval"), child.sourceline, "eval", record.refs)
            else:
                self.read_value(record, child, child.get("name") or "value")

    # -- CSV ------------------------------------------------------------------
    def read_csv(self, data_file):
        data_file.csv_model = os.path.splitext(os.path.basename(data_file.path))[0].split("-")[0]
        header, rows = self.index.csv_rows(data_file.path)
        data_file.csv_header = header
        id_column = header.index("id") if "id" in header else None
        ref_columns = [
            (position, column) for position, column in enumerate(header)
            if column.endswith((":id", "/id")) and column not in (":id", "/id")
        ]
        for number, row in enumerate(rows, start=2):
            xmlid = row[id_column].strip() if id_column is not None and id_column < len(row) else None
            record = DataRecord(
                data_file.path, data_file.kind, "csv", number, self.next_seq(),
                data_file.csv_model, xmlid or None,
            )
            record.fields = [DataField(column, number, None, row[p] if p < len(row) else "")
                             for p, column in enumerate(header)]
            for position, column in ref_columns:
                value = row[position] if position < len(row) else ""
                for xmlid_ref in value.split(","):
                    if xmlid_ref.strip():
                        record.refs.append(Ref(xmlid_ref.strip(), number, column))
            data_file.records.append(record)
