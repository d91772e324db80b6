# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The process's variables, and the one precedence every entry point applies.

A run's level and time budget come from, first to last: the command-line
flag, the process's variable, the settings (the database's Settings or the
profile), the default. ``odoo-bin validate``, the git hooks (which call it)
and the test gate all ask :func:`plan`, so a variable means the same
everywhere:

* ``ODOO_VALIDATION_LEVEL``: ``fast``, ``comprehensive``, ``bulletproof``
  (aliases of ``static``, ``dynamic``, ``bulletproof``) or a level name;
* ``ODOO_VALIDATION_TIMEOUT``: the run's time budget in seconds (0: none);
* ``ODOO_SKIP_BULLETPROOF``: a requested bulletproof level runs as dynamic;
* ``ODOO_REQUIRE_ALL_VALIDATIONS``: every level up to the requested one runs,
  and each must pass.

An empty variable counts as unset (CI templates often declare them empty).
A value that means nothing is an :class:`InvalidSetting`: a usage error,
never a silent default.

Standard library only and no relative import: the git hooks run this file
with any ``python3`` to learn the levels before Odoo is set up::

    python3 service/environment.py      # prints the levels to run, e.g. "static dynamic"
"""

import math
import os
import sys
from dataclasses import dataclass

LEVELS = ("static", "dynamic", "bulletproof")
# The deployment process's words for the levels (issue 12).
LEVEL_ALIASES = {"fast": "static", "comprehensive": "dynamic"}
LEVEL_CHOICES = LEVELS + tuple(LEVEL_ALIASES)

LEVEL_VARIABLE = "ODOO_VALIDATION_LEVEL"
TIMEOUT_VARIABLE = "ODOO_VALIDATION_TIMEOUT"
SKIP_BULLETPROOF_VARIABLE = "ODOO_SKIP_BULLETPROOF"
REQUIRE_ALL_VARIABLE = "ODOO_REQUIRE_ALL_VALIDATIONS"

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("", "0", "false", "no", "off")


class InvalidSetting(ValueError):
    """A flag or variable whose value means nothing: a usage error (exit status 2)."""


def parse_level(value, origin):
    """The level ``value`` names (a level or an alias), or InvalidSetting."""
    word = str(value).strip().lower()
    level = LEVEL_ALIASES.get(word, word)
    if level not in LEVELS:
        raise InvalidSetting(
            f"{origin}={value!r}: expected static, dynamic or bulletproof "
            f"(or fast, comprehensive)"
        )
    return level


def parse_seconds(value, origin):
    """A time budget in seconds; ``0`` means none. Returns a float or None."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = -1.0
    if seconds < 0 or not math.isfinite(seconds):
        raise InvalidSetting(f"{origin}={value!r}: expected a number of seconds (0: no time budget)")
    return seconds or None


def parse_switch(value, origin):
    """True or False from the usual words; anything else is InvalidSetting."""
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise InvalidSetting(f"{origin}={value!r}: expected 1, true, yes, on or 0, false, no, off")


@dataclass(frozen=True)
class Plan:
    """What an entry point runs: ``levels`` in order, the last one requested."""

    levels: tuple
    time_budget_s: float | None
    requested_level: str
    level_origin: str  # "--level X", "ODOO_VALIDATION_LEVEL=X", "settings" or "default"
    notes: tuple = ()  # what the report must say (a skipped bulletproof level...)

    @property
    def level(self):
        return self.levels[-1]

    def why(self, level):
        """Why ``level`` runs, for messages: the origin of the request or the variable."""
        if level == self.level and level == self.requested_level:
            return self.level_origin
        if level == self.level:
            return f"bulletproof skipped by {SKIP_BULLETPROOF_VARIABLE}"
        return f"required by {REQUIRE_ALL_VARIABLE}"


def _variable(environ, name):
    value = environ.get(name, "")
    return value if value.strip() else None


def plan(*, level=None, time_budget_s=None, settings_level=None, settings_time_budget_s=None,
         default_level="static", environ=None):
    """The Plan for a run: flags, then the process's variables, then the settings.

    ``level`` and ``time_budget_s`` are the command line's flags (None when
    not given); ``settings_*`` the database's Settings or the profile's;
    ``default_level`` the entry point's own default (the test gate's is
    dynamic). Raises InvalidSetting on a value that means nothing.
    """
    environ = os.environ if environ is None else environ
    variable_level = _variable(environ, LEVEL_VARIABLE)
    candidates = (
        (level, "--level"), (variable_level, LEVEL_VARIABLE),
        (settings_level, "settings"), (default_level, "default"),
    )
    value, origin = next((v, o) for v, o in candidates if v)
    requested = parse_level(value, origin)
    said = {"--level": f"--level {value}", LEVEL_VARIABLE: f"{LEVEL_VARIABLE}={value}"}.get(origin, origin)
    # Every variable is checked, even one that a flag overrides: a typo in CI
    # must not wait for the day the flag goes away.
    if variable_level and origin != LEVEL_VARIABLE:
        parse_level(variable_level, LEVEL_VARIABLE)
    variable_budget = _variable(environ, TIMEOUT_VARIABLE)
    budget = parse_seconds(variable_budget, TIMEOUT_VARIABLE) if variable_budget else None
    if time_budget_s is not None:
        budget = parse_seconds(time_budget_s, "--timeout")
    elif variable_budget is None:
        budget = settings_time_budget_s or None
    skip = parse_switch(environ.get(SKIP_BULLETPROOF_VARIABLE, ""), SKIP_BULLETPROOF_VARIABLE)
    require_all = parse_switch(environ.get(REQUIRE_ALL_VARIABLE, ""), REQUIRE_ALL_VARIABLE)

    notes = []
    final = requested
    if requested == "bulletproof" and skip:
        final = "dynamic"
        notes.append(f"{SKIP_BULLETPROOF_VARIABLE} is set: the bulletproof level requested "
                     f"({said}) ran as dynamic.")
    levels = (final,)
    if require_all and final != "static":
        levels = LEVELS[:LEVELS.index(final) + 1]
        notes.append(f"{REQUIRE_ALL_VARIABLE} is set: every level up to {final} must pass "
                     f"({', '.join(levels)}).")
    return Plan(levels=levels, time_budget_s=budget, requested_level=requested,
                level_origin=said, notes=tuple(notes))


def main(argv=None):
    """Print the levels the process's variables ask for; exit 2 on a bad value."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        result = plan(level=argv[0] if argv else None)
    except InvalidSetting as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(" ".join(result.levels))
    return 0


if __name__ == "__main__":
    sys.exit(main())
