# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deployments recorded by the addon itself, around real ``odoo-bin -i/-u``
runs on a scratch database (created once for the class, dropped after)."""

import os
import shutil
import tempfile
import unittest
from datetime import datetime, timedelta

from odoo.tests import tagged

from ..engine import compat
from ..engine.code_fingerprint import code_fingerprint
from ..engine.rehearsal.rehearse import odoo_launcher
from ..engine.rehearsal.scratch import DatabaseError, scratch_name
from .common import ValidatorCase
from .test_deployment import FIXTURE

MODULE = "mvd_deploy_target"
MANIFEST = """{{
    "name": "MV deployment fixture",
    "author": "module_validator tests",
    "version": "{version}",
    "license": "AGPL-3",
    "depends": ["base"],
    "data": ["data/mvd_data.xml"],
}}
"""
DATA = """<?xml version="1.0" encoding="utf-8" ?>
<odoo>
    <record id="mvd_marker" model="ir.config_parameter">
        <field name="key">mvd_deploy_target.marker</field>
        <field name="value">{value}</field>
    </record>{extra}
</odoo>
"""
BROKEN_RECORD = """
    <record id="mvd_broken" model="res.partner">
        <field name="name">Broken</field>
        <field name="parent_id" ref="mvd_deploy_target.no_such_record" />
    </record>"""


@tagged("post_install", "-at_install")
class TestDeploymentRecording(ValidatorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = tempfile.mkdtemp(prefix="mvd_")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.addons = os.path.join(cls.workdir, "addons")
        cls.module_path = os.path.join(cls.addons, MODULE)
        shutil.copytree(FIXTURE, cls.module_path)
        cls.launcher = odoo_launcher([cls.addons])
        cls.launcher.timeout_s = max(cls.launcher.timeout_s, 900)
        cls.server = cls.launcher.server
        try:
            cls.server.check_can_create_databases()
        except DatabaseError as error:
            raise unittest.SkipTest(str(error)) from None
        cls.dbname = scratch_name()
        cls.addClassCleanup(cls.server.drop, cls.dbname)
        code, log = cls.odoo("-i", f"module_validator,{MODULE}", *compat.demo_args(False))
        if code != 0:
            raise AssertionError(f"installing into {cls.dbname} failed ({code}):\n{log[-3000:]}")

    @classmethod
    def odoo(cls, *args):
        return cls.launcher.run(cls.dbname, list(args), os.path.join(cls.workdir, "odoo.log"))

    def query(self, sql, params=()):
        with self.server.cursor(self.dbname) as cr:
            cr.execute(sql, params)
            return cr.fetchall() if cr.description else None

    def deployments(self):
        return self.query(
            "SELECT id, name, environment, origin, outcome, target, validated, passed_but_failed, "
            "run_id, error_message FROM module_validator_deployment ORDER BY id"
        )

    def lines(self, deployment_id):
        return self.query(
            "SELECT module_name, version, code_fingerprint FROM module_validator_deployment_line "
            "WHERE deployment_id = %s ORDER BY module_name", (deployment_id,)
        )

    def write_module(self, version, value, extra=""):
        with open(os.path.join(self.module_path, "__manifest__.py"), "w", encoding="utf-8") as handle:
            handle.write(MANIFEST.format(version=version))
        with open(os.path.join(self.module_path, "data", "mvd_data.xml"), "w", encoding="utf-8") as handle:
            handle.write(DATA.format(value=value, extra=extra))
        return code_fingerprint(self.module_path)

    def test_install_is_recorded(self):
        first = self.deployments()[0]
        _id, name, environment, origin, outcome, target, validated, *_rest = first
        self.assertEqual(name, f"DEP/{_id:05d}")
        self.assertEqual((environment, origin, outcome, target, validated),
                         ("development", "auto", "success", self.dbname, False))
        lines = {line[0]: line for line in self.lines(first[0])}
        self.assertIn("module_validator", lines)
        self.assertIn("base", lines)
        self.assertEqual(lines[MODULE], (MODULE, f"{compat.series()}.1.0.0", code_fingerprint(FIXTURE)))

    def test_upgrades_new_code_unchanged_code_and_a_failed_upgrade(self):
        self.query("DELETE FROM ir_config_parameter WHERE key = 'module_validator.environment'")
        self.query("INSERT INTO ir_config_parameter (key, value) VALUES ('module_validator.environment', 'staging')")
        before = len(self.deployments())

        # New version and code: one successful deployment of that module only.
        fingerprint_v2 = self.write_module("1.0.1", "v2")
        code, log = self.odoo("-u", MODULE)
        self.assertEqual(code, 0, log[-3000:])
        self.assertEqual(self.query("SELECT value FROM ir_config_parameter WHERE key = %s",
                                    ("mvd_deploy_target.marker",)), [("v2",)])
        deployments = self.deployments()
        self.assertEqual(len(deployments), before + 1, log[-3000:])
        upgrade = deployments[-1]
        self.assertEqual(upgrade[2:8], ("staging", "auto", "success", self.dbname, False, False))
        self.assertEqual(self.lines(upgrade[0]), [(MODULE, f"{compat.series()}.1.0.1", fingerprint_v2)])

        # The same code upgraded again is no new deployment.
        code, log = self.odoo("-u", MODULE)
        self.assertEqual(code, 0, log[-3000:])
        self.assertEqual(len(self.deployments()), before + 1)

        # Broken code that a run had passed: the upgrade fails, Odoo rolls it
        # back, and a failed deployment is recorded from a cursor of its own.
        fingerprint_v3 = self.write_module("1.0.2", "v3", BROKEN_RECORD)
        earlier = datetime.utcnow().replace(microsecond=0) - timedelta(hours=1)
        (run_id,) = self.query(
            "INSERT INTO module_validator_run (name, user_id, origin, level, fail_on, state, verdict, "
            "date_start) VALUES ('VAL/TEST', 1, 'test', 'static', 'error', 'done', 'pass', %s) RETURNING id",
            (earlier,),
        )[0]
        self.query(
            "INSERT INTO module_validator_result (run_id, name, origin, verdict, code_fingerprint) "
            "VALUES (%s, %s, 'addons_path', 'pass', %s)", (run_id, MODULE, fingerprint_v3),
        )
        code, log = self.odoo("-u", MODULE, "--load=base,web,module_validator")
        self.assertNotEqual(code, 0, log[-3000:])
        self.assertEqual(self.query("SELECT state, latest_version FROM ir_module_module WHERE name = %s",
                                    (MODULE,)), [("installed", f"{compat.series()}.1.0.1")])
        deployments = self.deployments()
        self.assertEqual(len(deployments), before + 2, log[-3000:])
        failed = deployments[-1]
        self.assertEqual(failed[1], f"DEP/{failed[0]:05d}")
        self.assertEqual(failed[2:9], ("staging", "auto", "failure", self.dbname, True, True, run_id))
        self.assertIn("no_such_record", failed[9])
        self.assertEqual(self.lines(failed[0]), [(MODULE, f"{compat.series()}.1.0.2", fingerprint_v3)])
