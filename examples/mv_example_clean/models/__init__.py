from . import mv_example_note
