# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import module_validator_launch
from . import module_validator_rule_import
