/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// Steps every module_validator tour starts with: reach the app as a user does.
import {session} from "@web/session";

// Where the web client of 19.0 differs from 18.0's.
export function isOdoo19() {
    return session.server_version_info[0] >= 19;
}

// Keys of a step that reloads the page: 19.0 must be told, 18.0 knows no such key.
export function unloadsPage() {
    return isOdoo19() ? {expectUnloadPage: true} : {};
}

// A selection field is a <select> on 18.0, a dropdown menu (SelectMenu) on 19.0.
export function selectInField(fieldName, value, label) {
    const field = `.o_form_view .o_field_widget[name='${fieldName}']`;
    if (!isOdoo19()) {
        return [{content: `Choose ${label}`, trigger: `${field} select`, run: `select "${value}"`}];
    }
    return [
        {content: `Open the choices of ${fieldName}`, trigger: `${field} .o_select_menu_toggler`, run: "click"},
        {content: `Choose ${label}`, trigger: `.o_select_menu_item:contains('${label}')`, run: "click"},
    ];
}

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
