# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Background runs processed as queue_job jobs, one per work item."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.queue_job.job import Job

MODULES = ["mv_example_broken", "mv_example_clean"]


@tagged("post_install", "-at_install")
class TestQueueJobExecutor(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Jobs that may commit run in a cursor of their own (queue_job's
        # in_temporary_env): in test mode it shares the test's transaction.
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def queue(self, names=MODULES):
        run, _report = self.env["module.validator.run"]._launch(
            names, level="static", origin="wizard", background=True)
        return run

    def jobs(self, run):
        items = {str(item_id) for item_id in run.item_ids.ids}
        return self.env["queue.job"].search([
            ("model_name", "=", "module.validator.run.item"), ("method_name", "=", "_process_job"),
        ]).filtered(lambda job: job.identity_key.split(":")[1] in items)

    def test_a_queued_run_is_one_job_per_item_on_the_validator_channel(self):
        run = self.queue()
        jobs = self.jobs(run)
        self.assertEqual(len(jobs), 2)
        self.assertEqual(set(jobs.mapped("channel")), {"root.module_validator"})
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        run.item_ids._dispatch()
        self.assertEqual(len(self.jobs(run)), 2, "an item with a waiting job gets no second one")

    def test_performing_the_jobs_validates_each_module_and_ends_the_run(self):
        run = self.queue()
        for job in self.jobs(run):
            Job.load(self.env, job.uuid).perform()
            self.env.invalidate_all()  # the job wrote through a cursor of its own
        self.assertEqual(set(run.item_ids.mapped("state")), {"done"})
        self.assertEqual(sorted(run.result_ids.mapped("name")), MODULES)
        self.assertEqual((run.state, run.verdict), ("done", "fail"))

    def test_a_job_for_an_item_held_elsewhere_does_nothing(self):
        run = self.queue(["mv_example_clean"])
        item = run.item_ids
        item.write({"state": "processing", "attempt_count": 1, "worker": "elsewhere:1",
                    "date_claimed": fields.Datetime.now()})
        self.assertFalse(item._process_job())
        self.assertFalse(run.result_ids)

    def test_the_scheduled_action_hands_stale_items_back_and_claims_nothing(self):
        run = self.queue(["mv_example_clean"])
        item = run.item_ids
        for job in self.jobs(run):
            job.state = "done"  # its worker died after queue_job closed the job
        item.write({"state": "processing", "attempt_count": 1, "worker": "elsewhere:1",
                    "date_claimed": fields.Datetime.now() - timedelta(days=1)})
        self.assertFalse(self.env["module.validator.run"]._cron_process_queue())
        self.assertEqual(item.state, "processing", "the cron does not process items itself")
        fresh = self.jobs(run).filtered(lambda job: job.state == "pending")
        self.assertEqual(len(fresh), 1)
        Job.load(self.env, fresh.uuid).perform()
        self.env.invalidate_all()  # the job wrote through a cursor of its own
        self.assertEqual((item.state, item.attempt_count, run.state), ("done", 2, "done"))

    def test_an_item_whose_job_died_while_started_gets_a_retry_job(self):
        run = self.queue(["mv_example_clean"])
        item = run.item_ids
        dead = self.jobs(run)
        dead.state = "started"  # queue_job has not noticed its worker died
        item.write({"state": "processing", "attempt_count": 1, "worker": "elsewhere:1",
                    "date_claimed": fields.Datetime.now() - timedelta(days=1)})
        self.env["module.validator.run"]._cron_process_queue()
        self.env["module.validator.run"]._cron_process_queue()
        retry = self.jobs(run) - dead
        self.assertEqual(len(retry), 1, "one retry job, however often the queue looks")
        Job.load(self.env, retry.uuid).perform()
        self.env.invalidate_all()  # the job wrote through a cursor of its own
        self.assertEqual((item.state, item.attempt_count, run.state), ("done", 2, "done"))

    def test_jobs_may_commit_their_claim(self):
        # queue_job refuses commits in jobs unless the job function allows them;
        # the claim is committed at once so that other workers see it.
        function = self.env.ref("module_validator_queue_job.job_function_process_item")
        self.assertTrue(function.allow_commit)
        self.assertEqual(function.channel, "root.module_validator")

    def test_the_channel_capacity_is_a_setting(self):
        settings = self.env["res.config.settings"].create({"validator_job_capacity": 3})
        settings.execute()
        channel = self.env.ref("module_validator_queue_job.channel_module_validator")
        self.assertEqual(channel.capacity, 3)
        self.assertEqual(self.env["res.config.settings"].create({}).validator_job_capacity, 3)
