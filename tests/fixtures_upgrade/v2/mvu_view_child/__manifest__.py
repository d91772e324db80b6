{'name': 'Upgrade fixture mvu_view_child',  'author': 'module_validator tests', 'version': '1.0.0', 'license': 'LGPL-3', 'depends': ['mvu_view_parent'], 'data': ['views/thing_views.xml']}
