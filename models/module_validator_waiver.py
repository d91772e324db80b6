# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..engine.waivers import Waiver

MAX_DAYS_PARAM = "module_validator.waiver_max_days"
DEFAULT_MAX_DAYS = 180


class ModuleValidatorWaiver(models.Model):
    """A manager's signed acceptance of one rule's findings in one module, until a date."""

    _name = "module.validator.waiver"
    _inherit = ["mail.thread"]
    _description = "Module Validator - Waiver"
    _order = "expiry_date desc, id desc"
    _rec_name = "display_name"

    rule_id = fields.Many2one(
        "module.validator.rule", string="Rule", required=True, ondelete="restrict",
        tracking=True, index=True,
    )
    module_name = fields.Char(string="Module", required=True, tracking=True, index=True)
    path_glob = fields.Char(
        string="Files", tracking=True,
        help="Optional glob of file paths relative to the module, e.g. views/*.xml; "
        "empty waives the rule in the whole module.",
    )
    justification = fields.Text(required=True, tracking=True)
    expiry_date = fields.Date(required=True, tracking=True, index=True)
    active = fields.Boolean(default=True, tracking=True)
    is_expired = fields.Boolean(compute="_compute_is_expired", search="_search_is_expired")
    finding_ids = fields.One2many("module.validator.finding", "waiver_id", string="Waived findings")
    finding_count = fields.Integer(compute="_compute_finding_count")

    @api.depends("rule_id", "module_name", "path_glob")
    def _compute_display_name(self):
        for waiver in self:
            if not (waiver.rule_id and waiver.module_name):
                waiver.display_name = self.env._("New waiver")
                continue
            where = waiver.module_name
            if waiver.path_glob:
                where += f"/{waiver.path_glob}"
            waiver.display_name = f"{waiver.rule_id.code} in {where}"

    @api.depends("expiry_date")
    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for waiver in self:
            waiver.is_expired = bool(waiver.expiry_date and waiver.expiry_date < today)

    def _search_is_expired(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on expiry."))
        expired = (operator == "=") == value
        today = fields.Date.context_today(self)
        return [("expiry_date", "<" if expired else ">=", today)]

    def _compute_finding_count(self):
        counts = dict(self.env["module.validator.finding"]._read_group(
            [("waiver_id", "in", self.ids)], ["waiver_id"], ["__count"]
        ))
        for waiver in self:
            waiver.finding_count = counts.get(waiver, 0)

    @api.model
    def _max_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_DAYS_PARAM)
        try:
            return max(1, int(value))
        except (TypeError, ValueError):
            return DEFAULT_MAX_DAYS

    @api.constrains("expiry_date", "justification")
    def _check_expiry_and_justification(self):
        today = fields.Date.context_today(self)
        limit = today + timedelta(days=self._max_days())
        for waiver in self:
            if not (waiver.justification or "").strip():
                raise ValidationError(self.env._("A waiver needs a justification."))
            if waiver.expiry_date > limit:
                raise ValidationError(self.env._(
                    "A waiver expires at the latest %(days)s days from today (%(limit)s).",
                    days=self._max_days(), limit=limit,
                ))

    @api.onchange("rule_id", "module_name")
    def _onchange_default_expiry(self):
        if not self.expiry_date:
            self.expiry_date = fields.Date.context_today(self) + timedelta(days=30)

    @api.ondelete(at_uninstall=False)
    def _unlink_unless_used(self):
        if self.finding_ids:
            raise UserError(self.env._(
                "A waiver that accepted findings is part of their audit trail: archive it instead."
            ))

    @api.model
    def _engine_waivers(self):
        """Waivers in force today, in the engine's terms."""
        today = fields.Date.context_today(self)
        waivers = self.sudo().search([("expiry_date", ">=", today)])
        return [
            Waiver(key=waiver.id, rule=waiver.rule_id.code, module=waiver.module_name.strip(),
                   path_glob=(waiver.path_glob or "").strip())
            for waiver in waivers
        ]

    def action_view_findings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "module_validator.action_module_validator_finding"
        )
        action["domain"] = [("waiver_id", "=", self.id)]
        return action
