from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestThing(TransactionCase):
    def test_thing_name(self):
        thing = self.env["mvb.failing.test.thing"].create({"name": "a"})
        self.assertEqual(thing.name, "b")
