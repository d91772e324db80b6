from . import thing
