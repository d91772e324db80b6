/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// The Module Validator section of Settings (tests/test_ui.py): change the
// wizard's default level, the rehearsal timeout and parallelism, save, and
// find the new default in the Validate Modules window.
import {registry} from "@web/core/registry";
import {
    openValidatorApp,
    unloadsPage,
} from "@module_validator/../tests/tours/module_validator_tour_steps";

registry.category("web_tour.tours").add("module_validator_settings_tour", {
    url: "/odoo",
    steps: () => [
        ...openValidatorApp(),
        {
            content: "Open Configuration",
            trigger: ".o_main_navbar [data-menu-xmlid='module_validator.menu_module_validator_config']",
            run: "click",
        },
        {
            content: "Open Settings",
            trigger: ".dropdown-item[data-menu-xmlid='module_validator.menu_module_validator_settings']",
            run: "click",
        },
        {
            content: "The Module Validator section is shown",
            trigger: ".app_settings_block[data-key='module_validator'] h2:contains('Validate Modules')",
        },
        {
            content: "Scheduled validation points to the profiles",
            trigger: "#module_validator_profiles button:contains('Profiles')",
        },
        {
            content: "Propose the dynamic level by default",
            trigger: "#module_validator_default_level .o_field_widget[name='validator_default_level'] input[data-value='dynamic']",
            run: "click",
        },
        {
            content: "Give rehearsals two minutes",
            trigger: "#module_validator_rehearsal_timeout .o_field_widget[name='validator_rehearsal_timeout'] input",
            run: "edit 120",
        },
        {
            content: "Rehearse two modules at once",
            trigger: "#module_validator_rehearsal_parallel .o_field_widget[name='validator_rehearsal_parallel'] input",
            run: "edit 2",
        },
        {
            content: "Save (the page reloads: mark the page before it does)",
            trigger: ".o_form_button_save",
            run(helpers) {
                document.body.classList.add("o_mv_before_save");
                helpers.click();
            },
            ...unloadsPage(),
        },
        {
            content: "Saved: the reloaded page shows the new timeout",
            trigger: "body:not(.o_mv_before_save) #module_validator_rehearsal_timeout .o_field_widget[name='validator_rehearsal_timeout'] input:value(120)",
        },
        {
            content: "Open the validation window",
            trigger: ".o_main_navbar [data-menu-xmlid='module_validator.menu_module_validator_launch']",
            run: "click",
        },
        {
            content: "It proposes the dynamic level",
            trigger: ".modal .o_field_widget[name='level'] input[data-value='dynamic']:checked",
        },
        {
            content: "Close it",
            trigger: ".modal .modal-footer button:contains('Cancel')",
            run: "click",
        },
        {
            content: "Closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
