{'name': 'Upgrade fixture mvu_field_child',  'author': 'module_validator tests', 'version': '1.0.0', 'license': 'LGPL-3', 'depends': ['mvu_field_parent'], 'data': ['views/thing_views.xml']}
