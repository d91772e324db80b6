/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// The rule knowledge base as a manager uses it (tests/test_ui.py): the list,
// grouped by category and coloured by severity, opens the rule's form, where
// the manager reads the rationale and raises the severity.
import {registry} from "@web/core/registry";
import {
    openValidatorApp,
    selectInField,
} from "@module_validator/../tests/tours/module_validator_tour_steps";

registry.category("web_tour.tours").add("module_validator_rules_tour", {
    url: "/odoo",
    steps: () => [
        ...openValidatorApp(),
        {
            content: "Open Configuration",
            trigger: ".o_main_navbar [data-menu-xmlid='module_validator.menu_module_validator_config']",
            run: "click",
        },
        {
            content: "Open Rules",
            trigger: ".dropdown-item[data-menu-xmlid='module_validator.menu_module_validator_rule']",
            run: "click",
        },
        {
            content: "The rules are grouped by category; open the manifest group",
            trigger: ".o_list_view .o_group_name:contains('Manifest and packaging')",
            run: "click",
        },
        {
            content: "Errors are red, warnings amber, and each rule shows its findings count",
            trigger: ".o_list_view tr.o_data_row.text-warning td[name='code']:contains('MAN004')",
        },
        {
            content: "The list shows a Findings column",
            trigger: ".o_list_view th[data-name='finding_count']",
        },
        {
            content: "A click opens the rule, not an inline editor",
            trigger: ".o_list_view tr.o_data_row td[name='code']:contains('MAN004')",
            run: "click",
        },
        {
            content: "The form holds the knowledge base",
            trigger: ".o_form_view .o_field_widget[name='rationale']:contains('Odoo ignores unknown manifest keys')",
        },
        {
            content: "with its good example",
            trigger: ".o_form_view .o_field_widget[name='good_example']:contains('depends')",
        },
        // Raise the severity to Error.
        ...selectInField("severity", "error", "Error"),
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Rules')",
            run: "click",
        },
        {
            content: "The rule is now listed as an error",
            trigger: ".o_list_view tr.o_data_row.text-danger td[name='code']:contains('MAN004')",
        },
    ],
});
