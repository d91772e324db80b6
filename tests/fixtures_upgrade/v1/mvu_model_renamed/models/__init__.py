from . import box
