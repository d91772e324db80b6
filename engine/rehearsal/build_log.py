# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Reading an Odoo build log the way odoo.sh judges a build.

ERROR or CRITICAL lines, or "demo data failed to install", make a build red;
WARNING lines make it yellow. Tracebacks and parse errors name the file and
line that caused a record, which lets findings point into the module.
"""

import os
import re
from dataclasses import dataclass, field

RECORD_RE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|TEST) "
    r"(?P<db>\S+) (?P<logger>\S+): (?P<message>.*)$"
)
TRACEBACK_FILE_RE = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')
PARSE_ERROR_FILE_RE = re.compile(r"while parsing (?P<path>/\S+?\.(?:xml|csv)):(?P<line>\d+)")
LOADING_FILE_RE = re.compile(r"(?:loading|while loading) (?:\S+ )?(?P<path>/\S+?\.(?:xml|csv|sql))")
TEST_RESULT_RE = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<test>\S+)")
# Summaries of failures that are already reported one by one.
TEST_SUMMARY_RE = re.compile(r"At least one test failed|: \d+ failures, \d+ errors of \d+ tests")
DEMO_FAILED = "demo data failed to install"
MISSING_DEPENDENCY = "But the latter module is not available in your system"
EXCERPT_CHARS = 1500
# A finding's excerpt is a field of its own: room for a whole traceback.
FULL_EXCERPT_CHARS = 12000
# The line a traceback ends with: "NameError: ...", "odoo.tools.convert.ParseError: ...".
EXCEPTION_LINE_RE = re.compile(
    r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt|Failure)|[a-z_][\w]*(?:\.[\w]+)*\.[A-Z]\w*)"
    r"(?::\s?(?P<message>.*))?$"
)
# What Odoo logs because an install failed, not why: reported only when nothing
# else explains the failure.
CONSEQUENCES_RE = re.compile(
    r"^(?:Failed to load registry|Failed to initialize database|Couldn't load module \S+"
    r"|Transient module states were reset|Some modules are not loaded, some dependencies or manifest may be missing"
    r"|Some modules have inconsistent states, some dependencies may be missing)"
)
# Noise after the exception line of a view error: the view's context dump.
EXCEPTION_TAIL_RE = re.compile(r"^(?:View error context:|The above exception|During handling)")
ROOT_CAUSE_LINES = 8
ROOT_CAUSE_CHARS = 600


@dataclass
class LogRecord:
    level: str
    logger: str
    message: str
    lines: list = field(default_factory=list)

    @property
    def text(self):
        return "\n".join([self.message, *self.lines]).strip()

    def excerpt(self):
        text = self.text
        if len(text) <= EXCERPT_CHARS:
            return text
        # The end of a traceback says what went wrong; keep the head and the tail.
        return text[:400] + "\n[...]\n" + text[-(EXCERPT_CHARS - 410):]

    def location(self, module_path):
        """``(relative path, line)`` of the last place in the module this record names."""
        root = os.path.realpath(module_path) + os.sep
        found = (None, None)
        for regex in (TRACEBACK_FILE_RE, PARSE_ERROR_FILE_RE, LOADING_FILE_RE):
            for match in regex.finditer(self.text):
                path = os.path.realpath(match.group("path"))
                if path.startswith(root):
                    line = match.groupdict().get("line")
                    found = (path[len(root):], int(line) if line else None)
        return found


def relativize(text, roots):
    """``text`` with every path under one of ``roots`` made relative to it:
    no server paths in a finding (``roots``: the addons path, then sys.path)."""
    for root in sorted({os.path.join(r, "") for r in roots if r and r != os.sep}, key=len, reverse=True):
        text = text.replace(root, "")
        real = os.path.join(os.path.realpath(root), "")
        if real != root:
            text = text.replace(real, "")
    return text


def trim(text, limit=FULL_EXCERPT_CHARS):
    """``text`` cut to ``limit`` characters on line boundaries, keeping its head and tail."""
    if len(text) <= limit:
        return text
    lines = text.splitlines()
    head, tail, size = [], [], 0
    budget_head = limit // 4
    for line in lines:
        if size + len(line) + 1 > budget_head:
            break
        head.append(line)
        size += len(line) + 1
    for line in reversed(lines[len(head):]):
        if size + len(line) + 1 > limit - 10:
            break
        tail.insert(0, line)
        size += len(line) + 1
    return "\n".join([*head, "[...]", *tail])


def exceptions(text):
    """``[(type, message block)]`` of each exception a traceback text names, in order."""
    found = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = EXCEPTION_LINE_RE.match(line)
        if not match or line.startswith(("Traceback", "File ")):
            continue
        if index == 0 or not (lines[index - 1].startswith(" ") or lines[index - 1].startswith("Traceback")):
            continue  # an exception line follows the last (indented) frame of its traceback
        block = [match["message"] or ""]
        for following in lines[index + 1:]:
            if EXCEPTION_TAIL_RE.match(following) or RECORD_RE.match(following):
                break
            block.append(following)
        message = "\n".join(item.rstrip() for item in block if item.strip())
        found.append((match["type"], message))
    return found


@dataclass
class RootCause:
    """One reason an install failed, with every log record that shows it."""

    summary: str
    records: list
    level: str

    def key(self):
        """The summary without line numbers: the same cause keeps its fingerprint."""
        return re.sub(r"(:|line )\d+", r"\1", self.summary)[:200]

    def excerpt(self, roots=()):
        return trim(relativize("\n\n".join(record.text for record in self.records), roots))


def summarize(record, roots=()):
    """The root cause a record shows: its last exception (and what caused it,
    when the last one only says where), else its message; paths made relative."""
    found = exceptions(record.text)
    if not found:
        return relativize(record.message.strip(), roots)
    kind, message = found[-1]
    short = kind.rsplit(".", 1)[-1]
    lines = message.splitlines()[:ROOT_CAUSE_LINES]
    if short == "ParseError" and lines:
        # "while parsing <file>:<line>" says where; the cause says why: the
        # chained exception, else the last line (a view's validation error).
        where = lines[0].removesuffix(", somewhere inside").rstrip(":")
        if len(found) > 1:
            cause_kind, cause = found[-2]
            why = f"{cause_kind.rsplit('.', 1)[-1]}: {cause.splitlines()[0] if cause else ''}"
        else:
            why = lines[-1] if len(lines) > 1 else ""
        lines = [f"{where}: {why}" if why else where]
    text = f"{short}: " + "\n".join(lines) if lines else short
    text = relativize(text, roots)
    return text if len(text) <= ROOT_CAUSE_CHARS else text[:ROOT_CAUSE_CHARS - 3].rstrip() + "..."


def root_causes(records, roots=()):
    """``records`` (errors of one run) grouped by root cause, first seen first.

    What Odoo logs as a consequence of a failure ("Failed to load registry",
    "Couldn't load module X" without a traceback) joins the cause that follows
    or precedes it; it makes a cause of its own only when nothing else does.
    """
    causes, consequences = {}, []
    for record in records:
        has_traceback = bool(exceptions(record.text))
        if CONSEQUENCES_RE.match(record.message.strip()) and not has_traceback:
            consequences.append(record)
            continue
        summary = summarize(record, roots)
        cause = causes.setdefault(summary, RootCause(summary, [], record.level))
        cause.records.append(record)
    if not causes and consequences:
        first = consequences[0]
        summary = relativize(first.message.strip(), roots)
        causes[summary] = RootCause(summary, [], first.level)
    result = list(causes.values())
    if result:
        result[0].records[:0] = consequences
    return result


def is_consequence(record):
    """True for a record Odoo logs only because something else failed."""
    return bool(CONSEQUENCES_RE.match(record.message.strip()))


def parse(text):
    """Log records, each with its continuation lines (tracebacks)."""
    records = []
    for raw in text.splitlines():
        match = RECORD_RE.match(raw)
        if match:
            records.append(LogRecord(match["level"], match["logger"], match["message"]))
        elif records:
            records[-1].lines.append(raw)
    return records


@dataclass
class BuildJudgement:
    """What a build log says: red problems, yellow warnings, failed tests."""

    errors: list
    warnings: list
    demo_failures: list
    failed_tests: list

    @property
    def colour(self):
        if self.errors or self.demo_failures or self.failed_tests:
            return "red"
        return "yellow" if self.warnings else "green"


def judge(records, module):
    errors, warnings, demo_failures, failed_tests = [], [], [], []
    test_logger = f"odoo.addons.{module}."
    for record in records:
        if record.level in ("ERROR", "CRITICAL"):
            test_match = TEST_RESULT_RE.match(record.message)
            if test_match and record.logger.startswith(test_logger):
                failed_tests.append(record)
            elif record.logger == "odoo.tests.result" or TEST_SUMMARY_RE.search(record.message):
                continue  # the summary of failures already reported one by one
            else:
                errors.append(record)
        elif record.level == "WARNING":
            if DEMO_FAILED in record.message:
                demo_failures.append(record)
            else:
                warnings.append(record)
    return BuildJudgement(errors, warnings, demo_failures, failed_tests)
