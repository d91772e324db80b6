# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import os

from odoo.addons.base.tests.common import BaseCommon

from ..engine import discovery
from ..engine.facts import DynamicFacts, StaticFacts
from ..engine.runner import validate

# Real paths: the addon may be reached through a link named after it.
HERE = os.path.dirname(os.path.realpath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
ADDON_ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ADDON_ROOT, "examples")


class ValidatorCase(BaseCommon):
    """Runs the real engine on fixture addons, inside a real Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        addons_paths, core_paths = discovery.odoo_paths()
        cls.catalog = discovery.discover(
            [FIXTURES, EXAMPLES, *addons_paths], core_paths=core_paths
        )

    def run_engine(self, names, level="static", **kwargs):
        modules, unknown = discovery.select(self.catalog, names)
        self.assertFalse(unknown, f"fixtures not found: {unknown}")
        facts = StaticFacts(self.catalog) if level == "static" else DynamicFacts(self.catalog, self.env)
        return validate(modules, facts, level, version="test", **kwargs)

    def codes(self, name, level="static"):
        """Sorted rule codes found on one module."""
        report = self.run_engine([name], level)
        return sorted(finding.rule for finding in report.modules[0].findings)
