# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The rule registry: each rule's code, knowledge-base text and check function."""

from dataclasses import dataclass

LEVELS = ("static", "dynamic", "bulletproof")
SEVERITIES = ("error", "warning", "info")
CATEGORIES = {
    "manifest": "Manifest and packaging",
    "dependency": "Dependencies and closure",
    "python": "Python",
    "data": "Data files",
    "view": "Views",
    "security": "Security",
    "action": "Actions, menus and scheduled actions",
    "asset": "Assets",
    "install": "Install and upgrade rehearsals",
    "upgrade": "Upgrade safety",
    "engine": "Validator",
    "custom": "Custom rules",
}

RULES = {}


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    category: str
    level: str
    severity: str
    rationale: str
    bad_example: str
    good_example: str
    remedy: str
    prevents: str
    check: object = None

    def runs_at(self, level):
        return self.check is not None and LEVELS.index(self.level) <= LEVELS.index(level)


@dataclass
class Issue:
    """What a check yields; the runner turns it into a fingerprinted finding.

    ``key`` identifies the problem independently of line numbers so that the
    same problem keeps the same fingerprint when the file around it moves.
    """

    path: str
    line: int | None
    message: str
    severity: str | None = None
    key: str | None = None


def rule(code, *, title, category, level, severity, rationale, bad, good, remedy, prevents):
    assert category in CATEGORIES and level in LEVELS and severity in SEVERITIES, code

    def register(check):
        assert code not in RULES, f"rule {code} registered twice"
        RULES[code] = Rule(
            code, title, category, level, severity,
            rationale.strip(), bad.strip(), good.strip(), remedy.strip(), prevents.strip(),
            check,
        )
        return check

    return register


# A rule that raises is reported under this code, for that rule and module.
INTERNAL_ERROR = "MV001"
RULES[INTERNAL_ERROR] = Rule(
    INTERNAL_ERROR,
    title="A validation rule failed to run",
    category="engine",
    level="static",
    severity="error",
    rationale="A rule crashed on this module, so the module was not fully "
    "checked; a pass cannot be promised for it.",
    bad_example="(a module whose files make a rule raise)",
    good_example="(every rule runs to completion)",
    remedy="Report the message to the validator's maintainers; the other rules "
    "still ran. Fix or work around the file named in the message.",
    prevents="A false 'validation passed'.",
)


# A module left unvalidated because its profile's time budget ran out.
BUDGET_EXHAUSTED = "MV002"
RULES[BUDGET_EXHAUSTED] = Rule(
    BUDGET_EXHAUSTED,
    title="The time budget ran out before this module was validated",
    category="engine",
    level="static",
    severity="error",
    rationale="A validation profile gives its runs a time budget. Modules still "
    "waiting when it runs out are not validated, so a pass cannot be promised "
    "for them.",
    bad_example="(a bulletproof profile of 40 modules with a 10-minute budget)",
    good_example="(a budget that fits the profile's modules and level)",
    remedy="Raise the profile's time budget, split its modules over several "
    "profiles, or choose a faster level.",
    prevents="A false 'validation passed' on modules nobody validated.",
)


def data_severity(record, optional=False):
    """Severity override for a problem in a data record.

    ``optional`` marks references Odoo skips with a WARNING (forcecreate="0").
    A failing demo file stays an error: Odoo then logs "demo data failed to
    install" and installs the module without demo data, which odoo.sh judges a
    failed build and which makes the module's tests fail on demo databases.
    """
    del record  # every kind of data file fails the build alike
    return "warning" if optional else None
