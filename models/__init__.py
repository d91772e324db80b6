# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import module_validator_rule
from . import module_validator_run
from . import module_validator_result
from . import module_validator_finding
