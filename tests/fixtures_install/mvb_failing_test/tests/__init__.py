from . import test_thing
