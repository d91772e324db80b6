{
    "name": "MVB upgrade",
    "version": "18.0.2.0.0",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
}
