# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 5 renderers: human text, the JSON contract, JUnit XML and SARIF for CI.

Each takes a RunReport, or a LevelsReport (one run per level, when every
level up to the requested one must pass): both give ``reports``.
"""

import json

from lxml import etree

from .render_sarif import render_sarif
from .results import fails


def render_json(report):
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


def render_text(report):
    runs = report.reports
    if len(runs) == 1:
        return _text(runs[0])
    lines = [f"== {run.level} level ==\n{_text(run)}" for run in runs]
    verdicts = ", ".join(f"{run.level} {run.verdict}" for run in runs)
    lines.append(f"{report.verdict.upper()}: every level up to {report.level} must pass: {verdicts}\n")
    return "\n".join(lines)


def _text(report):
    lines = [f"NOTE: {note}" for note in report.notes]
    for module in report.modules:
        counts = module.counts()
        lines.append(
            f"{module.verdict(report.fail_on).upper():4}  {module.name} ({module.origin}) "
            f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
        )
        for finding in module.findings:
            where = finding.path + (f":{finding.line}" if finding.line else "")
            waived = "" if finding.counts_toward_verdict else " (waived)"
            lines.append(f"      {finding.severity:7} {finding.rule}{waived}  {where}  {finding.message}")
    counts = report.counts()
    failed = sum(1 for m in report.modules if m.verdict(report.fail_on) == "fail")
    lines.append(
        f"{report.verdict.upper()}: {len(report.modules)} module(s) validated at the "
        f"{report.level} level in {report.duration_s:.2f} s, {failed} failed; "
        f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    )
    return "\n".join(lines) + "\n"


def render_junit(report):
    """One test suite per run, one test case per module; findings at or above
    ``fail_on`` are failures, the others are printed in system-out."""
    suites = etree.Element("testsuites", name="module_validator")
    for run in report.reports:
        _junit_suite(suites, run)
    return etree.tostring(suites, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()


def _junit_suite(suites, report):
    suite = etree.SubElement(
        suites, "testsuite", name=f"module_validator.{report.level}",
        tests=str(len(report.modules)), time=f"{report.duration_s:.3f}",
        failures=str(sum(1 for m in report.modules if m.verdict(report.fail_on) == "fail")),
        errors="0", skipped="0",
    )
    for module in report.modules:
        case = etree.SubElement(
            suite, "testcase", classname=f"module_validator.{report.level}",
            name=module.name, time=f"{module.duration_s:.3f}",
        )
        failing = [f for f in module.findings if f.counts_toward_verdict and fails(f.severity, report.fail_on)]
        if failing:
            failure = etree.SubElement(
                case, "failure", type="validation",
                message=f"{len(failing)} finding(s) at or above {report.fail_on}",
            )
            failure.text = "\n".join(_line(f) for f in failing)
        others = [f for f in module.findings if f not in failing]
        if others:
            etree.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    if report.notes:
        etree.SubElement(suite, "system-out").text = "\n".join(report.notes)


def _line(finding):
    where = finding.path + (f":{finding.line}" if finding.line else "")
    waived = "" if finding.counts_toward_verdict else " (waived)"
    return f"{finding.severity} {finding.rule}{waived} {where}: {finding.message}"


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit, "sarif": render_sarif}
