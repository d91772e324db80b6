{
    "name": "Module Validator Example: Clean",
    "summary": "An addon every rule passes",
    "version": "1.0.0",
    "license": "LGPL-3",
    "author": "module_validator authors",
    "depends": ["base"],
    "data": [
        "security/ir.model.access.csv",
        "views/mv_example_note_views.xml",
    ],
    "installable": True,
}
