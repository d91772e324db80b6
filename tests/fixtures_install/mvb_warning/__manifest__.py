{
    "name": "MVB mvb_warning",
    "version": "18.0.1.0.0",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["views/thing_views.xml"],
}
