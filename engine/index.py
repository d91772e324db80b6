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

from .discovery import find_manifest

MAX_FILE_BYTES = 20 * 1024 * 1024
# ``_name = "x"`` / ``_inherit = ["a", "b"]`` in a class body (indented).
MODEL_ASSIGNMENT_RE = re.compile(
    r"""^[ \t]+_(?:name|inherit)\s*=\s*(\[[^\]]*\]|\([^)]*\)|'[^'\n]*'|"[^"\n]*")""",
    re.MULTILINE,
)
SKIPPED_DIRS = {"static", "node_modules", "__pycache__", ".git"}


class FileProblem(Exception):
    """A file that cannot be used, with the line where that shows, if any."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line


def safe_xml_parser():
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


class ModuleIndex:
    """Lazily parsed view of one module folder; every parse is cached."""

    def __init__(self, source):
        self.source = source
        self.root = os.path.realpath(source.path)
        self._xml = {}
        self._csv = {}

    # -- paths -------------------------------------------------------------
    def resolve(self, relative):
        """Absolute path of ``relative`` inside the module, or None if it escapes."""
        if not isinstance(relative, str) or not relative or os.path.isabs(relative):
            return None
        candidate = os.path.realpath(os.path.join(self.root, relative))
        if candidate != self.root and not candidate.startswith(self.root + os.sep):
            return None
        return candidate

    def exact_case_exists(self, relative):
        """True when every path component exists with exactly this spelling."""
        current = self.root
        for part in relative.replace("\\", "/").split("/"):
            if part in ("", "."):
                continue
            try:
                if part not in os.listdir(current):
                    return False
            except OSError:
                return False
            current = os.path.join(current, part)
        return os.path.isfile(current)

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
    def python_trees(self):
        """``{relative: ast.Module}`` of the files that parse; the rest map to FileProblem."""
        trees = {}
        for relative in self.python_files:
            try:
                source = self.read_bytes(relative)
                trees[relative] = ast.parse(source, filename=relative)
            except FileProblem as problem:
                trees[relative] = problem
            except SyntaxError as error:
                trees[relative] = FileProblem(f"{error.msg}", error.lineno)
            except (ValueError, RecursionError, MemoryError) as error:
                trees[relative] = FileProblem(str(error)[:200])
        return trees

    @cached_property
    def defined_models(self):
        """Model names this module defines (``_name``) or extends (``_inherit``).

        A textual scan of class-level assignments with literal values: indexing
        a dependency closure must stay cheap (``account`` alone has ~400 Python
        files), and a full AST parse of every closure file costs seconds.
        """
        names = set()
        for relative in self.python_files:
            try:
                source = self.read_bytes(relative).decode("utf-8", "replace")
            except FileProblem:
                continue
            for match in MODEL_ASSIGNMENT_RE.finditer(source):
                try:
                    value = ast.literal_eval(match.group(1))
                except (ValueError, SyntaxError):
                    continue
                values = value if isinstance(value, list | tuple) else [value]
                names.update(v for v in values if isinstance(v, str))
        return names

    # -- XML and CSV -------------------------------------------------------
    def xml(self, relative):
        """Parsed XML tree of a module file; raises FileProblem when unusable."""
        if relative not in self._xml:
            try:
                data = self.read_bytes(relative)
                self._xml[relative] = etree.parse(io.BytesIO(data), safe_xml_parser())
            except FileProblem as problem:
                self._xml[relative] = problem
            except etree.XMLSyntaxError as error:
                self._xml[relative] = FileProblem(error.msg, error.lineno or None)
        result = self._xml[relative]
        if isinstance(result, FileProblem):
            raise result
        return result

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

