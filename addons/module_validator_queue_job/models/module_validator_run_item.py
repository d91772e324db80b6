# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The queue_job executor: one job per work item, on the module_validator channel.

Claims, takeovers and idempotent storing stay the main addon's (its
``_process``); jobs only decide which worker processes an item and when.
queue_job itself requeues the jobs of workers that died; the main addon's
scheduled action keeps finishing complete runs and hands back to queue_job
any item that has no job left (a job cancelled by hand, an item whose
worker died after its job was marked done)."""

from odoo import models

CHANNEL = "root.module_validator"
ACTIVE_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started")


class ModuleValidatorRunItem(models.Model):
    _inherit = "module.validator.run.item"

    def _executor(self):
        return "queue_job"

    def _job_identity(self):
        # A stale claim's job is dead even when queue_job still shows it
        # started: its retry is a job of its own, made once per claim.
        retry = ":retry" if self.state == "processing" else ""
        return f"module_validator.run.item:{self.id}:{self.attempt_count}{retry}"

    def _dispatch(self):
        """One job per item; an item that already has a job waiting gets no second one."""
        Job = self.env["queue.job"].sudo()
        for item in self.sudo():
            identity = item._job_identity()
            if Job.search_count([("identity_key", "=", identity), ("state", "in", ACTIVE_JOB_STATES)]):
                continue
            item.with_delay(
                channel=CHANNEL, identity_key=identity,
                description=self.env._("Validate %(module)s (%(run)s)",
                                       module=item.module_name, run=item.run_id.name),
            )._process_job()

    def _process_job(self):
        """What a job runs: claim and validate the item, as the queue does."""
        return self.sudo()._process()
