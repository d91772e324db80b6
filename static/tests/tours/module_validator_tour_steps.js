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
