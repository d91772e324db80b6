{
    'name': 'Upgrade fixture mvu_view_parent',  'author': 'module_validator tests',
    'version': '1.0.0',
    'license': 'LGPL-3',
    'depends': ['base'],
    'data': ['security/ir.model.access.csv',
    'views/thing_views.xml'],
    'post_init_hook': 'create_rows',
}
