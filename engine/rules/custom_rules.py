# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Rules without code: a regular expression, an XPath or a Python expression.

Managers define them as data (``module.validator.rule`` records); the Odoo
layer hands them to the engine as plain dicts, built here into objects with the
interface of the entries of ``RULES`` (``code``, ``level``, ``severity``,
``runs_at(level)``, ``check(ctx)``). Nothing here imports Odoo: the Python
expression evaluator (Odoo's ``safe_eval``) is passed in by the caller.

Isolation. A manager's pattern is hostile input as far as the engine is
concerned (catastrophic backtracking, quadratic XPath, endless expressions):
the user-supplied part of each check runs under ``engine.time_limit`` in a
forked child, and a rule that fails or runs out of time is reported as an
internal error (MV001) of that module; the run goes on.
"""

import copy
import os
import re
import types
from collections.abc import Iterable, Mapping

from lxml import etree

from ..discovery import find_manifest
from ..time_limit import TimeLimitError, run_with_time_limit
from ..index import FileProblem, NOT_LITERAL, is_test_or_migration
from .registry import IMPACTS, SEVERITIES, Issue, Rule

CUSTOM_CATEGORY = "custom"
CUSTOM_PREFIX = "X-"
# X- then an upper-case letter or digit, then letters, digits, '_', '.', '-'.
CODE_RE = re.compile(r"X-[A-Z0-9][A-Z0-9_.-]{0,39}")
KINDS = ("regex", "xpath", "python")
XPATH_SCOPES = ("file", "arch")
DEFAULT_TIME_LIMIT = 2.0
MAX_TIME_LIMIT = 60.0
MAX_PATTERN_CHARS = 10000
MAX_FINDINGS = 100  # per rule and module; the rest are summarised in one finding
MAX_FILES = 20000  # files listed per module
MAX_MESSAGE_CHARS = 500
WALK_SKIPPED_DIRS = {"node_modules", "__pycache__", ".git"}
DEFAULT_GLOBS = {"regex": "", "xpath": "**/*.xml", "python": ""}


class CustomRuleError(Exception):
    """A custom rule that failed or ran out of time on one module.

    The runner reports it as an internal error (MV001) of that module, with
    this message and without an engine source location.
    """

    custom_rule = True


class DefinitionError(ValueError):
    """A custom rule definition that cannot run; the message says why."""


# -- globs --------------------------------------------------------------------
def split_globs(file_glob):
    """The globs of a ``file_glob`` field: separated by commas or new lines."""
    return [part.strip() for part in re.split(r"[,\n]", file_glob or "") if part.strip()]


def glob_regex(glob):
    """Compiled regex of a path glob relative to the module folder.

    ``**`` crosses folders (``**/`` also matches no folder at all), ``*`` and
    ``?`` stay inside one folder, ``[abc]``/``[!abc]`` are character classes. A
    glob without ``/`` matches the file name in any folder, as in .gitignore.
    """
    glob = glob.strip().replace("\\", "/").lstrip("/")
    if "/" not in glob:
        glob = "**/" + glob
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2:]:
            end = glob.index("]", i + 2)
            body = glob[i + 1:end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("(?s:" + "".join(out) + r")\Z")


def glob_matcher(file_glob, default=""):
    """``match(relative) -> bool`` for a ``file_glob`` field (every file when empty)."""
    regexes = [glob_regex(glob) for glob in split_globs(file_glob or default)]
    if not regexes:
        return lambda relative: True
    return lambda relative: any(regex.match(relative) for regex in regexes)


# -- definitions ----------------------------------------------------------------
def check_code(code):
    """Raise DefinitionError unless ``code`` is a valid custom rule code."""
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise DefinitionError(
            f"Custom rule codes start with '{CUSTOM_PREFIX}' followed by 1 to 40 upper-case "
            f"letters, digits, '_', '.' or '-' (e.g. X-ACME001); got {code!r}."
        )


def check_definition(kind, pattern, file_glob="", time_limit=DEFAULT_TIME_LIMIT,
                     xpath_scope="file"):
    """Raise DefinitionError when the definition cannot run.

    Regexes and XPaths are compiled; a Python expression is compiled as an
    expression (the caller adds the evaluator's own checks, e.g. safe_eval's
    allowed opcodes). Nothing is run against a module here.
    """
    if kind not in KINDS:
        raise DefinitionError(f"Unknown kind of custom rule {kind!r}; expected one of {', '.join(KINDS)}.")
    if not isinstance(pattern, str) or not pattern.strip():
        raise DefinitionError("The pattern (regular expression, XPath or expression) is required.")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise DefinitionError(f"The pattern is longer than {MAX_PATTERN_CHARS} characters.")
    if not isinstance(time_limit, int | float) or not 0 < time_limit <= MAX_TIME_LIMIT:
        raise DefinitionError(f"The time limit must be more than 0 and at most {MAX_TIME_LIMIT:g} seconds.")
    for glob in split_globs(file_glob):
        if glob.startswith("/") or ".." in glob.replace("\\", "/").split("/"):
            raise DefinitionError(f"The file glob {glob!r} must stay inside the module folder.")
        try:
            glob_regex(glob)
        except (re.error, OverflowError, RecursionError) as error:
            raise DefinitionError(f"The file glob {glob!r} is not valid: {error}.") from None
    if kind == "regex":
        if not split_globs(file_glob):
            raise DefinitionError("A regular expression rule needs a file glob, e.g. **/*.py.")
        try:
            re.compile(pattern, re.MULTILINE)
        except re.error as error:
            where = f" at position {error.pos}" if error.pos is not None else ""
            raise DefinitionError(f"The regular expression is not valid: {error.msg}{where}.") from None
        except (OverflowError, RecursionError, MemoryError) as error:
            raise DefinitionError(f"The regular expression is not valid: {error}.") from None
    elif kind == "xpath":
        if xpath_scope not in XPATH_SCOPES:
            raise DefinitionError(f"Unknown XPath scope {xpath_scope!r}; expected 'file' or 'arch'.")
        try:
            xpath = etree.XPath(pattern)
        except (etree.XPathError, ValueError) as error:
            raise DefinitionError(f"The XPath is not valid: {error}.") from None
        try:  # unknown functions and variables only show when evaluated
            xpath(etree.ElementTree(etree.Element("odoo")))
        except etree.XPathError as error:
            raise DefinitionError(f"The XPath cannot be evaluated: {error}.") from None
    else:
        try:
            compile(pattern.strip(), "<custom rule>", "eval")
        except SyntaxError as error:
            raise DefinitionError(
                f"The Python expression does not compile: {error.msg} (line {error.lineno}, "
                f"column {error.offset})."
            ) from None
        except (ValueError, OverflowError, RecursionError, MemoryError) as error:
            raise DefinitionError(f"The Python expression does not compile: {error}.") from None


def build_rules(specs, evaluator=None):
    """Rule objects of custom rule ``specs`` (dicts, see :func:`build_rule`)."""
    return [build_rule(spec, evaluator) for spec in specs]


def build_rule(spec, evaluator=None):
    """A Rule (same interface as the entries of RULES) from a plain dict.

    Keys: ``code``, ``title``, ``severity``, ``kind`` (regex, xpath, python),
    ``pattern``, and optionally ``file_glob``, ``xpath_scope`` (file, arch),
    ``time_limit`` (seconds), ``category``, ``impact`` (default hygiene) and the
    knowledge-base texts (``rationale``, ``bad_example``, ``good_example``,
    ``remedy``, ``prevents``). ``evaluator(expression, context)`` evaluates Python
    expressions (Odoo's ``safe_eval``). A definition that cannot run does not
    stop anything: the rule reports it as an internal error on every module.
    """
    severity = spec.get("severity") if spec.get("severity") in SEVERITIES else "warning"
    # A custom rule's impact is its author's claim; by default a team convention.
    impact = spec.get("impact") if spec.get("impact") in IMPACTS else "hygiene"
    check = CustomCheck(spec, evaluator)
    return Rule(
        code=str(spec.get("code") or "X-?"),
        title=str(spec.get("title") or spec.get("code") or "Custom rule"),
        category=spec.get("category") or CUSTOM_CATEGORY,
        level="static",
        severity=severity,
        rationale=spec.get("rationale") or "",
        bad_example=spec.get("bad_example") or "",
        good_example=spec.get("good_example") or "",
        remedy=spec.get("remedy") or "",
        prevents=spec.get("prevents") or "",
        check=check,
        impact=impact,
    )


class CustomCheck:
    """The ``check(ctx)`` of one custom rule."""

    def __init__(self, spec, evaluator=None):
        self.code = str(spec.get("code") or "X-?")
        self.title = str(spec.get("title") or self.code)
        self.kind = spec.get("kind")
        self.pattern = spec.get("pattern") or ""
        self.file_glob = spec.get("file_glob") or ""
        self.xpath_scope = spec.get("xpath_scope") or "file"
        self.evaluator = evaluator
        try:
            self.time_limit = float(spec.get("time_limit") or DEFAULT_TIME_LIMIT)
        except (TypeError, ValueError):
            self.time_limit = DEFAULT_TIME_LIMIT
        self.problem = None
        try:
            check_definition(self.kind, self.pattern, self.file_glob, self.time_limit, self.xpath_scope)
            self.matches = glob_matcher(self.file_glob, DEFAULT_GLOBS.get(self.kind, ""))
        except DefinitionError as error:
            self.problem = str(error)
        if self.kind == "python" and evaluator is None and not self.problem:
            self.problem = "No Python expression evaluator was given to the engine."

    def __call__(self, ctx):
        if self.problem:
            raise CustomRuleError(f"its definition cannot run: {self.problem.rstrip('.')}")
        work = getattr(self, f"_prepare_{self.kind}")(ctx)
        try:
            rows = run_with_time_limit(work, self.time_limit)
        except TimeLimitError as error:
            raise CustomRuleError(str(error)) from None
        return [
            Issue(path, line if isinstance(line, int) and line > 0 else None, message, key=key)
            for path, line, message, key in rows
        ]

    # Each _prepare_* does the engine's part (listing and parsing files) in the
    # calling process and returns the user-supplied part as a function that
    # returns rows ``(path, line, message, key)``; only that function is timed.
    def _prepare_regex(self, ctx):
        files = [relative for relative in module_files(ctx) if self.matches(relative)]
        index, title, pattern = ctx.index, self.title, self.pattern

        def work():
            regex = re.compile(pattern, re.MULTILINE)
            rows = Rows(title)
            for relative in files:
                try:
                    text = index.read_bytes(relative).decode("utf-8", errors="replace")
                except FileProblem:
                    continue
                seen = {}
                for match in regex.finditer(text):
                    snippet = _one_line(match.group(0), 80)
                    seen[snippet] = seen.get(snippet, 0) + 1
                    line = text.count("\n", 0, match.start()) + 1
                    if not rows.add(relative, line, f"{title}: found {snippet!r}",
                                    f"{relative}:{snippet}:{seen[snippet]}"):
                        return rows.done()
            return rows.done()
        return work

    def _prepare_xpath(self, ctx):
        targets = []  # (path, tree or element, view xmlid)
        if self.xpath_scope == "arch":
            for view in ctx.index.views:
                root = view.root if view.arch is not None else None
                if root is not None and self.matches(view.record.path):
                    targets.append((view.record.path, root, view.record.xmlid or "", view.record.line))
        else:
            for relative in module_files(ctx):
                if relative.lower().endswith(".xml") and self.matches(relative):
                    try:
                        targets.append((relative, ctx.index.xml(relative), "", None))
                    except FileProblem:
                        continue  # DAT001 reports unusable XML files
        title, pattern, scope = self.title, self.pattern, self.xpath_scope

        def work():
            xpath = etree.XPath(pattern)
            rows = Rows(title)
            for path, target, xmlid, record_line in targets:
                if scope == "arch":  # the arch alone: '//x' must not see the rest of the file
                    target = etree.ElementTree(copy.deepcopy(target))
                where = f" in view {xmlid}" if xmlid else ""
                for line, what in _xpath_hits(xpath(target)):
                    if not rows.add(path, line or record_line, f"{title}{where}: {what}",
                                    f"{path}:{xmlid}:{what}:{line if not xmlid else ''}"):
                        return rows.done()
            return rows.done()
        return work

    def _prepare_python(self, ctx):
        context = python_context(ctx, self.matches)
        title, pattern, evaluator = self.title, self.pattern.strip(), self.evaluator

        def work():
            rows = Rows(title)
            for path, line, message in _python_results(evaluator(pattern, dict(context)), title):
                if not rows.add(path, line, message, f"{path}:{message}"):
                    break
            return rows.done()
        return work


class Rows:
    """Findings of one check, capped at MAX_FINDINGS."""

    def __init__(self, title):
        self.title = title
        self.rows = []
        self.dropped = 0

    def add(self, path, line, message, key):
        if len(self.rows) >= MAX_FINDINGS:
            self.dropped += 1
            return False
        self.rows.append((
            str(path or "")[:300],
            line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
            str(message)[:MAX_MESSAGE_CHARS],
            str(key)[:MAX_MESSAGE_CHARS],
        ))
        return True

    def done(self):
        if self.dropped:
            self.rows.append(("", None, f"{self.title}: more than {MAX_FINDINGS} matches; "
                              "only the first ones are reported.", "more-findings"))
        return self.rows


def _one_line(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _describe(element):
    if not isinstance(element.tag, str):
        return _one_line(etree.tostring(element, encoding="unicode", with_tail=False), 80)
    attributes = "".join(
        f' {key}="{value}"' for key, value in element.attrib.items() if key in ("id", "name", "model")
    )
    return f"<{element.tag}{attributes}>"


def _xpath_hits(result):
    """``(line, description)`` of what an XPath returned; empty when nothing matched."""
    if isinstance(result, bool):
        return [(None, "matched")] if result else []
    if isinstance(result, float):
        return [(None, f"counted {result:g}")] if result else []
    if isinstance(result, str) and not isinstance(result, etree._ElementUnicodeResult):
        return [(None, _one_line(result, 80))] if result else []
    hits = []
    for item in result:
        if isinstance(item, etree._Element):
            hits.append((item.sourceline, _describe(item)))
        elif isinstance(item, str):
            parent = item.getparent() if hasattr(item, "getparent") else None
            hits.append((parent.sourceline if parent is not None else None, repr(_one_line(item, 80))))
        else:
            hits.append((None, _one_line(item, 80)))
    return hits


def _python_results(value, title):
    """``(path, line, message)`` of what a Python expression returned.

    Falsy: nothing. ``True``: one finding with the rule's title. A string: one
    finding with that message. A mapping or a tuple ``(path, message)`` /
    ``(path, line, message)``: one finding. Any other iterable: one finding per
    item, each a string, a mapping or such a tuple.
    """
    if not value:
        return []
    if value is True:
        return [("", None, title)]
    if isinstance(value, str | Mapping) or (isinstance(value, tuple) and _is_finding_tuple(value)):
        return [_python_item(value, title)]
    if isinstance(value, Iterable):
        return [_python_item(item, title) for item in value]
    return [("", None, title)]


def _is_finding_tuple(value):
    return (len(value) in (2, 3) and isinstance(value[0], str) and isinstance(value[-1], str)
            and (len(value) == 2 or value[1] is None or isinstance(value[1], int)))


def _python_item(item, title):
    if isinstance(item, str):
        return "", None, item
    if isinstance(item, Mapping):
        return str(item.get("path") or ""), item.get("line"), str(item.get("message") or title)
    if isinstance(item, tuple | list) and _is_finding_tuple(tuple(item)):
        if len(item) == 2:
            return item[0], None, item[1]
        return tuple(item)
    raise CustomRuleError(
        f"the expression returned an item of type {type(item).__name__}; expected a message, "
        "a (path, message) or (path, line, message) tuple, or a dict with path, line and message."
    )


# -- what custom rules see ----------------------------------------------------------
def module_files(ctx):
    """Relative paths ('/' separated) of the module's files, sorted, once per run.

    Hidden folders, node_modules, __pycache__, .git and nested module folders
    are left out; at most MAX_FILES files.
    """
    return ctx.facts.memo(("custom_rule_files", ctx.module.name), lambda: _walk(ctx.index.root))


def _walk(root):
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs
            if d not in WALK_SKIPPED_DIRS and not d.startswith(".")
            and not find_manifest(os.path.join(folder, d))
            and not os.path.islink(os.path.join(folder, d))
        )
        for name in sorted(files):
            if name.startswith("."):
                continue
            found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
            if len(found) >= MAX_FILES:
                return tuple(found)
    return tuple(found)


def freeze(value):
    """A read-only copy: mappings become mappingproxy, lists tuples, sets frozensets."""
    if isinstance(value, Mapping):
        return types.MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    if isinstance(value, set | frozenset):
        return frozenset(freeze(item) for item in value)
    return value


def _literal_kwargs(kwargs):
    return {key: value for key, value in kwargs.items()
            if value is not NOT_LITERAL and isinstance(value, str | int | float | bool | tuple | list | None)}


RE_NAMESPACE = types.SimpleNamespace(
    search=re.search, match=re.match, fullmatch=re.fullmatch, findall=re.findall,
    sub=re.sub, split=re.split, escape=re.escape,
    IGNORECASE=re.IGNORECASE, MULTILINE=re.MULTILINE, DOTALL=re.DOTALL,
)


def python_context(ctx, matches=lambda relative: True):
    """The read-only names a Python expression rule sees (documented in the README).

    Built in the calling process from the module's parsed files; the expression
    itself runs in the isolated child.
    """
    index = ctx.index
    files = module_files(ctx)
    file_set = frozenset(files)

    def read(path):
        """Text of a module file (UTF-8, bad bytes replaced), or None."""
        if path not in file_set:
            return None
        try:
            return index.read_bytes(path).decode("utf-8", errors="replace")
        except FileProblem:
            return None

    def xpath(path, expression):
        """Result of an XPath on a parsed XML file of the module, or None."""
        if path not in file_set or not path.lower().endswith(".xml"):
            return None
        try:
            return index.xml(path).xpath(expression)
        except FileProblem:
            return None

    models = tuple(
        freeze({
            "name": model.name, "class_name": model.class_name, "inherit": model.inherit or [],
            "inherits": model.inherits or {}, "kind": model.kind, "path": model.path.replace(os.sep, "/"),
            "line": model.line, "methods": sorted(model.methods),
            "attributes": _literal_kwargs(model.attributes),
            "fields": {
                name: {"type": fld.type, "comodel": fld.comodel, "line": fld.line,
                       "args": _literal_kwargs(fld.kwargs)}
                for name, fld in model.fields.items()
            },
        })
        for model in index.models
    )
    records = tuple(
        freeze({
            "path": record.path, "kind": record.kind, "tag": record.tag, "model": record.model,
            "xmlid": record.xmlid, "line": record.line, "noupdate": record.noupdate,
            "fields": {fld.name: fld.text for fld in record.fields},
        })
        for record in index.records
    )
    views = tuple(
        freeze({
            "xmlid": view.record.xmlid, "model": view.model, "inherit": view.inherit_ref,
            "type": view.type, "path": view.record.path, "line": view.record.line,
            "arch": etree.tostring(view.root, encoding="unicode") if view.arch is not None
            and view.root is not None else "",
        })
        for view in index.views
    )
    return {
        "module": ctx.module.name,
        "manifest": freeze(index.manifest),
        "files": files,
        "matching_files": tuple(relative for relative in files if matches(relative)),
        "python_files": tuple(p.replace(os.sep, "/") for p in index.python_files
                              if not is_test_or_migration(p)),
        "models": models,
        "records": records,
        "views": views,
        "read": read,
        "xpath": xpath,
        "re": RE_NAMESPACE,
    }
