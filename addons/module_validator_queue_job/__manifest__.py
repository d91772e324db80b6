# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Module Validator - queue_job executor",
    "summary": "Spread background validation runs over Odoo workers with OCA's queue_job",
    "version": "1.0.0",
    "category": "Tools",
    "license": "AGPL-3",
    "author": "module_validator authors",
    "website": "https://github.com/module-validator/module_validator",
    "depends": ["module_validator", "queue_job"],
    "data": [
        "data/queue_job_data.xml",
        "views/res_config_settings_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
