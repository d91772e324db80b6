/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {onMounted, onWillUnmount} from "@odoo/owl";
import {useService} from "@web/core/utils/hooks";
import {patch} from "@web/core/utils/patch";
import {FormController} from "@web/views/form/form_controller";
import {ListController} from "@web/views/list/list_controller";

const RUN_MODEL = "module.validator.run";
const UPDATED = "module_validator.run/updated";

/**
 * Follow runs live: the server sends UPDATED on the bus each time the queue
 * stores a module of a run (and when a run ends or is cancelled); an open run
 * form or runs list reloads itself, so nobody has to reload the page.
 */
function useRunUpdates(onUpdate) {
    const busService = useService("bus_service");
    onMounted(() => busService.subscribe(UPDATED, onUpdate));
    onWillUnmount(() => busService.unsubscribe(UPDATED, onUpdate));
}

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        if (this.props.resModel === RUN_MODEL) {
            useRunUpdates(async (payload) => {
                const root = this.model.root;
                if (root && payload.id === root.resId && !root.dirty) {
                    await this.model.load();
                }
            });
        }
    },
});

patch(ListController.prototype, {
    setup() {
        super.setup(...arguments);
        if (this.props.resModel === RUN_MODEL) {
            useRunUpdates(async () => {
                await this.model.load();
            });
        }
    },
});
