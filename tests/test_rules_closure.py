# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..engine.facts import DynamicFacts
from ..engine.rules import closure_rules
from ..engine.rules.field_origin import foreign_field_modules
from ..engine.runner import ModuleContext
from .common import ValidatorCase


@tagged("post_install", "-at_install")
class TestRulesClosure(ValidatorCase):
    """What a fresh database with only the closure gives: DAT008, DEP006, VIEW005 locators."""

    def findings(self, name, level="static"):
        return self.run_engine([name], level).modules[0].findings

    # -- DAT008 -----------------------------------------------------------------
    def test_dat008_record_and_csv_rows_without_a_required_value(self):
        for level in ("static", "dynamic"):
            findings = [f for f in self.findings("mvt_dat008", level) if f.rule == "DAT008"]
            self.assertEqual(
                [(f.rule, f.severity, f.path, f.line) for f in findings],
                [("DAT008", "error", "data/partner_category_data.xml", 4),
                 ("DAT008", "error", "data/res.partner.category.csv", 2)], level)
            self.assertIn("This res.partner.category record has no value for 'name'",
                          findings[0].message)
            self.assertIn("have no column 'name'", findings[1].message)
            self.assertIn("NOT NULL", findings[1].message)
        self.assertEqual(self.codes("mvt_dat008"), ["DAT008", "DAT008"])

    def test_dat008_updates_context_defaults_and_inherits_parents_are_fine(self):
        self.assertEqual(self.codes("mvt_dat008_ok"), [])
        self.assertNotIn("DAT008", self.codes("mvt_dat008_ok", "dynamic"))

    def test_dat008_registry_fallback_for_models_the_files_cannot_tell(self):
        module = self.catalog.get("mvt_dat008")
        ctx = ModuleContext(module, DynamicFacts(self.catalog, self.env))
        closure = closure_rules._Closure(ctx)
        self.assertEqual(closure_rules._dynamic_required(
            ctx, closure, "res.partner.category", set()), ["name"])
        # res.users: name goes to the res.partner parent, unless the record links one.
        self.assertNotIn("name", closure_rules._dynamic_required(
            ctx, closure, "res.users", {"partner_id"}))

    def test_dat008_leaves_crons_to_act004(self):
        self.assertEqual(self.codes("mvt_act004"), ["ACT004", "ACT004"])

    # -- DEP006 -----------------------------------------------------------------
    def provided_here(self):
        """This database as if mvt_dep006_provider were installed: its field in the registry.

        The test database has no module outside base's auto-install set that adds a
        field to a base model (web, bus, web_tour... come with base on every
        database), so the provider's field is put in the registry for the test.
        """
        field = fields.Char(string="Provided note")
        field._modules = ("mvt_dep006_provider",)
        model = self.env.registry["res.partner"]
        # 19.0 shows the fields' dict (_fields__) through a read-only _fields.
        own_fields = getattr(model, "_fields__", None) or model._fields
        return patch.dict(own_fields, {"mvt_provided_note": field})

    def test_dep006_field_that_only_an_installed_non_dependency_adds(self):
        with self.provided_here():
            findings = self.findings("mvt_dep006", "dynamic")
        self.assertEqual([(f.rule, f.severity, f.path, f.line) for f in findings],
                         [("DEP006", "error", "data/partner_data.xml", 5),
                          ("DEP006", "error", "data/res.partner.csv", 1),
                          ("DEP006", "error", "views/partner_views.xml", 10)])
        for finding in findings:
            self.assertIn("Field 'mvt_provided_note' of 'res.partner' exists in this database "
                          "only because 'mvt_dep006_provider' (not a dependency) is installed",
                          finding.message)
        # Without the field in the registry, it is simply unknown to the closure.
        self.assertEqual(self.codes("mvt_dep006", "dynamic"), ["DAT005", "DAT012", "VIEW004"])
        self.assertEqual(self.codes("mvt_dep006"), ["DAT005", "DAT012", "VIEW004"])

    def test_dep006_field_of_a_dependency_or_of_an_auto_installed_module(self):
        with self.provided_here():
            self.assertEqual(self.codes("mvt_dep006_ok", "dynamic"), [])
        # im_status comes from bus on 18.0, which Odoo installs with web on every
        # database (19.0 moved it to mail, a plain dependency of this addon).
        field = self.env["res.partner"]._fields.get("im_status")
        if field is not None and "bus" in field._modules:
            module = self.catalog.get("mvt_dep006")
            ctx = ModuleContext(module, DynamicFacts(self.catalog, self.env))
            self.assertEqual(foreign_field_modules(ctx, "res.partner", "im_status"), ())
            self.assertIn("bus", ctx.facts.fresh_install("mvt_dep006"))

    # -- VIEW005: specs located in the parent as a fresh install builds it ----------
    def test_view005_spec_that_matches_nothing(self):
        findings = self.findings("mvt_view005_xpath")
        self.assertEqual([(f.rule, f.severity, f.path, f.line) for f in findings],
                         [("VIEW005", "error", "views/partner_views.xml", 12),
                          ("VIEW005", "error", "views/partner_views.xml", 23)])
        # Odoo's own message, from its apply_inheritance_specs.
        self.assertIn("Element '<xpath expr=\"//field[@name=&#39;mvt_no_such_anchor&#39;]\">' "
                      "cannot be located in parent view", findings[0].message)
        # The page base_geolocalize adds is absent: base_geolocalize is not a dependency.
        self.assertIn("geo_location", findings[1].message)
        self.assertIn("cannot be located in parent view", findings[1].message)

    def test_view005_parent_view_of_a_module_installed_with_the_dependencies(self):
        # Installed for real (18.0 and 19.0): base_setup comes with web (auto_install),
        # so the view finds its parent and the install is green; a risk, not an error.
        findings = self.findings("mvt_view005_auto")
        self.assertEqual([(f.rule, f.severity, f.impact, f.line) for f in findings],
                         [("VIEW005", "warning", "hygiene", 6)])
        self.assertIn("auto-installs 'base_setup'", findings[0].message)

    def test_a_model_of_a_module_auto_installed_and_loaded_first_is_a_warning(self):
        # Installed for real (18.0 and 19.0): mvt_autoi_extra comes with
        # mvt_autoi_trigger (auto_install) at the same depth as mvt_autoi_user and
        # its name sorts first, so Odoo loads it first and the install is green.
        findings = self.findings("mvt_autoi_user")
        self.assertEqual(sorted((f.rule, f.severity, f.impact) for f in findings),
                         [("ACT001", "warning", "hygiene"), ("DAT004", "warning", "hygiene")])
        self.assertTrue(all("comes from 'mvt_autoi_extra'" in f.message for f in findings))

    def test_a_model_of_a_module_auto_installed_but_loaded_later_is_an_error(self):
        # Installed for real: Odoo loads mvt_autoi_early before mvt_autoi_extra, when
        # the model does not exist yet, and the install fails.
        findings = self.findings("mvt_autoi_early")
        self.assertEqual(sorted((f.rule, f.severity, f.impact) for f in findings),
                         [("ACT001", "error", "install"), ("DAT004", "error", "install")])

    def test_view005_specs_located_in_dependencies_and_earlier_views(self):
        self.assertEqual(self.codes("mvt_view005_xpath_ok"), [])
        self.assertEqual(self.codes("mvt_view005_xpath_ok", "dynamic"), [])

    def test_clean_fixture_stays_clean(self):
        self.assertEqual(self.codes("mvt_clean"), [])
        self.assertEqual(self.codes("mvt_clean", "dynamic"), [])
