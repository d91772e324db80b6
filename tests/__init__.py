# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from . import test_rules
from . import test_engine
from . import test_models
from . import test_security
from . import test_wizard
from . import test_cron
from . import test_cli
from . import test_installed_modules
from . import test_readme
from . import test_tour
from . import test_bulletproof
from . import test_rules_data
from . import test_rules_views
from . import test_rules_python
from . import test_rules_deployment
from . import test_upgrade
