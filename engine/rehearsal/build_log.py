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
EXCERPT_CHARS = 1500


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
