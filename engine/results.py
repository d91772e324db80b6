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

    def as_dict(self):
        return {
            "rule": self.rule, "severity": self.severity, "module": self.module,
            "path": self.path, "line": self.line, "message": self.message,
            "fingerprint": self.fingerprint,
        }


@dataclass
class ModuleReport:
    name: str
    path: str
    origin: str
    version: str
    findings: list = field(default_factory=list)
    duration_s: float = 0.0

    def counts(self):
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def verdict(self, fail_on="error"):
        failed = any(fails(f.severity, fail_on) for f in self.findings)
        return "fail" if failed else "pass"

    def as_dict(self, fail_on="error"):
        return {
            "name": self.name, "path": self.path, "verdict": self.verdict(fail_on),
            "duration_s": round(self.duration_s, 4), "counts": self.counts(),
            "findings": [finding.as_dict() for finding in self.findings],
        }


@dataclass
class RunReport:
    version: str
    level: str
    fail_on: str = "error"
    modules: list = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def verdict(self):
        failed = any(m.verdict(self.fail_on) == "fail" for m in self.modules)
        return "fail" if failed else "pass"

    def counts(self):
        counts = dict.fromkeys(SEVERITIES, 0)
        for module in self.modules:
            for severity, count in module.counts().items():
                counts[severity] += count
        return counts

    def as_dict(self):
        return {
            "tool": TOOL, "version": self.version, "level": self.level,
            "verdict": self.verdict, "duration_s": round(self.duration_s, 4),
            "modules": [module.as_dict(self.fail_on) for module in self.modules],
        }
