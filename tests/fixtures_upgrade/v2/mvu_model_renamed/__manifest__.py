{
    'name': 'Upgrade fixture mvu_model_renamed',
    'version': '18.0.1.1.0',
    'license': 'LGPL-3',
    'depends': ['base'],
    'data': ['security/ir.model.access.csv'],
    'post_init_hook': 'create_rows',
}
