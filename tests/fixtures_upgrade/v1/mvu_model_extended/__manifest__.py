{
    'name': 'Upgrade fixture mvu_model_extended',
    'version': '18.0.1.0.0',
    'license': 'LGPL-3',
    'depends': ['base'],
    'data': ['security/ir.model.access.csv'],
}
