# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Module Validator",
    "summary": "Tells, before you deploy, whether your modules will install, "
    "upgrade and run",
    "version": "1.2.0",
    "category": "Extra Tools",
    "website": "https://github.com/module-validator/module_validator",
    "author": "module_validator authors",
    "maintainers": ["module-validator"],
    "development_status": "Alpha",
    "license": "AGPL-3",
    "application": True,
    "depends": ["base", "web", "mail"],
    "data": [
        "security/module_validator_groups.xml",
        "security/ir.model.access.csv",
        "security/module_validator_rules.xml",
        "data/module_validator_rule_data.xml",
        "data/ir_cron.xml",
        "data/ir_config_parameter.xml",
        "data/module_validator_profile_data.xml",
        "views/module_validator_rule_views.xml",
        "views/module_validator_finding_views.xml",
        "views/module_validator_result_views.xml",
        "views/module_validator_run_views.xml",
        "views/module_validator_profile_views.xml",
        "views/module_validator_waiver_views.xml",
        "views/module_validator_deployment_views.xml",
        "views/module_validator_dashboard_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/module_validator_launch_views.xml",
        "wizards/module_validator_rule_import_views.xml",
        "views/module_validator_menus.xml",
        "data/module_validator_series_setup.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "module_validator/static/src/**/*",
            ("remove", "module_validator/static/src/lazy/**/*"),
        ],
        # Graph views load with Odoo's lazy bundle; so do views built on them.
        "web.assets_backend_lazy": [
            "module_validator/static/src/lazy/**/*",
        ],
        "web.assets_tests": [
            "module_validator/static/tests/tours/*.js",
        ],
    },
}
