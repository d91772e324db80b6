/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// Steps every module_validator tour starts with: reach the app as a user does.

export function openValidatorApp() {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Module Validator app",
            trigger: ".o_app[data-menu-xmlid='module_validator.menu_module_validator_root']",
            run: "click",
        },
    ];
}

// The validation wizard, opened from the menu, with the example module picked.
export function openWizardWithCleanExample() {
    return [
        ...openValidatorApp(),
        {
            content: "Open the validation wizard",
            trigger: ".o_main_navbar [data-menu-xmlid='module_validator.menu_module_validator_launch']",
            run: "click",
        },
        {
            content: "Search a module by name",
            trigger: ".modal .o_field_widget[name='module_ids'] input",
            run: "edit Example: Clean",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-menu a:contains('Example: Clean')",
            run: "click",
        },
    ];
}
