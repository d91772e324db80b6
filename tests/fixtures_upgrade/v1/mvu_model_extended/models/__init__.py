from . import gadget
