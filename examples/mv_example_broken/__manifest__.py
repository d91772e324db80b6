{
    "name": "Module Validator Example: Broken",
    "summary": "An addon with one fault per first-generation rule; it cannot install",
    "version": "1.0.0",
    "license": "LGPL-3",
    "author": "module_validator authors",
    "depends": ["base", "sale_from_a_missing_submodule"],
    "data": [
        "security/ir_model_access.csv",
        "views/Broken_Views.xml",
        "views/broken_menu.xml",
    ],
    "datas": ["views/never_loaded.xml"],
    "external_dependencies": {"python": ["mv_package_that_is_not_installed"]},
}
