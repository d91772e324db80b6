# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The access matrix (issue 13, item 6): what each kind of user can do with
every model, method, menu, action and HTTP route of the addon.

One table (``MATRIX``) says it; the tests check it against the real thing:
access rights and record rules through the ORM (``with_user``), menus as the
web client computes them, window actions loaded and used over JSON-RPC as each
user, and the API's routes with each user's API key (none for the public).
The table must name every model, menu, action and route of the addon: a new
one fails the test until someone decides who may use it.

Operations: r(ead), w(rite), c(reate), u(nlink); for methods, menus and
actions "x" means allowed. Route cells are HTTP statuses.
"""

import base64
import inspect
import json
import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from ..controllers.api import BASE, ValidatorApi
from ..engine import compat

_logger = logging.getLogger(__name__)

KINDS = ("public", "portal", "internal", "user", "manager")
MV = "module_validator"

MATRIX = {
    # -- models (ORM: ACLs and record rules) ---------------------------------------------
    #   subject                                     public portal internal user    manager
    "model:module.validator.rule":                  ("", "", "", "r", "rwcu"),
    # Every run is readable by every validator user; users write their own only.
    "model:module.validator.run/own":               ("", "", "", "rwc", "rwcu"),
    "model:module.validator.run/other":             ("", "", "", "r", "rwcu"),
    "model:module.validator.result":                ("", "", "", "rc", "rc"),
    "model:module.validator.finding":               ("", "", "", "rc", "rc"),
    "model:module.validator.module":                ("", "", "", "r", "r"),
    "model:module.validator.launch":                ("", "", "", "rwc", "rwc"),
    "model:module.validator.profile":               ("", "", "", "r", "rwcu"),
    "model:module.validator.waiver":                ("", "", "", "r", "rwcu"),
    "model:module.validator.deployment":            ("", "", "", "rwc", "rwcu"),
    "model:module.validator.deployment.line":       ("", "", "", "rwc", "rwcu"),
    "model:module.validator.rule.import":           ("", "", "", "", "rwc"),
    "model:module.validator.run.item":              ("", "", "", "r", "r"),
    # Read by every internal user (base grants it; this addon grants it to its groups too).
    "model:ir.module.module":                       ("", "", "r", "r", "r"),
    # -- methods of abstract models ---------------------------------------------------------
    "method:module.validator.dashboard.get_dashboard_data": ("", "", "", "x", "x"),
    # Writes series-specific data on install and update (superuser); nobody else may.
    "method:module.validator.series.setup._apply":  ("", "", "", "", ""),
    # -- menus (what the web client shows) ----------------------------------------------------
    "menu:menu_module_validator_root":              ("", "", "", "x", "x"),
    "menu:menu_module_validator_dashboard":         ("", "", "", "x", "x"),
    "menu:menu_module_validator_launch":            ("", "", "", "x", "x"),
    "menu:menu_module_validator_run":               ("", "", "", "x", "x"),
    "menu:menu_module_validator_module":            ("", "", "", "x", "x"),
    "menu:menu_module_validator_finding":           ("", "", "", "x", "x"),
    "menu:menu_module_validator_profile":           ("", "", "", "x", "x"),
    "menu:menu_module_validator_deployment_root":   ("", "", "", "x", "x"),
    "menu:menu_module_validator_deployment":        ("", "", "", "x", "x"),
    "menu:menu_module_validator_deployment_failure_log": ("", "", "", "x", "x"),
    "menu:menu_module_validator_config":            ("", "", "", "", "x"),
    "menu:menu_module_validator_rule":              ("", "", "", "", "x"),
    "menu:menu_module_validator_rule_custom":       ("", "", "", "", "x"),
    "menu:menu_module_validator_rule_import":       ("", "", "", "", "x"),
    "menu:menu_module_validator_waiver":            ("", "", "", "", "x"),
    # Settings are the administrators' (base.group_system), as every settings page.
    "menu:menu_module_validator_settings":          ("", "", "", "", ""),
    # -- actions (loaded and used over JSON-RPC, as the web client does) -----------------------
    "action:action_module_validator_dashboard":     ("", "", "", "x", "x"),
    "action:action_module_validator_launch":        ("", "", "", "x", "x"),
    "action:action_module_validator_run":           ("", "", "", "x", "x"),
    "action:action_module_validator_result":        ("", "", "", "x", "x"),
    "action:action_module_validator_module":        ("", "", "", "x", "x"),
    "action:action_module_validator_finding":       ("", "", "", "x", "x"),
    "action:action_module_validator_profile":       ("", "", "", "x", "x"),
    "action:action_module_validator_deployment":    ("", "", "", "x", "x"),
    "action:action_module_validator_deployment_failure_log": ("", "", "", "x", "x"),
    # Users read rules and waivers (findings name them); the menus are the managers'.
    "action:action_module_validator_rule":          ("", "", "", "x", "x"),
    "action:action_module_validator_rule_custom":   ("", "", "", "x", "x"),
    "action:action_module_validator_waiver":        ("", "", "", "x", "x"),
    "action:action_module_validator_rule_import":   ("", "", "", "", "x"),
    "action:action_module_validator_rule_export_xml": ("", "", "", "", "x"),
    "action:action_module_validator_settings":      ("", "", "", "", ""),
    # The queue's scheduled action has no groups: as for any such server action,
    # Odoo lets whoever may write its model (runs) call it; the scheduler runs it as root.
    "action:ir_cron_module_validator_process_queue_ir_actions_server": ("", "", "", "x", "x"),
    # -- API routes: the status each gets (public: no key; others: their own API key) ---------
    "route:POST runs":                              (401, 403, 403, 202, 202),
    "route:GET runs/<int:run_id>":                  (401, 403, 403, 200, 200),
    "route:GET runs/<int:run_id>/report":           (401, 403, 403, 422, 422),
    "route:POST deployments":                       (401, 403, 403, 201, 201),
    "route:GET <path:rest>":                        (401, 404, 404, 404, 404),
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}
# Actions whose model a user creates rather than reads (target="new" wizards).
WIZARD_MODELS = ("module.validator.launch", "module.validator.rule.import")


def rows(prefix):
    return {key[len(prefix) + 1:]: dict(zip(KINDS, value)) for key, value in MATRIX.items()
            if key.startswith(prefix + ":")}


@tagged("post_install", "-at_install")
class TestAccessMatrix(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.users = {
            "public": env.ref("base.public_user"),
            "portal": new_test_user(env, "mv_mx_portal", groups="base.group_portal"),
            "internal": new_test_user(env, "mv_mx_internal", groups="base.group_user"),
            "user": new_test_user(env, "mv_mx_user", groups=f"base.group_user,{MV}.group_module_validator_user"),
            "manager": new_test_user(env, "mv_mx_manager",
                                     groups=f"base.group_user,{MV}.group_module_validator_manager"),
        }
        other = new_test_user(env, "mv_mx_other", groups=f"base.group_user,{MV}.group_module_validator_user")
        Run = env["module.validator.run"]
        cls.own_runs = {kind: Run.create({"user_id": user.id, "origin": "test"}) for kind, user in cls.users.items()}
        run = Run.create({"user_id": other.id, "origin": "test"})
        result = env["module.validator.result"].create(
            {"run_id": run.id, "name": "base", "origin": "addons_path", "verdict": "fail"})
        rule = env.ref(f"{MV}.rule_py001")
        deployment = env["module.validator.deployment"].create({"environment": "staging"})
        cls.records = {
            "module.validator.rule": rule,
            "module.validator.run/other": run,
            "module.validator.result": result,
            "module.validator.finding": env["module.validator.finding"].create({
                "run_id": run.id, "result_id": result.id, "rule_id": rule.id, "rule_code": "PY001",
                "severity": "error", "module_name": "base", "message": "m", "fingerprint": "mx"}),
            "module.validator.module": env["module.validator.module"].search([("name", "=", "base")], limit=1),
            "module.validator.launch": env["module.validator.launch"].create({}),
            "module.validator.profile": env["module.validator.profile"].create({"name": "mv_mx"}),
            "module.validator.waiver": env["module.validator.waiver"].create({
                "rule_id": rule.id, "module_name": "base", "justification": "matrix",
                "expiry_date": fields.Date.today() + timedelta(days=30)}),
            "module.validator.deployment": deployment,
            "module.validator.deployment.line": env["module.validator.deployment.line"].create(
                {"deployment_id": deployment.id, "module_name": "base"}),
            "module.validator.rule.import": env["module.validator.rule.import"].create(
                {"file": base64.b64encode(b"<odoo/>")}),
            "module.validator.run.item": env["module.validator.run.item"].create(
                {"run_id": run.id, "module_name": "base", "level": "static"}),
            "ir.module.module": env["ir.module.module"].search([("name", "=", "base")]),
        }
        cls.api_keys = {
            kind: env["res.users.apikeys"].with_user(user).sudo()._generate(None, "matrix", None)
            for kind, user in cls.users.items() if kind != "public"
        }

    # -- the table covers the addon -------------------------------------------------------------
    def test_the_table_names_every_model_menu_action_and_route(self):
        Data = self.env["ir.model.data"]
        # The models the addon defines, and those its access rules name.
        models = {model for model in Data.search([("module", "=", MV), ("model", "=", "ir.model")]).mapped(
            lambda data: self.env["ir.model"].browse(data.res_id).model) if model.startswith("module.validator.")}
        models |= set(self.env["ir.model.access"].browse(Data.search(
            [("module", "=", MV), ("model", "=", "ir.model.access")]).mapped("res_id")).mapped("model_id.model"))
        covered = {key.split("/")[0] for key in rows("model")} | {
            key.rpartition(".")[0] for key in rows("method")}
        self.assertEqual(models - covered, set(), "models without a row in MATRIX")
        menus = set(Data.search([("module", "=", MV), ("model", "=", "ir.ui.menu")]).mapped("name"))
        self.assertEqual(menus, set(rows("menu")), "menus and MATRIX differ")
        actions = set(Data.search([("module", "=", MV), ("model", "like", "ir.actions.")]).mapped("name"))
        self.assertEqual(actions, set(rows("action")), "actions and MATRIX differ")
        routes = set()
        for _name, method in inspect.getmembers(ValidatorApi, inspect.isfunction):
            routing = getattr(method, "original_routing", None)
            if routing:
                for route in routing["routes"]:
                    if route != BASE:
                        for verb in routing.get("methods") or ["GET"]:
                            routes.add(f"{verb} {route[len(BASE) + 1:]}")
        self.assertEqual(routes, set(rows("route")), "routes and MATRIX differ")
        self.assertEqual({len(value) for value in MATRIX.values()}, {len(KINDS)})
        _logger.info("access matrix: %d subjects x %d kinds of user", len(MATRIX), len(KINDS))

    # -- models, through the ORM ----------------------------------------------------------------------
    def allowed_operations(self, record, user):
        """The operations ``user`` may do on ``record``: ACLs and record rules."""
        allowed = ""
        for letter, operation in OPERATIONS.items():
            try:
                if letter == "r":
                    found = record.with_user(user).search([("id", "=", record.id)])
                    if found != record.with_user(user):
                        continue
                    found.read(["display_name"])
                record.with_user(user).check_access(operation)
            except AccessError:
                continue
            allowed += letter
        return allowed

    def test_models(self):
        for subject, expected in rows("model").items():
            for kind, user in self.users.items():
                record = self.own_runs[kind] if subject.endswith("/own") else self.records[subject]
                self.assertTrue(record, f"no sample record for {subject}")
                with self.subTest(subject=subject, kind=kind):
                    self.assertEqual(self.allowed_operations(record, user), expected[kind])

    def test_methods(self):
        for subject, expected in rows("method").items():
            model, _dot, method = subject.rpartition(".")
            for kind, user in self.users.items():
                with self.subTest(subject=subject, kind=kind):
                    try:
                        getattr(self.env[model].with_user(user), method)()
                        allowed = "x"
                    except AccessError:
                        allowed = ""
                    self.assertEqual(allowed, expected[kind])

    def test_menus(self):
        Menu = self.env["ir.ui.menu"]
        for kind, user in self.users.items():
            try:
                visible = Menu.with_user(user)._visible_menu_ids()
            except AccessError:  # the public user reads no menu at all
                visible = set()
            for subject, expected in rows("menu").items():
                menu = self.env.ref(f"{MV}.{subject}")
                # The web client shows a menu when it and every menu above it are visible.
                shown = all(ancestor.id in visible for ancestor in self.ancestors(menu))
                with self.subTest(subject=subject, kind=kind):
                    self.assertEqual("x" if shown else "", expected[kind])

    @staticmethod
    def ancestors(menu):
        while menu:
            yield menu
            menu = menu.parent_id

    # -- actions, over JSON-RPC ------------------------------------------------------------------------
    # A refusal: an access error, or no session. Other errors (a UserError of the
    # method itself) come after the access check has let the call through.
    REFUSALS = ("odoo.exceptions.AccessError", "odoo.http.SessionExpiredException",
                "werkzeug.exceptions.Forbidden", "werkzeug.exceptions.Unauthorized")

    def rpc(self, route, params):
        """``(result, error name)`` of a JSON-RPC call in the current session."""
        response = self.url_open(route, data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
                                 headers={"Content-Type": "application/json"})
        body = response.json()
        if "error" in body:
            return None, body["error"]["data"]["name"]
        return body["result"], None

    def has_access(self, model, operation):
        result, error = self.rpc("/web/dataset/call_kw", {
            "model": model, "method": "has_access", "args": [[], operation], "kwargs": {}})
        return error is None and result is True

    def use_action(self, xmlid):
        """True when the current session loads the action and can use what it opens."""
        action, error = self.rpc("/web/action/load", {"action_id": f"{MV}.{xmlid}"})
        if error:
            return False
        if action["type"] == "ir.actions.client":
            _result, error = self.rpc("/web/dataset/call_kw", {
                "model": "module.validator.dashboard", "method": "get_dashboard_data", "args": [], "kwargs": {}})
            return error not in self.REFUSALS
        if action["type"] == "ir.actions.server":
            if not action.get(compat.groups_field()):
                # Run as Odoo's run() would let it (write access to its model),
                # without running it: it is the queue's worker.
                return self.has_access(action["model_name"], "write")
            rule = self.records["module.validator.rule"]
            _result, error = self.rpc("/web/action/run", {"action_id": action["id"], "context": {
                "active_model": rule._name, "active_id": rule.id, "active_ids": rule.ids}})
            return error not in self.REFUSALS
        model = action["res_model"]
        if model in WIZARD_MODELS:
            return self.has_access(model, "create")
        _result, error = self.rpc("/web/dataset/call_kw", {
            "model": model, "method": "web_search_read", "args": [],
            "kwargs": {"domain": [], "specification": {"display_name": {}}, "limit": 1}})
        return error not in self.REFUSALS

    def test_actions(self):
        for kind, user in self.users.items():
            if kind == "public":
                self.log_out()
            else:
                self.authenticate(user.login, user.login)
            for subject, expected in rows("action").items():
                with self.subTest(subject=subject, kind=kind):
                    self.assertEqual("x" if self.use_action(subject) else "", expected[kind])

    # -- API routes ------------------------------------------------------------------------------------
    def call_route(self, subject, key):
        verb, _space, path = subject.partition(" ")
        run = self.records["module.validator.run/other"]
        path = path.replace("<int:run_id>", str(run.id)).replace("<path:rest>", "no/such/thing")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        body = {}
        if path == "runs":
            body = {"json": {"modules": ["base"], "level": "static"}}
        elif path == "deployments":
            body = {"json": {"modules": [{"name": "base", "version": ""}], "environment": "staging"}}
        response = self.opener.request(verb, f"{self.base_url()}{BASE}/{path}", headers=headers,
                                       allow_redirects=False, timeout=60, **body)
        self.assertTrue(response.headers.get("Content-Type", "").startswith("application/json"), response.text)
        return response.status_code

    def log_out(self):
        if getattr(self, "session", None):
            self.logout()

    def test_api_routes(self):
        self.log_out()
        for subject, expected in rows("route").items():
            for kind in KINDS:
                with self.subTest(subject=subject, kind=kind):
                    self.assertEqual(self.call_route(subject, self.api_keys.get(kind)), expected[kind])
        # A key the server never issued is no key; a portal user's key is refused
        # whatever it asks for, and creates nothing.
        self.assertEqual(self.call_route("GET runs/<int:run_id>", "x" * 40), 401)
        self.assertFalse(self.env["module.validator.run"].search(
            [("user_id", "in", (self.users["portal"] | self.users["internal"]).ids)]
            + [("id", "not in", [r.id for r in self.own_runs.values()])]))

    # -- multi-company ---------------------------------------------------------------------------------
    def test_runs_and_profiles_of_a_company_are_hidden_from_other_companies(self):
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "MV Company B"})
        groups = f"base.group_user,{MV}.group_module_validator_manager"
        user_a = new_test_user(self.env, "mv_mx_a", groups=groups, company_id=company_a.id,
                               company_ids=[(6, 0, company_a.ids)])
        user_b = new_test_user(self.env, "mv_mx_b", groups=groups, company_id=company_b.id,
                               company_ids=[(6, 0, company_b.ids)])
        # What each creates belongs to its company.
        run_a, _report = self.env["module.validator.run"].with_user(user_a)._launch(
            ["mv_example_broken"], origin="test")
        self.assertEqual(run_a.company_id, company_a)
        self.assertTrue(run_a.finding_ids)
        profile_b = self.env["module.validator.profile"].with_user(user_b).create(
            {"name": "mv_mx_b", "module_selection": "list", "module_names": "mv_example_clean"})
        self.assertEqual(profile_b.company_id, company_b)
        run_b, _report = profile_b._launch()
        shared = self.env["module.validator.run"].create({"origin": "cli", "company_id": False})
        for user, own, foreign in ((user_a, run_a, profile_b), (user_b, profile_b, run_a)):
            Run = self.env["module.validator.run"].with_user(user)
            Profile = self.env["module.validator.profile"].with_user(user)
            visible_runs = Run.search([("id", "in", (run_a | shared).ids)])
            visible_profiles = Profile.search([("id", "=", profile_b.id)])
            if user == user_a:
                self.assertEqual(visible_runs, run_a | shared)
                self.assertFalse(visible_profiles)
            else:
                self.assertEqual(visible_runs, shared, "company B sees company A's run")
                self.assertEqual(visible_profiles, profile_b)
                with self.assertRaises(AccessError):
                    run_a.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    run_a.with_user(user).unlink()
                # The findings and results of A's run follow it.
                self.assertFalse(self.env["module.validator.finding"].with_user(user).search(
                    [("run_id", "=", run_a.id)]))
                self.assertFalse(self.env["module.validator.result"].with_user(user).search(
                    [("run_id", "=", run_a.id)]))
            with self.assertRaises(AccessError):
                foreign.with_user(user).check_access("read")
            own.with_user(user).check_access("read")
        # A profile's runs are its company's, whoever (the scheduler) starts them.
        self.assertEqual(run_b.company_id, company_b)
        self.assertFalse(run_b.with_user(user_a).search([("id", "=", run_b.id)]))
        # A user of both companies sees both, as Odoo's company switcher allows.
        both = new_test_user(self.env, "mv_mx_ab", groups=groups, company_id=company_a.id,
                             company_ids=[(6, 0, (company_a | company_b).ids)])
        Run = self.env["module.validator.run"].with_user(both).with_context(
            allowed_company_ids=(company_a | company_b).ids)
        self.assertEqual(Run.search([("id", "in", (run_a | shared).ids)]), run_a | shared)
