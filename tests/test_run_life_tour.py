# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A run's life in the browser: wizard, queue, Process now, live progress, notice."""

import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from odoo.addons.bus.tests.common import WebsocketCase


@tagged("post_install", "-at_install")
class TestRunLifeTour(WebsocketCase):
    """Odoo's own base class for websocket tests: Odoo closes the bus websocket
    in test mode unless a test opens it, as this one does, so that the bus
    really carries the progress and the notification to the browser."""

    def _queue_triggers(self, env):
        cron = env.ref("module_validator.ir_cron_module_validator_process_queue")
        return env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def _process_queue_when_asked(self, stop, errors, before):
        """Play the queue's cron worker (tests run none): once *Process now* has
        added a trigger (the second since ``before``, queuing the run added the
        first), process the queued run as the cron would, then let the bus
        deliver its messages (tests skip post-commit hooks)."""
        try:
            while not stop.is_set():
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    Run = env["module.validator.run"]
                    run = Run.search([("origin", "=", "wizard"), ("state", "in", ("queued", "running"))], limit=1)
                    if run and self._queue_triggers(env) >= before + 2:
                        while Run._cron_process_queue():
                            cr.flush()
                            cr.postcommit.run()
                        return
                time.sleep(0.5)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    def test_a_run_from_the_wizard_to_its_completion_notice(self):
        stop, errors = threading.Event(), []
        before = self._queue_triggers(self.env)
        worker = threading.Thread(target=self._process_queue_when_asked, args=(stop, errors, before), daemon=True)
        worker.start()
        try:
            self.start_tour("/odoo", "module_validator_run_life_tour", login="admin", timeout=360)
        finally:
            stop.set()
            worker.join(timeout=300)
        self.assertFalse(errors, errors)
        run = self.env["module.validator.run"].search([("origin", "=", "wizard")], limit=1)
        self.assertEqual((run.level, run.state, run.verdict), ("bulletproof", "done", "pass"))
