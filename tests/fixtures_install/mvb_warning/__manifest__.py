{
    "name": "MVB mvb_warning",  "author": "module_validator tests",
    "version": "1.0.0",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["views/thing_views.xml"],
}
