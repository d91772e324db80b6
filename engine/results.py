# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 5: findings, per-module reports and the run report (the JSON contract)."""

import hashlib
from dataclasses import dataclass, field

from .rules.registry import SEVERITIES

TOOL = "module_validator"


def fingerprint(rule, module, path, key):
    """Same problem, same fingerprint across runs: no line numbers inside."""
    digest = hashlib.sha256("\x1f".join((rule, module, path, key)).encode())
    return digest.hexdigest()[:16]


def fails(severity, fail_on):
    """True when ``severity`` is at or above the ``fail_on`` threshold."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(fail_on)


@dataclass
class Finding:
    rule: str
    severity: str
    module: str
    path: str
    line: int | None
    message: str
    fingerprint: str
    # The key of the waiver that accepts this finding; a waived finding is
    # reported but counts toward neither the totals nor the verdict.
    waiver: object = None
    # What the finding means for a deployment (engine/rules/registry.py IMPACTS).
    impact: str | None = None
    # The log excerpt behind a bulletproof finding, apart from its message.
    excerpt: str | None = None

    @property
    def counts_toward_verdict(self):
        return self.waiver is None

    def as_dict(self):
        values = {
            "rule": self.rule, "severity": self.severity, "module": self.module,
            "path": self.path, "line": self.line, "message": self.message,
            "fingerprint": self.fingerprint,
        }
        if self.impact:
            values["impact"] = self.impact
        if self.excerpt:
            values["excerpt"] = self.excerpt
        if self.waiver is not None:
            values["waived"] = True
        return values


@dataclass
class ModuleReport:
    name: str
    path: str
    origin: str
    version: str
    findings: list = field(default_factory=list)
    duration_s: float = 0.0
    code_fingerprint: str = ""

    def counts(self):
        """Findings per severity; waived findings are counted apart."""
        counts = dict.fromkeys(SEVERITIES, 0)
        waived = 0
        for finding in self.findings:
            if finding.counts_toward_verdict:
                counts[finding.severity] += 1
            else:
                waived += 1
        if waived:
            counts["waived"] = waived
        return counts

    def verdict(self, fail_on="error"):
        failed = any(f.counts_toward_verdict and fails(f.severity, fail_on) for f in self.findings)
        return "fail" if failed else "pass"

    def as_dict(self, fail_on="error"):
        values = {
            "name": self.name, "path": self.path, "verdict": self.verdict(fail_on),
            "duration_s": round(self.duration_s, 4), "counts": self.counts(),
            "findings": [finding.as_dict() for finding in self.findings],
        }
        if self.code_fingerprint:
            values["code_fingerprint"] = self.code_fingerprint
        return values


@dataclass
class RunReport:
    version: str
    level: str
    fail_on: str = "error"
    modules: list = field(default_factory=list)
    duration_s: float = 0.0
    reused: int = 0  # modules whose static results came from the result cache
    # What the reader must know about how the run was made (a bulletproof
    # level run as dynamic because of ODOO_SKIP_BULLETPROOF...).
    notes: list = field(default_factory=list)
    # Waiver key -> its justification, when whoever applied the waivers knows it.
    waiver_justifications: dict = field(default_factory=dict)
    # The Odoo series the modules were validated for ("18.0"); None when unknown.
    series: str | None = None

    @property
    def reports(self):
        """The runs this report holds, one per level: just itself."""
        return [self]

    @property
    def verdict(self):
        failed = any(m.verdict(self.fail_on) == "fail" for m in self.modules)
        return "fail" if failed else "pass"

    def counts(self):
        counts = dict.fromkeys(SEVERITIES, 0)
        for module in self.modules:
            for severity, count in module.counts().items():
                counts[severity] = counts.get(severity, 0) + count
        return counts

    def as_dict(self):
        return {
            "tool": TOOL, "version": self.version, "level": self.level,
            "verdict": self.verdict, "duration_s": round(self.duration_s, 4),
            **({"series": self.series} if self.series else {}),
            "modules": [module.as_dict(self.fail_on) for module in self.modules],
            **({"notes": list(self.notes)} if self.notes else {}),
        }


@dataclass
class LevelsReport:
    """The same modules validated at each level up to the requested one
    (ODOO_REQUIRE_ALL_VALIDATIONS): it passes only when every level passes.

    ``reports`` are RunReports in level order; the last is the requested level.
    """

    reports: list

    @property
    def verdict(self):
        return "fail" if any(r.verdict == "fail" for r in self.reports) else "pass"

    @property
    def level(self):
        return self.reports[-1].level

    def as_dict(self):
        """The requested level's report, with the overall verdict and every level's report."""
        values = self.reports[-1].as_dict()
        values.update(
            verdict=self.verdict,
            duration_s=round(sum(r.duration_s for r in self.reports), 4),
            levels=[report.as_dict() for report in self.reports],
        )
        return values
