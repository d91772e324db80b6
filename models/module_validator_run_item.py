# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Work items: one per module of a background run, processed by any worker.

A queued run is split into items. An executor (the embedded cron by default,
queue_job with the glue addon) makes a worker *claim* an item, validate its
module and *store* the result. Claims are committed at once, so an item held
by a worker that died is seen as such (its process is gone, or its lease ran
out) and claimed again; storing checks the claim it holds, so an item
processed twice never stores its findings twice. The run finishes when its
last item is final, whichever worker ends it.
"""

import logging
import os
import socket
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import compat
from ..engine.results import RunReport
from ..engine.runner import worker_lost
from ..service import validation
from ..service.validation import ValidationRequest
from .module_validator_rule import LEVEL_SELECTION

_logger = logging.getLogger(__name__)

ITEM_STATES = [
    ("pending", "Pending"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("failed", "Worker lost"),
    ("cancelled", "Cancelled"),
]
FINAL_ITEM_STATES = ("done", "failed", "cancelled")
# A worker that claimed an item this many times without storing it (killed,
# out of memory, past Odoo's time limit) will not store it: give up.
MAX_ATTEMPTS = 3
# Times a worker looks again for an item when other workers' commits got in the way.
CLAIM_ATTEMPTS = 5
# When they all met other workers' commits, the queue looks again after this many seconds.
CLAIM_RECHECK_S = 5
# How long a claim holds when its worker cannot be checked (another host):
# Settings > "Work item timeout"; this is its default, in seconds.
DEFAULT_LEASE_S = 3600


def this_worker():
    """``host:pid``: where the claiming process lives, to check it later."""
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_is_gone(worker):
    """True when ``worker`` (``host:pid``) is a process of this host that no longer runs."""
    host, _sep, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's process: only its lease tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return _is_zombie(int(pid))


def _is_zombie(pid):
    """A killed process its parent has not reaped yet still answers kill(0)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            # "pid (command) state ...": the command may hold spaces and brackets.
            return handle.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class ClaimsInProgress(Exception):
    """Pending items exist, all locked by other workers' claims that have not committed yet."""


def may_commit():
    """Commits are real outside tests; a test's transaction must not be committed."""
    return not compat.in_test()


@compat.sql_constraints(
    ("run_module_level_unique", "UNIQUE(run_id, module_name, level)",
     "A run validates each module once per level."),
)
class ModuleValidatorRunItem(models.Model):
    _name = "module.validator.run.item"
    _description = "Module Validator - Work item"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one(
        "module.validator.run", string="Run", required=True, ondelete="cascade", index=True, readonly=True,
    )
    module_name = fields.Char(string="Module", required=True, readonly=True)
    level = fields.Selection(LEVEL_SELECTION, required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    state = fields.Selection(ITEM_STATES, required=True, default="pending", index=True, readonly=True)
    attempt_count = fields.Integer(string="Attempts", readonly=True, default=0)
    worker = fields.Char(readonly=True, help="host:pid of the process that claimed the item last.")
    date_claimed = fields.Datetime(string="Claimed", readonly=True)
    date_done = fields.Datetime(string="Ended", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))

    # -- the executor interface ------------------------------------------------
    @api.model
    def _executor(self):
        """Which executor processes items: ``cron`` here; glue addons name theirs."""
        return "cron"

    @api.model
    def _dispatch_claimable(self):
        """Hand the items waiting for a worker to the executor again: pending
        items, and items whose claim is stale. (The cron executor claims them
        itself; this is for executors that need to be told.)"""
        lease = self._lease_seconds()
        now = fields.Datetime.now()
        items = self.sudo().search([
            ("state", "in", ("pending", "processing")), ("run_id.state", "in", ("queued", "running")),
        ])
        claimable = items.filtered(lambda item: item.state == "pending" or self._claim_is_stale(
            item.worker, item.date_claimed, now, lease))
        claimable._dispatch()
        return claimable

    def _dispatch(self):
        """Hand these new items to the configured executor.

        The embedded executor is the queue's scheduled action: it is
        triggered, and claims items itself. Glue addons (queue_job) override
        this to enqueue one job per item."""
        if self:
            self.env["module.validator.run"]._trigger_queue()

    def _process(self):
        """Claim this item and validate its module (what a queue_job job runs).

        Returns True when the item was processed here, False when another
        worker holds it or it is already final."""
        self.ensure_one()
        claimed = self._claim(self.env.cr, [("item.id = %s", [self.id])])
        if not claimed:
            return False
        claimed._validate_and_store()
        return True

    # -- claiming ----------------------------------------------------------------
    @api.model
    def _lease_seconds(self):
        return self.env["module.validator.run"]._config_int("item_timeout") or DEFAULT_LEASE_S

    @api.model
    def _claim(self, cr, extra_conditions=()):
        """Claim one item, the oldest run's first, and commit the claim.

        Claimable: pending items, and items whose claim is stale (the worker's
        process is gone, or the lease ran out). Locked rows are skipped, so
        workers never wait for each other. Returns the claimed item, or an
        empty recordset."""
        # The callers' conditions are fixed fragments; their values become parameters.
        condition = SQL(" AND ").join([SQL("run.state IN ('queued', 'running')"), *(
            SQL(fragment, *values) for fragment, values in extra_conditions)])
        for _attempt in range(CLAIM_ATTEMPTS):
            try:
                # The whole claim, its reads and its writes (the item's row and
                # the run's), is one attempt: a savepoint that flushes on exit.
                with cr.savepoint():
                    item = self._claim_first(cr, condition)
                    if not item and self._pending_exists(cr, condition):
                        raise ClaimsInProgress()
                break
            except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable, ClaimsInProgress):
                # Another worker claimed or stored an item, or started the run,
                # since this transaction began. That is not "no work": reporting
                # none would make Odoo put this scheduled action to sleep with
                # work left (found by bench/run scale: one of two workers idle
                # for a whole run). Look again in a new transaction.
                if not may_commit():
                    return self.browse()
                cr.commit()
        else:
            # Still in others' way: make sure the queue looks again soon.
            self.env["module.validator.run"]._trigger_queue(
                fields.Datetime.now() + timedelta(seconds=CLAIM_RECHECK_S))
            item = self.browse()
        if may_commit():
            cr.commit()  # the claim, or items given up on, which are final
        return item

    @api.model
    def _claim_first(self, cr, condition):
        """Lock the first claimable item that matches ``condition`` and mark it
        as this worker's; gives up on items that killed their workers.

        Items a worker holds come first, to take over those whose claim went
        stale; then one pending item. Only that one is locked: locking every
        pending row would make the other workers' claims, at that instant,
        skip them all and find no work (found by bench/run scale: of 4
        workers started together, 2 slept through the run)."""
        lease = self._lease_seconds()
        self.flush_model()
        self.env["module.validator.run"].flush_model(["state"])
        now = fields.Datetime.now()
        for item_id, worker, date_claimed, attempts in self._lock_candidates(
                cr, SQL("%s AND item.state = 'processing'", condition)):
            if self._claim_is_stale(worker, date_claimed, now, lease) and self._take(
                    cr, self.browse(item_id), attempts, now, lease):
                return self.browse(item_id)
        given_up = [0]
        while True:
            pending = self._lock_candidates(cr, SQL(
                "%s AND item.state = 'pending' AND item.id != ALL(%s)", condition, given_up), limit=1)
            if not pending:
                return self.browse()
            item_id, _worker, _date_claimed, attempts = pending[0]
            if self._take(cr, self.browse(item_id), attempts, now, lease):
                return self.browse(item_id)
            given_up.append(item_id)

    @api.model
    def _pending_exists(self, cr, condition):
        """Whether pending items match ``condition``, locked by others or not."""
        cr.execute(SQL(
            "SELECT 1 FROM module_validator_run_item item"
            "  JOIN module_validator_run run ON run.id = item.run_id"
            " WHERE %s AND item.state = 'pending' LIMIT 1", condition))
        return bool(cr.fetchall())

    @api.model
    def _lock_candidates(self, cr, condition, limit=None):
        """Lock, skipping rows others hold, the items that match ``condition``, in queue order."""
        # Expected under contention: not an error for the server's log.
        cr.execute(SQL(
            "SELECT item.id, item.worker, item.date_claimed, COALESCE(item.attempt_count, 0)"
            "  FROM module_validator_run_item item"
            "  JOIN module_validator_run run ON run.id = item.run_id"
            " WHERE %s"
            " ORDER BY item.run_id, item.sequence, item.id"
            " %s FOR UPDATE OF item SKIP LOCKED",
            condition, SQL("LIMIT %s", limit) if limit else SQL(""),
        ), log_exceptions=False)
        return cr.fetchall()

    def _take(self, cr, item, attempts, now, lease):
        """Mark the locked ``item`` as this worker's; False when it is given up on instead."""
        if attempts >= MAX_ATTEMPTS:
            item._give_up()
            return False
        item.write({"state": "processing", "attempt_count": attempts + 1,
                    "worker": this_worker(), "date_claimed": now})
        run = item.run_id
        if run.state == "queued" or not run.date_processing:
            # Fails here, quietly, if another worker started the run meanwhile.
            cr.execute(SQL("SELECT id FROM module_validator_run WHERE id = %s FOR NO KEY UPDATE",
                           run.id), log_exceptions=False)
            run.write({"state": "running", "date_processing": run.date_processing or now})
        # Should this worker die, the queue looks again when the lease ends.
        self.env["module.validator.run"]._trigger_queue(now + timedelta(seconds=lease + 1))
        return True

    @staticmethod
    def _claim_is_stale(worker, date_claimed, now, lease):
        if not date_claimed:
            return True
        return worker_is_gone(worker) or (now - date_claimed).total_seconds() > lease

    def _give_up(self):
        """Workers died on this item again and again: store that as its finding."""
        self.ensure_one()
        run = self.run_id
        module = self._selected_module(run._build_catalog(run._extra_path_list()))
        report = RunReport(run._validator_version(), run.level, run.fail_on,
                           modules=[worker_lost(self.module_name, module, self.attempt_count)])
        self._store(report, attempt=self.attempt_count, final_state="failed")

    # -- processing ----------------------------------------------------------------
    def _selected_module(self, catalog):
        modules, _problem = validation.select_modules(catalog, ValidationRequest(names=(self.module_name,)))
        return modules[0] if modules else None

    def _validate_and_store(self):
        """Validate this claimed item's module at its run's level and store the result."""
        self.ensure_one()
        run = self.run_id
        attempt = self.attempt_count  # this worker's claim
        started = time.monotonic()
        catalog = run._build_catalog(run._extra_path_list())
        module = self._selected_module(catalog)
        # The time budget counts from the run's start, across items.
        elapsed = (fields.Datetime.now() - run.date_start).total_seconds()
        report = run._validate_modules(
            catalog, [module] if module else [], started=time.monotonic() - elapsed)
        self._store(report, attempt=attempt, duration=time.monotonic() - started)

    def _store(self, report, *, attempt, final_state="done", duration=0.0):
        """Store ``report`` for this item unless another claim owns it now.

        The item's row is locked and its attempt compared with ``attempt``,
        the one this worker made: a worker whose claim went stale and was
        taken over stores nothing, so no module is ever stored twice in a run."""
        self.ensure_one()
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT state, attempt_count FROM module_validator_run_item WHERE id = %s FOR UPDATE",
            [self.id],
        )
        row = self.env.cr.fetchone()
        run = self.run_id
        if not row or row[0] in FINAL_ITEM_STATES or row[1] != attempt or run.state not in ("queued", "running"):
            _logger.info("work item %s (%s) was ended elsewhere; result dropped", self.id, self.module_name)
            return False
        stored = run.result_ids.filtered(lambda result: result.name == self.module_name)
        stored.unlink()  # what an earlier, interrupted attempt may have left
        run._store_modules(report)
        self.write({"state": final_state, "date_done": fields.Datetime.now(), "duration": duration})
        run._finish_if_complete()
        return True
