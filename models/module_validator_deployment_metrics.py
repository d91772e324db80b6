# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Deployment figures: success rate, failures avoided, time saved, and each
level's accuracy against what really happened."""

import logging
from datetime import date, datetime, time

from odoo import api, fields, models
from odoo.exceptions import UserError

from .deployment_common import (
    DEFAULT_FAILED_BUILD_MINUTES,
    ENVIRONMENT_SELECTION,
    FAILED_OUTCOMES,
    MINUTES_PARAM,
)

_logger = logging.getLogger(__name__)


class ModuleValidatorDeploymentMetrics(models.Model):
    _inherit = "module.validator.deployment"

    # -- metrics -------------------------------------------------------------
    @api.model
    def _metrics(self, date_from, date_to, environment=None):
        """Deployment figures for deployments started in ``[date_from, date_to]``
        (dates or datetimes, UTC; a date ``date_to`` covers its whole day),
        optionally of one ``environment``.

        Returns a dict:

        - ``deployments``, ``successes``, ``failures`` (failure or rolled
          back), ``success_rate`` (successes / deployments, a ratio in [0, 1];
          0.0 without deployments), ``validated``, ``not_validated`` and
          ``passed_but_failed`` (counts);
        - ``failures_avoided``: the number of failing module codes that
          validation caught and that never reached the environment. One is
          counted per (module, code fingerprint) that a finished run failed
          (result verdict ``fail``), when the first deployment of that module
          after the failing run (in ``environment`` when given) carries
          *another* fingerprint, was validated (``run_id`` set) by a run that
          passed that module, and starts within the period; a code deployed
          before it was failed does not count. Repeated failing runs on the
          same code count once; results without a fingerprint count once
          per run. ``failures_avoided_run_ids`` lists the failing runs behind
          them;
        - ``failed_build_minutes`` (setting ``module_validator.failed_build_minutes``,
          default 15) and ``minutes_saved`` = failures_avoided × that;
        - ``accuracy``: ``{level: {"tp", "fp", "tn", "fn", "total", "accuracy"}}``
          over the period's deployments whose ``run_id`` has that level (only
          levels with such deployments appear). A positive is a failed
          validation (run verdict ``fail``); it is true when the deployment
          failed or was rolled back. ``fn`` is "validation passed but the
          deployment failed"; accuracy = (tp + tn) / total.
        """
        date_from, date_to = self._metrics_bounds(date_from, date_to)
        if environment and environment not in dict(ENVIRONMENT_SELECTION):
            raise UserError(self.env._("Unknown environment %(environment)r: use %(choices)s.",
                                       environment=environment,
                                       choices=", ".join(dict(ENVIRONMENT_SELECTION))))
        domain = [("date_start", ">=", date_from), ("date_start", "<=", date_to)]
        if environment:
            domain.append(("environment", "=", environment))
        deployments = self.search(domain)
        successes = len(deployments.filtered(lambda d: d.outcome == "success"))
        avoided, avoided_runs = self._failures_avoided(date_from, date_to, environment)
        minutes = self._failed_build_minutes()
        validated = deployments.filtered("run_id")
        return {
            "date_from": date_from,
            "date_to": date_to,
            "environment": environment or False,
            "deployments": len(deployments),
            "successes": successes,
            "failures": len(deployments) - successes,
            "success_rate": successes / len(deployments) if deployments else 0.0,
            "validated": len(validated),
            "not_validated": len(deployments) - len(validated),
            "passed_but_failed": len(deployments.filtered("passed_but_failed")),
            "failures_avoided": avoided,
            "failures_avoided_run_ids": sorted(avoided_runs),
            "failed_build_minutes": minutes,
            "minutes_saved": avoided * minutes,
            "accuracy": self._accuracy(validated),
        }

    @api.model
    def _metrics_bounds(self, date_from, date_to):
        def parse(value, end):
            if isinstance(value, str):
                text = value.strip()
                try:
                    value = (fields.Date.to_date(text) if len(text) <= 10
                             else fields.Datetime.to_datetime(text))
                except ValueError:
                    value = None
            if isinstance(value, datetime):
                return value.replace(tzinfo=None)
            if isinstance(value, date):
                return datetime.combine(value, time.max if end else time.min)
            raise UserError(self.env._(
                "Deployment metrics need dates (YYYY-MM-DD or a datetime), not %(value)r.",
                value=value,
            ))

        start, end = parse(date_from, False), parse(date_to, True)
        if start > end:
            raise UserError(self.env._("The period starts (%(start)s) after it ends (%(end)s).",
                                       start=start, end=end))
        return start, end

    @api.model
    def _failed_build_minutes(self):
        value = self.env["ir.config_parameter"].sudo().get_param(MINUTES_PARAM, "")
        try:
            minutes = float(value) if str(value).strip() else DEFAULT_FAILED_BUILD_MINUTES
        except ValueError:
            minutes = -1
        if minutes < 0:
            _logger.warning("%s=%r is not a number of minutes; using %s", MINUTES_PARAM, value,
                            DEFAULT_FAILED_BUILD_MINUTES)
            minutes = DEFAULT_FAILED_BUILD_MINUTES
        return int(minutes) if float(minutes).is_integer() else minutes

    @api.model
    def _accuracy(self, deployments):
        matrices = {}
        for deployment in deployments:
            run = deployment.run_id
            matrix = matrices.setdefault(run.level, dict.fromkeys(("tp", "fp", "tn", "fn"), 0))
            positive = run.verdict == "fail"
            failed = deployment.outcome in FAILED_OUTCOMES
            key = ("t" if positive == failed else "f") + ("p" if positive else "n")
            matrix[key] += 1
        for matrix in matrices.values():
            matrix["total"] = total = sum(matrix.values())
            matrix["accuracy"] = (matrix["tp"] + matrix["tn"]) / total
        return matrices

    @api.model
    def _failures_avoided(self, date_from, date_to, environment=None):
        """``(count, failing run ids)``; see :meth:`_metrics` for the definition."""
        failed_results = self.env["module.validator.result"].search([
            ("verdict", "=", "fail"),
            ("run_id.state", "=", "done"),
            ("run_id.date_start", "<=", date_to),
        ])
        codes = {}
        for result in failed_results:
            fingerprint = result.code_fingerprint or ""
            key = (result.name, fingerprint or f"run:{result.run_id.id}")
            code = codes.setdefault(key, {
                "module": result.name, "fingerprint": fingerprint,
                "caught": result.run_id.date_start, "runs": set(),
            })
            code["caught"] = min(code["caught"], result.run_id.date_start)
            code["runs"].add(result.run_id.id)
        if not codes:
            return 0, set()
        line_domain = [("module_name", "in", list({code["module"] for code in codes.values()}))]
        if environment:
            line_domain.append(("deployment_id.environment", "=", environment))
        history = {}
        lines = self.env["module.validator.deployment.line"].search(line_domain)
        for line in lines.sorted(lambda line: (line.deployment_id.date_start, line.deployment_id.id)):
            history.setdefault(line.module_name, []).append(line)
        count, runs = 0, set()
        for code in codes.values():
            deployed = history.get(code["module"], [])
            fingerprint = code["fingerprint"]
            if fingerprint and any(line.code_fingerprint == fingerprint
                                   and line.deployment_id.date_start <= code["caught"]
                                   for line in deployed):
                continue  # that code had already gone out
            following = [line for line in deployed if line.deployment_id.date_start > code["caught"]]
            if not following:
                continue
            line = following[0]
            deployment = line.deployment_id
            if fingerprint and line.code_fingerprint == fingerprint:
                continue  # the failing code was deployed anyway
            passed = deployment.run_id.result_ids.filtered(
                lambda result, name=code["module"]: result.name == name and result.verdict == "pass"
            )
            if not passed or not date_from <= deployment.date_start <= date_to:
                continue
            count += 1
            runs |= code["runs"]
        return count, runs
