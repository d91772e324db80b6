# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Bulletproof-level rules (TST): what a real install or upgrade proves.

Their findings come from the rehearsal (engine/rehearsal), which runs odoo-bin
in scratch databases; the checks here only give each outcome its code,
severity and knowledge-base entry.
"""

from .registry import rule


def reported_by_rehearsal(ctx):
    return ()


rule(
    "TST001",
    title="Fresh install succeeds, with and without demo data",
    category="install", level="bulletproof", severity="error", impact="install",
    rationale="The backstop of every other rule: odoo-bin -i on a copy of a database "
    "holding the module's dependencies, judged like an odoo.sh build by the exit "
    "status, the module's state and ERROR/CRITICAL log lines. Exit 0 is not enough: "
    "an odoo.schema ERROR or an ignored module name both exit 0.",
    bad="A view naming a field that does not exist: exit 255, registry not loaded.",
    good="odoo-bin -i my_module --stop-after-init exits 0, state installed, no ERROR.",
    remedy="The message names the root cause (the exception and its message), and "
    "File and Line the place in the module the traceback names; the traceback itself "
    "is in the finding's Log excerpt tab.",
    prevents="A red odoo.sh build / a failed production install",
)(reported_by_rehearsal)

rule(
    "TST002",
    title="Upgrade succeeds on a copy of this database",
    category="install", level="bulletproof", severity="error", impact="install",
    rationale="Upgrades fail on data that a fresh database does not have: a new "
    "required column over rows holding NULL, a unique constraint that existing rows "
    "violate, a removed field still used by another installed module. The copy is "
    "made with pg_dump, so the live database and its users are not disturbed.",
    bad="A new required field without default on a model that already has rows.",
    good="A required field with a default, or a pre-migration script filling it.",
    remedy="Add a default or a migration script; read the log excerpt in the finding.",
    prevents="ERROR odoo.schema: unable to set NOT NULL on column ... / a failed -u",
)(reported_by_rehearsal)

rule(
    "TST003",
    title="The module's tests pass",
    category="install", level="bulletproof", severity="error", impact="build",
    rationale="odoo.sh runs the tests of the branch's modules; one failing test makes "
    "the build red. Only run when tests are requested.",
    bad="A test asserting on demo data that is not installed.",
    good="Tests that create their own data in setUpClass.",
    remedy="Fix the test or the code; the finding holds the traceback.",
    prevents="ERROR ... FAIL: TestX.test_y / At least one test failed",
)(reported_by_rehearsal)

rule(
    "TST004",
    title="Demo data installs",
    category="install", level="bulletproof", severity="error", impact="build",
    rationale="When demo data fails, Odoo logs a WARNING, installs the module "
    "without demo data and exits 0; odoo.sh development builds then fail their tests "
    "and the demo database is unusable.",
    bad="A demo record referring to an xmlid of a module not in depends.",
    good="Demo records that reference only the module and its dependencies.",
    remedy="Fix the demo file named in the excerpt.",
    prevents="WARNING Module X demo data failed to install, installed without demo data",
)(reported_by_rehearsal)

rule(
    "TST006",
    title="The install logs no warnings",
    category="install", level="bulletproof", severity="warning", impact="warning-log",
    rationale="Every WARNING line of an install turns an odoo.sh build yellow and "
    "usually announces a later failure (missing access rules, deprecated syntax).",
    bad="A new model without an ir.model.access line.",
    good="Every model with its access rules.",
    remedy="Read the warning in the finding and remove its cause.",
    prevents="A yellow odoo.sh build",
)(reported_by_rehearsal)
