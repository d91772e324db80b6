# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A run's life in the browser: wizard, queue, Process now, live progress, notice."""

import logging
import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from odoo.addons.bus.tests.common import WebsocketCase

_logger = logging.getLogger(__name__)
STAND_IN = "module_validator queue stand-in"  # the thread that plays the queue's cron worker


@tagged("post_install", "-at_install")
class TestRunLifeTour(WebsocketCase):
    """Odoo's own base class for websocket tests: Odoo closes the bus websocket
    in test mode unless a test opens it, as this one does, so that the bus
    really carries the progress and the notification to the browser."""

    def assertCanOpenTestCursor(self):
        # 19.0's WebsocketCase lets only its own websocket code and requests open
        # test cursors; the queue's stand-in opens them as a cron worker would.
        if threading.current_thread().name == STAND_IN:
            return super(WebsocketCase, self).assertCanOpenTestCursor()
        return super().assertCanOpenTestCursor()

    def _queue_triggers(self, env):
        cron = env.ref("module_validator.ir_cron_module_validator_process_queue")
        return env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def _process_queue_when_asked(self, stop, errors, before):
        """Play the queue's cron worker (tests run none): once *Process now* has
        added a trigger (the second since ``before``, queuing the run added the
        first), process the queued run as the cron would, then let the bus
        deliver its messages (tests skip post-commit hooks)."""
        while not stop.is_set():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    Run = env["module.validator.run"]
                    run = Run.search([("origin", "=", "wizard"), ("state", "in", ("queued", "running"))], limit=1)
                    if run and self._queue_triggers(env) >= before + 2:
                        _logger.info("processing %s as the queue's cron would", run.name)
                        while Run._cron_process_queue():
                            cr.flush()
                            cr.postcommit.run()
                        # The bus does not tell the websockets during tests (19.0
                        # even drops a test cursor's post-commit hooks): wake the
                        # page's, on the run's user and the validator group.
                        self.trigger_notification_dispatching([
                            run.user_id.partner_id,
                            env.ref("module_validator.group_module_validator_user"),
                        ])
                        return
            except Exception as error:  # noqa: BLE001 - reported by the test; the next poll retries
                _logger.info("the queue's stand-in failed: %r", error)
                errors.append(error)
            time.sleep(0.5)

    def test_a_run_from_the_wizard_to_its_completion_notice(self):
        stop, errors = threading.Event(), []
        before = self._queue_triggers(self.env)
        worker = threading.Thread(target=self._process_queue_when_asked, args=(stop, errors, before),
                                  name=STAND_IN, daemon=True)
        worker.start()
        try:
            self.start_tour("/odoo", "module_validator_run_life_tour", login="admin", timeout=900)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\nthe queue's stand-in: {errors}") from None
        finally:
            stop.set()
            worker.join(timeout=600)
        run = self.env["module.validator.run"].search([("origin", "=", "wizard")], limit=1)
        self.assertEqual((run.level, run.state, run.verdict), ("bulletproof", "done", "pass"))
