# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The queue_job glue addon, installed for real with OCA's queue_job in a scratch database."""

import os
import re
import subprocess
import unittest
import uuid

from odoo.tests import tagged

from ..engine import compat
from ..engine.rehearsal.rehearse import free_port
from .common import ValidatorCase, odoo_bin

GLUE_FOLDER = os.path.join(os.path.dirname(os.path.dirname(__file__)), "addons")


@tagged("post_install", "-at_install")
class TestQueueJobGlue(ValidatorCase):
    def test_glue_installs_with_queue_job_and_its_tests_pass(self):
        oca = os.environ.get("MV_OCA_ADDONS", "")
        if not os.path.isdir(os.path.join(oca, "queue_job")):
            raise unittest.SkipTest("queue_job is not fetched: dev/env.sh mv_oca_addons pins it for "
                                    "18.0 only (the glue is not ported to 19.0's queue_job), or no network")
        database = f"mv_qj_{uuid.uuid4().hex[:8]}"
        self.addCleanup(subprocess.run, ["dropdb", "--if-exists", database], check=False,
                        capture_output=True)
        addons_path = ",".join([compat.addons_path_option(), GLUE_FOLDER, oca])
        # auto_install: installing module_validator and queue_job brings the glue.
        done = odoo_bin(
            "server", "-i", "module_validator,queue_job", *compat.demo_args(False),
            "--test-enable", "--test-tags", "/module_validator_queue_job", "--stop-after-init",
            "--log-level=test", f"--http-port={free_port()}", database=database,
            addons_path=addons_path, timeout=900)
        log = done.stdout + done.stderr
        self.assertIn("Starting TestQueueJobExecutor", log, log[-3000:])
        self.assertNotRegex(log, r"(ERROR|FAIL): TestQueueJobExecutor")
        totals = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", log)
        self.assertEqual(totals, [("0", "0", "7")], log[-3000:])
        self.assertEqual(done.returncode, 0, log[-3000:])
