{
    'name': 'Upgrade fixture mvu_live_required',  'author': 'module_validator tests',
    'version': '1.0.0',
    'license': 'LGPL-3',
    'depends': ['base'],
    'data': ['security/ir.model.access.csv',
    'data/config.xml'],
}
