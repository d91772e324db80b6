# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Waivers: an accepted finding stays in the report but no longer fails it."""

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class Waiver:
    """Accepts findings of ``rule`` in ``module`` (in files matching ``path_glob``).

    ``key`` identifies the waiver to whoever stores the report (a record id).
    """

    key: object
    rule: str
    module: str
    path_glob: str = ""

    def covers(self, finding):
        if finding.rule != self.rule or finding.module != self.module:
            return False
        return not self.path_glob or fnmatchcase(finding.path or "", self.path_glob)


def apply_waivers(report, waivers):
    """Mark each finding of ``report`` with the first waiver that covers it."""
    waivers = list(waivers)
    if not waivers:
        return report
    for module in report.modules:
        for finding in module.findings:
            finding.waiver = next((w.key for w in waivers if w.covers(finding)), None)
    return report
