# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import module_validator_run_item
from . import res_config_settings
