# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo-bin --addons-path=... deployment``: record a deployment from a shell or CI.

Versions and code fingerprints are computed from the addons path (and
``--path``), so run it on the code that was deployed. Exit codes: 0 recorded,
2 usage or internal error.
"""

import argparse
import sys

from odoo.cli import Command
from odoo.exceptions import UserError

# Absolute imports: Odoo 19.0 loads an addon's cli/<command>.py as the module
# odoo.cli.<command>, where a relative import would not find this addon.
from odoo.addons.module_validator.engine import compat
from odoo.addons.module_validator.models.deployment_common import ENVIRONMENT_SELECTION, OUTCOME_SELECTION
from odoo.addons.module_validator.cli.common import (
    UsageError, ValidatorCommand, database_environment, split_paths,
)

EXIT_RECORDED = 0


def build_parser(prog):
    parser = argparse.ArgumentParser(
        prog=prog, add_help=False,
        description="Record a deployment in a database where module_validator is installed, "
        "and tell whether a validation run covered exactly this code. Every other option "
        "is an odoo-bin option (-c, -d, --db_host...).",
        epilog="Exit status: 0 recorded, 2 usage or internal error.",
    )
    parser.add_argument("--modules", default="", help="comma-separated technical names deployed")
    parser.add_argument("--path", action="append", default=[], metavar="DIR",
                        help="an addons folder (or one module folder) holding the deployed code; "
                        "repeatable")
    parser.add_argument("--environment", choices=[key for key, _label in ENVIRONMENT_SELECTION],
                        help="default: the database's module_validator.environment setting")
    parser.add_argument("--outcome", required=True, choices=[key for key, _label in OUTCOME_SELECTION])
    parser.add_argument("--error", default="", metavar="TEXT", help="what went wrong")
    parser.add_argument("--target", default="", metavar="NAME",
                        help="database or branch deployed to (default: the -d database)")
    parser.add_argument("-h", "--help", action="help", help="show this help and exit")
    return parser


class Deployment(ValidatorCommand, Command):
    """Record a deployment (modules, environment, outcome) for validation metrics"""

    name = "deployment"
    failure = "recording the deployment failed with an internal error"

    def build_parser(self, prog):
        return build_parser(prog)

    def execute(self, options, out=None):
        """Record the deployment; returns the exit status (prints to ``out``, default stdout)."""
        out = out or sys.stdout
        folders, path_names = split_paths(options.path)
        names = [n.strip() for n in options.modules.split(",") if n.strip()] + path_names
        if not names:
            raise UsageError("give the deployed modules with --modules or a module folder with --path")
        dbname = compat.database_option()
        if not dbname or "," in dbname:
            raise UsageError("give the one database to record the deployment in: -d DATABASE")
        with database_environment(dbname, "module.validator.deployment") as env:
            try:
                deployment = env["module.validator.deployment"]._record_deployment(
                    names, outcome=options.outcome, environment=options.environment,
                    target=options.target, error_message=options.error, extra_paths=folders,
                    origin="cli",
                )
            except UserError as error:
                raise UsageError(str(error)) from None
            out.write(self.summary(deployment))
        return EXIT_RECORDED

    @staticmethod
    def summary(deployment):
        lines = [
            f"{deployment.name}: {deployment.outcome} deployment to {deployment.environment} "
            f"({deployment.target}) of {len(deployment.line_ids)} module(s): {deployment.module_names}",
        ]
        run = deployment.run_id
        if run:
            lines.append(f"validated: yes, by run {run.name} ({run.level} level, verdict {run.verdict})")
            if deployment.passed_but_failed:
                lines.append("validation passed but the deployment failed: see the failure log")
        else:
            lines.append("validated: NO - no finished validation run covered these modules "
                         "at this code")
        return "\n".join(lines) + "\n"
