# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The rule registry: each rule's code, knowledge-base text and check function."""

from dataclasses import dataclass

LEVELS = ("static", "dynamic", "bulletproof")
# The Odoo series rules know; a rule applies to all of them unless it names some.
SERIES = ("18.0", "19.0")
SEVERITIES = ("error", "warning", "info")
# What a finding means for a deployment, as a real ``odoo-bin -i``/``-u`` shows it.
# The severity follows from it (the severity contract, README "Rule catalogue").
IMPACTS = {
    "install": "Odoo refuses to install or upgrade the module",
    "build": "the install completes, but the log has ERROR or CRITICAL lines "
             "(or demo data fails to load): the build is red",
    "warning-log": "Odoo logs a WARNING: the build is yellow",
    "runtime": "the module installs, but something certainly breaks when it is used",
    "hygiene": "nothing breaks; a convention, a deprecation or a risk",
}
IMPACT_SEVERITIES = {
    "install": ("error",),
    "build": ("error",),
    "warning-log": ("warning",),
    "runtime": ("warning",),
    "hygiene": ("info", "warning"),
}
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
    # One of IMPACTS: what the rule's findings mean at its default severity.
    impact: str = "hygiene"
    # The series whose Odoo behaves as the rule says; () for every series.
    series: tuple = ()
    # What differs in the series the rule does not apply to, or in how Odoo
    # reacts there: the knowledge base's per-series note.
    series_note: str = ""

    def runs_at(self, level):
        return self.check is not None and LEVELS.index(self.level) <= LEVELS.index(level)

    def applies_to(self, series):
        return not self.series or series in self.series

    @property
    def series_label(self):
        """The series the rule applies to, as users read it: "19.0", or "" for all."""
        return ", ".join(self.series)


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
    # Set with ``severity`` when one finding differs from its rule's impact
    # (e.g. an error Odoo refuses among a rule's runtime warnings).
    impact: str | None = None
    # The log lines behind a bulletproof finding (tracebacks), kept apart from
    # the message, which states the root cause.
    excerpt: str | None = None


def coherent(severity, impact):
    """True when ``severity`` is one the severity contract allows for ``impact``."""
    return severity in IMPACT_SEVERITIES.get(impact, ())


def finding_impact(rule_, issue, demo_paths=()):
    """The impact of the finding that ``issue`` yields.

    An issue states its own impact, or inherits its rule's when it keeps the
    rule's severity. A severity the check changed without an impact takes the
    first impact that severity allows. Odoo loads demo files in a savepoint:
    what would refuse the install there only makes demo data fail to load, so
    an ``install`` impact located in a demo file is a ``build`` impact.
    Users may retune a rule's severity; the impact is a fact about Odoo and stays.
    """
    impact = issue.impact
    if impact is None:
        own = issue.severity
        if own is None or own == rule_.severity or coherent(own, rule_.impact):
            impact = rule_.impact
        else:
            impact = next(i for i, allowed in IMPACT_SEVERITIES.items() if own in allowed)
    if impact == "install" and issue.path and issue.path in demo_paths:
        impact = "build"
    return impact


def rule(code, *, title, category, level, severity, rationale, bad, good, remedy, prevents,
         impact, series=(), series_note=""):
    assert category in CATEGORIES and level in LEVELS and severity in SEVERITIES, code
    assert set(series) <= set(SERIES), f"{code}: unknown series {series!r}"
    assert coherent(severity, impact), f"{code}: severity {severity!r} contradicts impact {impact!r}"

    def register(check):
        assert code not in RULES, f"rule {code} registered twice"
        RULES[code] = Rule(
            code, title, category, level, severity,
            rationale.strip(), bad.strip(), good.strip(), remedy.strip(), prevents.strip(),
            check, impact, tuple(series), series_note.strip(),
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
    # Unknown is treated as blocking: a gate must not pass code it did not check.
    impact="install",
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
    impact="install",
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


def translation_only(field_name, series):
    """True for a data field or CSV column that only translates a field
    (``name@fr_FR``): Odoo 19.0 skips those while loading the data (tools/convert.py)
    and imports them as translations; 18.0 has no such syntax (an unknown field)."""
    return series != "18.0" and "@" in field_name
