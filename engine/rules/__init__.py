# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Layer 4: rules. Importing this package registers every rule by its code."""

from .registry import RULES, Issue, rule  # noqa: F401
from . import manifest_rules, dependency_rules, file_rules  # noqa: F401
from . import xmlid_rules, data_rules, view_rules, python_rules  # noqa: F401
from . import security_rules, action_rules  # noqa: F401
from . import rehearsal_rules, import_rules  # noqa: F401
from . import deployment_rules, label_rules  # noqa: F401
from . import structure_rules  # noqa: F401
from . import closure_rules  # noqa: F401
from . import upgrade_rules  # noqa: F401
from . import settings_rules, report_rules, asset_rules  # noqa: F401
from . import unique_rules  # noqa: F401
from . import series_rules  # noqa: F401
