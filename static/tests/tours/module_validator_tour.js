/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {openWizardWithCleanExample} from "@module_validator/../tests/tours/module_validator_tour_steps";

registry.category("web_tour.tours").add("module_validator_tour", {
    url: "/odoo",
    steps: () => [
        ...openWizardWithCleanExample(),
        {
            content: "Validate",
            trigger: ".modal button[name='action_run']",
            run: "click",
        },
        {
            content: "The report lists the module",
            trigger: ".o_form_view .o_field_widget[name='result_ids'] td:contains('mv_example_clean')",
        },
        {
            content: "and says it passed",
            trigger: ".o_form_view .ribbon:contains('Passed')",
        },
    ],
});
