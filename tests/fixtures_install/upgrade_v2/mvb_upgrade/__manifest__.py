{
    "name": "MVB upgrade",  "author": "module_validator tests",
    "version": "2.0.0",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
}
