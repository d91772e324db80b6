{
    'name': 'Upgrade fixture mvu_model_extender',
    'version': '18.0.1.0.0',
    'license': 'LGPL-3',
    'depends': ['mvu_model_extended'],
}
