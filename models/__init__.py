# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import module_validator_rule
from . import module_validator_run
from . import module_validator_run_item
from . import module_validator_run_api
from . import module_validator_result
from . import module_validator_finding
from . import module_validator_module
from . import module_validator_profile
from . import module_validator_waiver
from . import module_validator_deployment
from . import module_validator_deployment_line
from . import module_validator_deployment_metrics
from . import deployment_failure_hook
from . import module_validator_dashboard
from . import res_config_settings
from . import ir_module_module
from . import ir_http
