{
    'name': 'Upgrade fixture mvu_model_extender',  'author': 'module_validator tests',
    'version': '1.0.0',
    'license': 'LGPL-3',
    'depends': ['mvu_model_extended'],
}
