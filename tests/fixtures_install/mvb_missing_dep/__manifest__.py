{
    "name": "MVB mvb_missing_dep",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "depends": ["base", "mvb_no_such_module"],
}
