/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// A module's history across runs (tests/test_ui.py): the Modules menu lists
// each module with its latest verdict; its page lists every run that
// validated it; a run's result opens as a full form with a breadcrumb.
import {registry} from "@web/core/registry";
import {openValidatorApp} from "@module_validator/../tests/tours/module_validator_tour_steps";

registry.category("web_tour.tours").add("module_validator_module_history_tour", {
    url: "/odoo",
    steps: () => [
        ...openValidatorApp(),
        {
            content: "Open Modules",
            trigger: ".o_main_navbar [data-menu-xmlid='module_validator.menu_module_validator_module']",
            run: "click",
        },
        {
            content: "The module's latest verdict is a green badge: it passes now",
            trigger: ".o_list_view tr.o_data_row:has(td[name='name']:contains('mv_hist_a')) td[name='verdict'] .text-bg-success:contains('Passed')",
        },
        {
            content: "and the other module fails",
            trigger: ".o_list_view tr.o_data_row:has(td[name='name']:contains('mv_hist_b')) td[name='verdict'] .text-bg-danger:contains('Failed')",
        },
        {
            content: "Open the module",
            trigger: ".o_list_view td[name='name']:contains('mv_hist_a')",
            run: "click",
        },
        {
            content: "Its history lists both runs, the failed one in red",
            trigger: ".o_form_view .o_field_widget[name='result_ids'] tr.o_data_row.text-danger td[name='run_id']:contains('HIST-1')",
        },
        {
            content: "Half of its runs passed",
            trigger: ".o_form_view .o_field_widget[name='pass_rate']:contains('50.0')",
        },
        {
            content: "Open the failed run's result",
            trigger: ".o_form_view .o_field_widget[name='result_ids'] td[name='run_id']:contains('HIST-1')",
            run: "click",
        },
        {
            content: "It opens as a full form, with a breadcrumb back to the module",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('mv_hist_a')",
        },
        {
            content: "showing the finding with its rule title",
            trigger: ".o_form_view .o_field_widget[name='finding_ids'] td[name='rule_name']:contains('Declared dependencies are available')",
        },
        {
            content: "Back to the module",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('mv_hist_a')",
            run: "click",
        },
        {
            content: "The module page again",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('mv_hist_a')",
        },
    ],
});
