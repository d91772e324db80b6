/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {X2ManyField, x2ManyField} from "@web/views/fields/x2many/x2many_field";

/**
 * A read-only one2many whose rows open their record in a full form, with a
 * breadcrumb back to the parent, instead of an "Open: ..." dialog.
 */
export class X2ManyOpenFormField extends X2ManyField {
    setup() {
        super.setup();
        this.actionService = useService("action");
    }

    async openRecord(record) {
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: record.resModel,
            res_id: record.resId,
            views: [[false, "form"]],
            target: "current",
        });
    }
}

registry.category("fields").add("mv_one2many_open_form", {
    ...x2ManyField,
    component: X2ManyOpenFormField,
});
