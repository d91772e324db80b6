# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The project's Python environment runs every process of Odoo's prefork server."""

import subprocess
import sys

from odoo.tests import BaseCase, tagged

# What the prefork server runs for its longpolling process (odoo-bin gevent ...).
GEVENT_PROCESS = "import sys; sys.argv = ['odoo-bin', 'gevent', '--version']; import odoo.cli; odoo.cli.main()"


@tagged("post_install", "-at_install")
class TestPreforkServer(BaseCase):
    def test_the_longpolling_process_starts(self):
        """queue_job's job runner needs --workers > 0, which starts this process;
        when gevent could not load its plugins it crashed at start and was
        restarted again and again, burning a core (bench/run scale)."""
        done = subprocess.run([sys.executable, "-c", GEVENT_PROCESS], capture_output=True, text=True,
                              timeout=120, check=False)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        self.assertIn("Odoo Server", done.stdout)
