from . import mv_example_broken_thing
