# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 2: each module's files, read and parsed once per run, never executed.

XML is parsed with entity resolution and network access off; paths are
resolved strictly inside the module folder (no ``..``, no symlink escape);
files larger than ``MAX_FILE_BYTES`` are reported instead of read.
"""

import ast
import csv
import io
import os
import re
from functools import cached_property

from lxml import etree

# The index's parts, re-exported: rules import them from here.
from .data_files import (  # noqa: F401
    ACL_MODEL_COLUMNS, DATA_ROOTS, PERCENT_REF_RE, VIEW_MODELS, DataFile, DataRecord, DataView,
    _DataReader, full_xmlid, stored_arch,
)
from .discovery import find_manifest
from .file_problem import FileProblem
from .python_scope import missing_relative_imports
from .python_summary import (  # noqa: F401
    NOT_LITERAL, PythonFile, is_test_or_migration, summarize_python, summarize_python_source,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
# ``def X``, ``class X`` or ``X =`` / ``X: ...`` at the start of a line (top level).
TOP_LEVEL_BINDING_RE = re.compile(rb"^(?:def|class)\s+(\w+)|^(\w+)\s*[:=]", re.MULTILINE)
# Words rules look for in XML files (xml_mentions): the text of each file is searched
# for them once, when it is parsed.
XML_HINTS = frozenset((b"tree_view_ref",))
SKIPPED_DIRS = {"static", "node_modules", "__pycache__", ".git"}


def safe_xml_parser():
    # No table of xml:id attributes: nothing looks elements up by them, and over a
    # whole addons tree the table is a quarter of the trees' memory.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False,
    )


class ModuleIndex:
    """Lazily parsed view of one module folder; every parse is cached."""

    def __init__(self, source, parse_cache=None):
        self.source = source
        self.parse_cache = parse_cache  # a ParseCache keeping summaries across runs, or None
        self.root = os.path.realpath(source.path)
        self._xml = {}
        self._xml_hints = {}  # relative -> the XML_HINTS words its text holds
        self._csv = {}
        self._listings = {}  # folder -> its entries, or None when unreadable
        self._exact_case = {}  # relative path -> exact_case_exists()'s answer
        self._resolved = {}  # relative path -> resolve()'s answer
        self._resolved_folders = {}  # relative folder -> its real path
        self._mentions = {}  # text -> python_mentions()'s answer

    # -- paths -------------------------------------------------------------
    def resolve(self, relative):
        """Absolute path of ``relative`` inside the module, or None if it escapes."""
        # A NUL byte makes every path call raise ValueError: no such file, anywhere.
        if not isinstance(relative, str) or not relative or os.path.isabs(relative) or "\0" in relative:
            return None
        if relative not in self._resolved:
            folder, name = os.path.split(relative)
            if name in ("", ".", "..") or os.path.islink(os.path.join(self.root, relative)):
                candidate = os.path.realpath(os.path.join(self.root, relative))
            else:
                # realpath reads every link of the path (a stat per component): the
                # folders are resolved once per run, the file itself is no link.
                candidate = os.path.join(self._real_folder(folder), name)
            inside = candidate == self.root or candidate.startswith(self.root + os.sep)
            self._resolved[relative] = candidate if inside else None
        return self._resolved[relative]

    def _real_folder(self, folder):
        if folder not in self._resolved_folders:
            self._resolved_folders[folder] = os.path.realpath(os.path.join(self.root, folder))
        return self._resolved_folders[folder]

    def exact_case_exists(self, relative):
        """True when every path component exists with exactly this spelling (asked by
        several rules about each data file: answered once per run)."""
        if relative not in self._exact_case:
            self._exact_case[relative] = self._exact_case_exists(relative)
        return self._exact_case[relative]

    def _exact_case_exists(self, relative):
        current = self.root
        for part in relative.replace("\\", "/").split("/"):
            if part in ("", "."):
                continue
            entries = self._listing(current)
            if entries is None or part not in entries:
                return False
            current = os.path.join(current, part)
        return os.path.isfile(current)

    def _listing(self, folder):
        """Entries of ``folder``, listed once per run: rules ask about the same folders often."""
        if folder not in self._listings:
            try:
                self._listings[folder] = frozenset(os.listdir(folder))
            except OSError:
                self._listings[folder] = None
        return self._listings[folder]

    def read_bytes(self, relative):
        path = self.resolve(relative)
        if path is None:
            raise FileProblem(f"{relative} points outside the module folder.")
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                raise FileProblem(f"{relative} is larger than 20 MiB; not read.")
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise FileProblem(f"{relative} cannot be read: {error.strerror}.") from None

    # -- manifest ----------------------------------------------------------
    @property
    def manifest(self):
        return self.source.manifest or {}

    def manifest_files(self, key):
        """The str entries of a manifest file list (``data``, ``demo``...)."""
        value = self.manifest.get(key, [])
        if not isinstance(value, list | tuple):
            return []
        return [entry for entry in value if isinstance(entry, str)]

    def manifest_key_line(self, key):
        """Line of ``key`` in the manifest file, for precise findings."""
        return self._manifest_key_lines.get(key)

    @cached_property
    def _manifest_key_lines(self):
        try:
            tree = ast.parse(self.read_bytes(self.source.manifest_file))
        except (FileProblem, SyntaxError, ValueError):
            return {}
        node = tree.body[0].value if tree.body and isinstance(tree.body[0], ast.Expr) else None
        if not isinstance(node, ast.Dict):
            return {}
        return {
            key.value: key.lineno
            for key in node.keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        }

    def loaded_files(self):
        """``(key, relative path)`` of the data and demo files Odoo loads."""
        for key in ("data", "demo"):
            for relative in self.manifest_files(key):
                yield key, relative

    # -- Python ------------------------------------------------------------
    @cached_property
    def python_files(self):
        found = []
        for folder, dirs, files in os.walk(self.root):
            # Nested module folders (fixtures, examples) are modules of their own.
            dirs[:] = sorted(
                d for d in dirs
                if d not in SKIPPED_DIRS and not d.startswith(".")
                and not find_manifest(os.path.join(folder, d))
            )
            for name in sorted(files):
                if name.endswith(".py"):
                    found.append(os.path.relpath(os.path.join(folder, name), self.root))
        return found

    @cached_property
    def python(self):
        """``{relative: PythonFile}``: what the rules need from each Python file.

        Each file is parsed once and only a small summary is kept: holding the
        syntax trees of a whole addons tree in memory makes the garbage
        collector rescan them on every parse and triples the run time.
        """
        if self.parse_cache is not None:
            return self.parse_cache.summaries(self)
        return {relative: summarize_python(self, relative) for relative in self.python_files}

    def import_problems(self, relative):
        """``(kind, name, line)`` of what makes ``relative`` raise when Odoo imports it."""
        folder = os.path.dirname(os.path.join(self.root, relative))
        problems = missing_relative_imports(self.python[relative].import_problems, folder)
        package_init = os.path.join(os.path.dirname(relative), "__init__.py")
        if package_init != relative and any(kind == "import" for kind, _name, _line in problems):
            # ``from . import X`` also finds what the package's __init__.py binds.
            package_names = self._top_level_names(package_init)
            problems = [(kind, name, line) for kind, name, line in problems
                        if kind != "import" or name not in package_names]
        return problems

    def _top_level_names(self, relative):
        """Names a Python file of the module binds at its top level (defs, classes,
        assignments, imports); empty when there is no such file."""
        summary = self.python.get(relative)
        if summary is None:
            return set()
        try:
            source = self.read_bytes(relative)
        except FileProblem:
            return set()
        names = {match.group(1) or match.group(2) for match in TOP_LEVEL_BINDING_RE.finditer(source)}
        return {name.decode() for name in names} | summary.imported_names | set(summary.functions)

    @cached_property
    def models(self):
        """Model classes of the module (tests and migrations excluded), in file order."""
        return [
            model
            for relative, summary in self.python.items()
            if not is_test_or_migration(relative)
            for model in summary.models
        ]

    @cached_property
    def models_complete(self):
        """False when some model classes are created in ways the AST summary cannot follow."""
        return not any(
            summary.hidden_classes or summary.problem
            for relative, summary in self.python.items()
            if not is_test_or_migration(relative)
        )

    @cached_property
    def defined_models(self):
        """Model names this module defines (``_name``) or extends (``_inherit``)."""
        names = set()
        for model in self.models:
            if model.name:
                names.add(model.name)
            names.update(model.inherit or ())
        return names

    @cached_property
    def model_names(self):
        """Effective names of the module's model classes (its ``model_<x>`` xmlids)."""
        return {model.name for model in self.models if model.name}

    @cached_property
    def models_by_name(self):
        """``{model name: [classes of this module, in file order]}``."""
        found = {}
        for model in self.models:
            if model.name:
                found.setdefault(model.name, []).append(model)
        return found

    # -- data files in load order ------------------------------------------
    @cached_property
    def data_files(self):
        """DataFile of every existing XML/CSV file listed in data then demo, in load order."""
        reader = _DataReader(self)
        files = []
        for kind, relative in self.loaded_files():
            if relative.lower().endswith((".xml", ".csv")) and self.exact_case_exists(relative):
                files.append(reader.read(kind, relative))
        return files

    @cached_property
    def records(self):
        return [record for data_file in self.data_files for record in data_file.records]

    @cached_property
    def records_by_model(self):
        """``{model: [<record>s and CSV rows of that model]}``, in load order."""
        found = {}
        for record in self.records:
            if record.model and record.tag in ("record", "csv"):
                found.setdefault(record.model, []).append(record)
        return found

    @cached_property
    def xmlid_definitions(self):
        """``{full xmlid: [DataRecord, ...]}`` for every record the files define."""
        definitions = {}
        module = self.source.name
        for record in self.records:
            if record.xmlid and record.tag in ("record", "menuitem", "template", "csv", "xmlid"):
                definitions.setdefault(full_xmlid(module, record.xmlid), []).append(record)
        return definitions

    def defines_xmlid(self, name):
        """True if the xmlid ``<this module>.name`` exists once the module is installed."""
        module = self.source.name
        if f"{module}.{name}" in self.xmlid_definitions:
            return True
        if name.startswith("model_"):
            return not self.models_complete or any(
                m.replace(".", "_") == name[6:] for m in self.model_names)
        return False

    @cached_property
    def _python_text(self):
        chunks = []
        for relative in self.python_files:
            if not is_test_or_migration(relative):
                try:
                    chunks.append(self.read_bytes(relative).decode("utf-8", "replace"))
                except FileProblem:
                    continue
        return "\n".join(chunks)

    def python_mentions(self, text):
        """True if the module's Python code contains ``text`` (e.g. an xmlid it creates).

        Remembered: every module that depends on this one asks the same questions,
        and each is a scan of all the module's code.
        """
        if text not in self._mentions:
            self._mentions[text] = text in self._python_text
        return self._mentions[text]

    def may_define_xmlid(self, name, delegated_tables=()):
        """True if ``name`` may be generated by Odoo or by the module's code.

        A record of a model with ``_inherits`` (ir.cron, product.product...) also
        gets ``<xmlid>_<parent table>`` for its parent record; ``delegated_tables``
        are the parent models of the closure, with dots as underscores.
        """
        module = self.source.name
        parts = name.split("_")
        for cut in range(1, len(parts)):
            if ("_".join(parts[cut:]) in delegated_tables
                    and f"{module}.{'_'.join(parts[:cut])}" in self.xmlid_definitions):
                return True
        # Code may bind xmlids itself (ir.model.data _update_xmlids, env.ref setups),
        # also from a pattern ('configurator_%s', f"new_page_template_{name}").
        if self.python_mentions(name):
            return True
        for cut in range(1, len(parts)):
            prefix = "_".join(parts[:cut]) + "_"
            # The pattern must start a string or follow the module's own prefix:
            # neither 'in_group_%s' nor '__custom__.group_{id}' makes 'group_x' generated.
            if any(self.python_mentions(lead + prefix + tail)
                   for lead in ("'", '"', f"{module}.") for tail in ("%s", "{", "%(")):
                return True
        return False

    @cached_property
    def acl_records(self):
        """CSV rows that are access rules: the ir.model.access file, or any file shaped like it.

        A misnamed file (DAT012) still shows which access rules were intended.
        """
        return [
            record for data_file in self.data_files
            if data_file.csv_model == "ir.model.access"
            or any(c in data_file.csv_header for c in ACL_MODEL_COLUMNS)
            for record in data_file.records
        ]

    @cached_property
    def acl_model_names(self):
        """``model_<x>`` local names that the module's access rules (CSV or XML) name."""
        names = set()
        for record in self.acl_records:
            for data_field in record.fields:
                if data_field.name in ACL_MODEL_COLUMNS and data_field.text.strip():
                    names.add(data_field.text.strip().rpartition(".")[2])
        for record in self.records:
            if record.tag == "record" and record.model == "ir.model.access":
                model_field = record.get_field("model_id")
                if model_field is not None and model_field.node.get("ref"):
                    names.add(model_field.node.get("ref").rpartition(".")[2])
        return names

    @cached_property
    def views(self):
        """DataView of every ir.ui.view record and template, in load order."""
        views = []
        for record in self.records:
            if record.tag == "template":
                inherit = next((r.xmlid for r in record.refs if r.via == "inherit_id"), None)
                views.append(DataView(record, None, inherit, "qweb", True, None))
            elif record.tag == "record" and record.model in VIEW_MODELS:
                arch = record.get_field("arch")
                inherit = record.get_field("inherit_id")
                type_field = record.get_field("type")
                model_field = record.get_field("model")
                view_type = type_field.text.strip() if type_field is not None else None
                views.append(DataView(
                    record,
                    model_field.text.strip() if model_field is not None else None,
                    inherit.node.get("ref") if inherit is not None else None,
                    view_type,
                    view_type == "qweb",
                    arch.node if arch is not None else None,
                ))
        return views

    @cached_property
    def views_by_xmlid(self):
        module = self.source.name
        return {full_xmlid(module, v.record.xmlid): v for v in self.views if v.record.xmlid}

    # -- XML and CSV -------------------------------------------------------
    def xml(self, relative):
        """Parsed XML tree of a module file; raises FileProblem when unusable."""
        if relative not in self._xml:
            try:
                data = self.read_bytes(relative)
                # A character reference (&#95;) or a UTF-16 text spells a word otherwise.
                plain = b"&#" not in data and b"\0" not in data[:256]
                self._xml_hints[relative] = (frozenset(word for word in XML_HINTS if word in data)
                                             if plain else XML_HINTS)
                self._xml[relative] = etree.parse(io.BytesIO(data), safe_xml_parser())
            except FileProblem as problem:
                self._xml[relative] = problem
            except etree.XMLSyntaxError as error:
                self._xml[relative] = FileProblem(error.msg, error.lineno or None)
        result = self._xml[relative]
        if isinstance(result, FileProblem):
            raise result
        return result

    def xml_mentions(self, relative, word):
        """False when the text of the XML file ``relative`` surely lacks ``word`` (one
        of XML_HINTS): a substring test of its bytes, made when the file was parsed, spares
        rules a search through the tree of the many files that never mention it."""
        if word not in XML_HINTS:
            raise ValueError(f"{word!r} is not one of XML_HINTS")
        self.xml(relative)
        return word in self._xml_hints[relative]

    def csv_rows(self, relative):
        """Header and rows of a CSV data file, decoded as Odoo does (UTF-8)."""
        if relative not in self._csv:
            try:
                text = self.read_bytes(relative).decode("utf-8-sig")
                rows = list(csv.reader(io.StringIO(text, newline="")))
                self._csv[relative] = (rows[0] if rows else [], rows[1:])
            except FileProblem as problem:
                self._csv[relative] = problem
            except UnicodeDecodeError as error:
                self._csv[relative] = FileProblem(f"not UTF-8 ({error.reason}).")
            except csv.Error as error:
                self._csv[relative] = FileProblem(f"unreadable CSV: {error}.")
        result = self._csv[relative]
        if isinstance(result, FileProblem):
            raise result
        return result
