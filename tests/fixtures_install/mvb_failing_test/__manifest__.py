{
    "name": "MVB mvb_failing_test",  "author": "module_validator tests",
    "version": "1.0.0",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "views/thing_views.xml"],
}
