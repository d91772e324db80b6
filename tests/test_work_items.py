# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Background runs as work items: claims, takeovers, idempotent storing, a killed worker."""

import select
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.tests import tagged

from ..models.module_validator_run_item import MAX_ATTEMPTS, this_worker, worker_is_gone
from .common import ValidatorCase, odoo_bin

MODULES = ["mv_example_broken", "mv_example_clean"]


def dead_pid():
    """The pid of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@tagged("post_install", "-at_install")
class TestWorkItems(ValidatorCase):
    def queue(self, names=MODULES):
        run, _report = self.env["module.validator.run"]._launch(
            names, level="static", origin="wizard", background=True)
        return run

    def test_a_queued_run_is_one_pending_item_per_module_in_order(self):
        run = self.queue()
        self.assertEqual(run.item_ids.mapped("module_name"), MODULES)
        self.assertEqual(set(run.item_ids.mapped("state")), {"pending"})
        self.assertEqual(set(run.item_ids.mapped("level")), {"static"})
        self.assertEqual(run.pending_modules, ",".join(MODULES))

    def test_each_item_is_claimed_once_and_the_last_one_finishes_the_run(self):
        run = self.queue()
        Run = self.env["module.validator.run"]
        Run._cron_process_queue()
        first, second = run.item_ids
        self.assertEqual((first.state, first.attempt_count, first.worker), ("done", 1, this_worker()))
        self.assertEqual(second.state, "pending")
        self.assertEqual(run.state, "running")
        Run._cron_process_queue()
        self.assertEqual((second.state, run.state, run.verdict), ("done", "done", "fail"))
        self.assertEqual(sorted(run.result_ids.mapped("name")), MODULES)
        self.assertFalse(Run._cron_process_queue())

    def test_an_item_held_by_a_live_worker_is_left_alone(self):
        run = self.queue(["mv_example_clean"])
        run.item_ids.sudo().write({"state": "processing", "attempt_count": 1,
                                   "worker": this_worker(), "date_claimed": fields.Datetime.now()})
        self.assertFalse(self.env["module.validator.run"]._cron_process_queue())
        self.assertEqual((run.item_ids.attempt_count, run.state), (1, "queued"))

    def test_an_item_whose_worker_died_on_this_host_is_taken_over_at_once(self):
        run = self.queue(["mv_example_clean"])
        worker = f"{this_worker().rpartition(':')[0]}:{dead_pid()}"
        run.item_ids.sudo().write({"state": "processing", "attempt_count": 1,
                                   "worker": worker, "date_claimed": fields.Datetime.now()})
        self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual((run.item_ids.state, run.item_ids.attempt_count), ("done", 2))
        self.assertEqual((run.state, len(run.result_ids)), ("done", 1))

    def test_a_killed_worker_not_yet_reaped_counts_as_dead(self):
        run = self.queue(["mv_example_clean"])
        zombie = subprocess.Popen([sys.executable, "-c", "pass"])
        self.addCleanup(zombie.wait)
        for _attempt in range(100):  # until it has exited, unreaped
            if worker_is_gone(f"{this_worker().rpartition(':')[0]}:{zombie.pid}"):
                break
            time.sleep(0.05)
        run.item_ids.sudo().write({"state": "processing", "attempt_count": 1,
                                   "worker": f"{this_worker().rpartition(':')[0]}:{zombie.pid}",
                                   "date_claimed": fields.Datetime.now()})
        self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual((run.item_ids.state, run.item_ids.attempt_count), ("done", 2))

    def test_another_hosts_item_is_taken_over_when_its_lease_ends(self):
        run = self.queue(["mv_example_clean"])
        self.env["ir.config_parameter"].sudo().set_param("module_validator.item_timeout", "60")
        item = run.item_ids.sudo()
        item.write({"state": "processing", "attempt_count": 1, "worker": "elsewhere:1",
                    "date_claimed": fields.Datetime.now() - timedelta(seconds=30)})
        Run = self.env["module.validator.run"]
        self.assertFalse(Run._cron_process_queue(), "the lease still holds")
        item.date_claimed = fields.Datetime.now() - timedelta(seconds=61)
        Run._cron_process_queue()
        self.assertEqual((item.state, item.attempt_count, run.state), ("done", 2, "done"))

    def test_a_worker_whose_claim_was_taken_over_stores_nothing(self):
        run = self.queue(["mv_example_clean"])
        Item = self.env["module.validator.run.item"]
        item = Item._claim(self.env.cr)
        report = self.run_engine(["mv_example_clean"])
        # Another worker took the item over (a newer attempt) and stored it.
        item.write({"attempt_count": 2})
        self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual(len(run.result_ids), 0, "the item is held by attempt 2, not free")
        item.write({"date_claimed": fields.Datetime.now() - timedelta(hours=2)})
        self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual((item.state, len(run.result_ids)), ("done", 1))
        # The stale first worker comes back with its attempt-1 claim: dropped.
        self.assertFalse(item._store(report, attempt=1))
        self.assertEqual(len(run.result_ids), 1)
        self.assertEqual(run.result_ids.name, "mv_example_clean")

    def test_an_item_that_kills_its_workers_becomes_an_internal_error_and_the_run_ends(self):
        run = self.queue()
        first = run.item_ids[0].sudo()
        first.write({"state": "processing", "attempt_count": MAX_ATTEMPTS,
                     "worker": f"{this_worker().rpartition(':')[0]}:{dead_pid()}",
                     "date_claimed": fields.Datetime.now()})
        Run = self.env["module.validator.run"]
        while Run._cron_process_queue():
            pass
        self.assertEqual(first.state, "failed")
        lost = run.result_ids.filtered(lambda r: r.name == first.module_name)
        self.assertEqual(lost.finding_ids.mapped("rule_code"), ["MV001"])
        self.assertIn(f"stopped {MAX_ATTEMPTS} times", lost.finding_ids.message)
        self.assertEqual((run.state, run.verdict, len(run.result_ids)), ("done", "fail", 2))

    def test_cancel_ends_pending_items_and_a_late_result_is_dropped(self):
        run = self.queue()
        Item = self.env["module.validator.run.item"]
        item = Item._claim(self.env.cr)
        report = self.run_engine([item.module_name])
        run.action_cancel()
        self.assertEqual(set(run.item_ids.mapped("state")), {"cancelled"})
        self.assertFalse(item._store(report, attempt=item.attempt_count))
        self.assertFalse(run.result_ids)

    def test_parallel_cron_workers_are_copies_of_the_queue_action_all_woken(self):
        Run = self.env["module.validator.run"]
        self.env["res.config.settings"].create({"validator_cron_workers": 3}).execute()
        crons = Run._queue_crons()
        self.assertEqual(len(crons), 3)
        self.assertEqual(set(crons.mapped("code")), {"model._cron_process_queue()"})
        self.assertEqual(self.env["res.config.settings"].create({}).validator_cron_workers, 3)
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = {cron.id: Trigger.search_count([("cron_id", "=", cron.id)]) for cron in crons}
        self.queue(["mv_example_clean"])
        for cron in crons:
            self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before[cron.id] + 1)
        self.env["res.config.settings"].create({"validator_cron_workers": 1}).execute()
        self.assertEqual(Run._queue_crons(), crons[0])

    def test_the_last_item_ending_beside_a_busy_worker_schedules_a_later_look(self):
        run = self.queue()
        busy = run.item_ids[1].sudo()
        busy.write({"state": "processing", "attempt_count": 1, "worker": "elsewhere:1",
                    "date_claimed": fields.Datetime.now()})
        cron = self.env["module.validator.run"]._queue_crons()
        Trigger = self.env["ir.cron.trigger"].sudo()
        before = Trigger.search([("cron_id", "in", cron.ids)])
        started = fields.Datetime.now()
        self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual((run.item_ids[0].state, run.state), ("done", "running"))
        later = Trigger.search([("cron_id", "in", cron.ids)]) - before
        # Not "now": a trigger that comes due while the action runs is deleted with it.
        self.assertTrue(later.filtered(lambda t: started + timedelta(seconds=4) <= t.call_at
                                       <= started + timedelta(seconds=60)))
        busy.write({"state": "done"})
        self.env["module.validator.run"]._cron_process_queue()
        self.assertEqual(run.state, "done")

    def test_an_item_with_work_left_wakes_the_cron_threads_when_it_commits(self):
        """Odoo leaves a scheduled action that reported work left due, but wakes
        nobody after its 10th call: the queue sends the wake-up cron threads
        listen for (in the "postgres" database), or they sleep a minute."""
        self.queue()
        self.env.cr.postcommit.clear()  # the launch's own wake-up is not under test
        listener = odoo.sql_db.db_connect("postgres").cursor()
        self.addCleanup(listener.close)
        listener.execute("LISTEN cron_trigger")
        listener.commit()
        connection = listener._cnx

        def wake_ups():
            connection.poll()
            payloads = [notify.payload for notify in connection.notifies]
            connection.notifies.clear()
            return payloads

        wake_ups()
        self.env["module.validator.run"]._cron_process_queue()  # one of two items: work left
        # Only this database's wake-ups: other databases of the server may send theirs.
        self.assertNotIn(self.env.cr.dbname, wake_ups(), "sent before the item was committed")
        self.env.cr.postcommit.run()  # what the cron runner's commit runs
        deadline = time.monotonic() + 5
        received = []
        while not received and time.monotonic() < deadline:
            select.select([connection], [], [], 0.5)
            received = wake_ups()
        self.assertIn(self.env.cr.dbname, received)
        self.env["module.validator.run"]._cron_process_queue()  # the last item: nothing left
        self.env.cr.postcommit.run()
        time.sleep(0.5)
        self.assertNotIn(self.env.cr.dbname, wake_ups())

    def test_legacy_launch_signature_still_queues(self):
        run, report = self.env["module.validator.run"]._launch(
            ["mv_example_clean"], level="static", origin="cli", background=True)
        self.assertIsNone(report)
        self.assertEqual((run.state, run.origin, len(run.item_ids)), ("queued", "cli", 1))


@tagged("post_install", "-at_install")
class TestKilledWorker(ValidatorCase):
    """A real ``odoo-bin`` worker killed with SIGKILL between its claim and its store."""

    def test_a_killed_worker_loses_no_stored_finding_and_its_item_is_retried(self):
        dbname = self.env.cr.dbname
        # Committed data, in its own transaction: the worker is another process.
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run, _report = env["module.validator.run"]._launch(
                MODULES, level="static", origin="cli", background=True)
            run_id = run.id
            cr.commit()
        self.addCleanup(self._drop_run, run_id)
        # The worker validates one module, claims the next one, and dies.
        script = textwrap.dedent(f"""
            import os, signal
            Run = env["module.validator.run"]
            run = Run._cron_process_queue()
            assert run and run.id == {run_id}, run
            env.cr.commit()
            env["module.validator.run.item"]._claim(env.cr)
            env.cr.commit()
            os.kill(os.getpid(), signal.SIGKILL)
        """)
        worker = odoo_bin("shell", "--no-http", database=dbname, stdin_text=script, timeout=300)
        self.assertEqual(worker.returncode, -9, worker.stderr[-2000:])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            run = env["module.validator.run"].browse(run_id)
            first, second = run.item_ids
            self.assertEqual(first.state, "done")
            self.assertEqual((second.state, second.attempt_count), ("processing", 1))
            stored = run.result_ids
            self.assertEqual(stored.mapped("name"), ["mv_example_broken"])
            findings = stored.finding_ids.mapped("fingerprint")
            self.assertTrue(findings)
            # Any worker takes the dead worker's item over and ends the run.
            Run = env["module.validator.run"]
            while Run._cron_process_queue():
                cr.commit()
            cr.commit()
            run.invalidate_recordset()
            self.assertEqual((second.state, second.attempt_count), ("done", 2))
            self.assertEqual((run.state, run.module_count), ("done", 2))
            self.assertEqual(sorted(run.result_ids.mapped("name")), ["mv_example_broken", "mv_example_clean"])
            kept = run.result_ids.filtered(lambda r: r.name == "mv_example_broken")
            self.assertEqual(kept.finding_ids.mapped("fingerprint"), findings)

    def _drop_run(self, run_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM module_validator_run WHERE id = %s", [run_id])


@tagged("post_install", "-at_install")
class TestClaimContention(ValidatorCase):
    """Two workers claiming at once, on committed data, in two real transactions."""

    def test_a_claim_that_meets_another_workers_start_of_the_run_claims_the_next_item(self):
        run_id, (first_id, second_id) = self._committed_run()
        late = self.registry.cursor()  # a worker whose transaction began first
        self.addCleanup(late.close)
        late.execute("SELECT state FROM module_validator_run WHERE id = %s", [run_id])
        self.assertEqual(late.fetchone()[0], "queued")
        early = self.registry.cursor()  # the worker that claims first, not yet committed
        self.addCleanup(early.close)
        early.execute("UPDATE module_validator_run_item SET state = 'processing', attempt_count = 1,"
                      " worker = %s, date_claimed = now() at time zone 'UTC' WHERE id = %s",
                      [this_worker(), first_id])
        early.execute("UPDATE module_validator_run SET state = 'running',"
                      " date_processing = now() at time zone 'UTC' WHERE id = %s", [run_id])
        outcome = {}
        # Made here: the test holds the registries' lock a new environment takes.
        env = api.Environment(late, SUPERUSER_ID, {})

        def claim():
            # A thread of its own: a worker's, where claims are committed.
            try:
                outcome["item"] = env["module.validator.run.item"]._claim(late).id
            except Exception as error:  # noqa: BLE001 - the assertion below reports it
                outcome["error"] = repr(error)

        worker = threading.Thread(target=claim, daemon=True)
        worker.start()
        self._wait_until_blocked(late, outcome)
        early.commit()  # the late worker's snapshot still says "queued"
        worker.join(60)
        self.assertEqual(outcome, {"item": second_id})
        with self.registry.cursor() as cr:
            cr.execute("SELECT id, state, attempt_count FROM module_validator_run_item"
                       " WHERE run_id = %s ORDER BY id", [run_id])
            self.assertEqual(cr.fetchall(), [(first_id, "processing", 1), (second_id, "processing", 1)])

    def _committed_run(self):
        """``(run id, item ids)`` of a queued run that other transactions see."""
        with self.registry.cursor() as cr:
            run, _report = api.Environment(cr, SUPERUSER_ID, {})["module.validator.run"]._launch(
                MODULES, level="static", origin="cli", background=True)
            ids = run.id, run.item_ids.ids
            cr.commit()
        self.addCleanup(TestKilledWorker._drop_run, self, ids[0])
        return ids

    def _wait_until_blocked(self, cursor, outcome):
        """Until ``cursor``'s session waits for a row lock (or 10 s have passed)."""
        cursor_pid = cursor._cnx.get_backend_pid()
        deadline = time.monotonic() + 10
        with self.registry.cursor() as watcher:
            while time.monotonic() < deadline:
                watcher.execute("SELECT wait_event_type, wait_event, state, query FROM pg_stat_activity WHERE pid = %s", [cursor_pid])
                last = watcher.fetchone()
                if last[0] == "Lock":
                    return
                watcher.rollback()
                time.sleep(0.05)
        self.fail(f"the late worker never waited for the early worker's lock: {outcome} {last}")

    def test_a_claim_beside_another_uncommitted_claim_takes_the_next_item(self):
        run_id, (first_id, second_id) = self._committed_run()
        early = self.registry.cursor()
        self.addCleanup(early.close)
        # A claim made here is not committed: tests never commit (may_commit()).
        claimed = api.Environment(early, SUPERUSER_ID, {})["module.validator.run.item"]._claim(early)
        self.assertEqual(claimed.id, first_id)
        late = self.registry.cursor()
        self.addCleanup(late.close)
        env = api.Environment(late, SUPERUSER_ID, {})
        outcome = {}

        def claim():
            outcome["item"] = env["module.validator.run.item"]._claim(late).id

        worker = threading.Thread(target=claim, daemon=True)
        worker.start()
        # With only the first item locked, the late claim locks the second and
        # then waits for the early claim to commit its start of the run.
        self._wait_until_blocked(late, outcome)
        early.commit()
        worker.join(60)
        self.assertEqual(outcome, {"item": second_id})
