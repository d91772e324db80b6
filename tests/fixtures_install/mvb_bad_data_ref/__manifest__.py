{
    "name": "MVB mvb_bad_data_ref",  "author": "module_validator tests",
    "version": "1.0.0",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "views/thing_views.xml", "data/thing_data.xml"],
}
