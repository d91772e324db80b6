{
    'name': 'Upgrade fixture mvu_unique',  'author': 'module_validator tests',
    'version': '1.0.0',
    'license': 'LGPL-3',
    'depends': ['base'],
    'data': ['security/ir.model.access.csv'],
    'post_init_hook': 'create_rows',
}
