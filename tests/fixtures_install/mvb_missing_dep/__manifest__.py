{
    "name": "MVB mvb_missing_dep",  "author": "module_validator tests",
    "version": "1.0.0",
    "license": "LGPL-3",
    "depends": ["base", "mvb_no_such_module"],
}
