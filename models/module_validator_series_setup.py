# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..engine import compat

# (action xmlid, group xmlid): who sees the action in the Action menu.
ACTION_GROUPS = [
    ("module_validator.action_module_validator_rule_export_xml",
     "module_validator.group_module_validator_manager"),
    ("module_validator.action_module_validator_launch", "module_validator.group_module_validator_user"),
]
GROUPS = ["module_validator.group_module_validator_user", "module_validator.group_module_validator_manager"]


class ModuleValidatorSeriesSetup(models.AbstractModel):
    """Data whose field names differ between Odoo 18.0 and 19.0.

    A data file has one spelling for every series, and 19.0 renamed the fields
    that put groups in an application and restrict actions to groups, and
    dropped the settings actions' inline target: those values are written here, on every install and update of the module
    (data/module_validator_series_setup.xml).
    """

    _name = "module.validator.series.setup"
    _description = "Module Validator: series-specific data"

    @api.model
    def _apply(self):
        category = self.env.ref("module_validator.module_category_module_validator")
        groups = self.env["res.groups"].browse([self.env.ref(xmlid).id for xmlid in GROUPS])
        compat.set_groups_category(groups, category, "module_validator.privilege_module_validator")
        for action_xmlid, group_xmlid in ACTION_GROUPS:
            compat.restrict_to_groups(self.env.ref(action_xmlid), self.env.ref(group_xmlid))
        self.env.ref("module_validator.action_module_validator_settings").write(compat.settings_action_values())
