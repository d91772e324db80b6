# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).

One SARIF run per validation level; the rules carry the knowledge base's
text (title, rationale, remedy, bad and good example). Result locations are
relative to the repository (``%SRCROOT%``) so that code scanning places the
annotations on the right file and line: the repository is the git work tree
holding the current directory, else each module's parent folder.
"""

import json
import os
import re
from urllib.parse import quote

from .rules.registry import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/module-validator/module_validator"
SRCROOT = "%SRCROOT%"
# The finding's fingerprint ignores line numbers (engine/results.py), which is
# what a partial fingerprint is for: the same problem, wherever the file moves it.
FINGERPRINT_KEY = "moduleValidatorFingerprint/v1"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(report, cwd=None):
    """The SARIF log of ``report`` (a RunReport or LevelsReport), as JSON text."""
    root = repository_root(cwd or os.getcwd())
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [_run(run, root) for run in report.reports],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def repository_root(start):
    """The top of the git work tree holding ``start``, or None."""
    folder = os.path.realpath(start)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _run(report, root):
    codes = sorted({finding.rule for module in report.modules for finding in module.findings})
    index = {code: position for position, code in enumerate(codes)}
    results, bases = [], set()
    for module in report.modules:
        module_path = os.path.realpath(module.path)
        base = root if root and _inside(module_path, root) else os.path.dirname(module_path)
        bases.add(base)
        for finding in module.findings:
            results.append(_result(finding, module_path, base, index, report.waiver_justifications))
    invocation = {"executionSuccessful": True}
    if report.notes:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": note}} for note in report.notes
        ]
    run = {
        "tool": {"driver": {
            "name": "module_validator",
            "version": report.version or "0",
            "informationUri": INFORMATION_URI,
            "rules": [_rule(code, report) for code in codes],
        }},
        # One category per level, so that code scanning keeps each level's alerts apart.
        "automationDetails": {"id": f"module_validator/{report.level}/"},
        "invocations": [invocation],
        "results": results,
        "properties": {"level": report.level, "verdict": report.verdict, "failOn": report.fail_on},
    }
    if len(bases) == 1:
        # Absolute only where the report was made; code scanning resolves
        # %SRCROOT% to its own checkout.
        run["originalUriBaseIds"] = {SRCROOT: {"uri": _file_uri(bases.pop())}}
    return run


def _rule(code, report):
    rule = RULES.get(code)
    severity = _severity_of(code, report)
    if rule is None:
        # A rule written in a database (Rules without code): only its code is known here.
        return {
            "id": code, "name": code,
            "shortDescription": {"text": f"Rule {code}"},
            "defaultConfiguration": {"level": SARIF_LEVELS.get(severity, "warning")},
        }
    return {
        "id": code,
        "name": _camel(rule.title) or code,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
        "properties": {
            "tags": [rule.category, rule.level],
            "impact": rule.impact,
            "validationLevel": rule.level,
        },
    }


def _severity_of(code, report):
    return next((f.severity for m in report.modules for f in m.findings if f.rule == code), "warning")


def _result(finding, module_path, base, index, justifications):
    relative = finding.path or "__manifest__.py"  # a finding about the module as a whole
    location = {"artifactLocation": {
        "uri": _uri(os.path.relpath(os.path.join(module_path, relative), base)),
        "uriBaseId": SRCROOT,
    }}
    if finding.line and finding.line > 0:
        location["region"] = {"startLine": finding.line}
    result = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": SARIF_LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"module": finding.module, **({"impact": finding.impact} if finding.impact else {})},
    }
    if not finding.counts_toward_verdict:
        suppression = {"kind": "external", "status": "accepted"}
        justification = justifications.get(finding.waiver)
        if justification:
            suppression["justification"] = justification
        result["suppressions"] = [suppression]
    return result


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _uri(path):
    return quote(path.replace(os.sep, "/"))


def _file_uri(folder):
    return "file://" + quote(folder.replace(os.sep, "/").rstrip("/") + "/")


def _camel(title):
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _help_text(rule):
    return (f"{rule.remedy}\n\nBad:\n{rule.bad_example}\n\nGood:\n{rule.good_example}\n\n"
            f"Prevents: {rule.prevents}")


def _help_markdown(rule):
    return (f"**Remedy.** {rule.remedy}\n\n**Bad**\n\n{_fenced(rule.bad_example)}\n\n"
            f"**Good**\n\n{_fenced(rule.good_example)}\n\n"
            f"**Prevents** (what Odoo says without this rule):\n\n{_fenced(rule.prevents)}")


def _fenced(text):
    # A fence longer than any run of backticks in the text, so nothing closes it early.
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"
