# Copyright 2026 module_validator authors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Figures for the Overview client action.

Everything the dashboard shows comes from ``get_dashboard_data()`` in one
call; each figure carries the window action that lists the records behind it,
so a click on a card or a chart element opens exactly what was counted.
"""
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError

PERIOD_DAYS = 30
MIN_CHART_DAYS = 7
TOP_RULES = 10
TOP_MODULES = 12
SEVERITIES = ("error", "warning", "info")

RUN = "module.validator.run"
FINDING = "module.validator.finding"
PROFILE = "module.validator.profile"
DEPLOYMENT = "module.validator.deployment"


def _percent(ratio):
    """A ratio in [0, 1] as a percentage with one decimal, or None."""
    return None if ratio is None else round(100.0 * ratio, 1)


class ModuleValidatorDashboard(models.AbstractModel):
    _name = "module.validator.dashboard"
    _description = "Module Validator - Overview"

    # -- entry point ---------------------------------------------------------
    @api.model
    def get_dashboard_data(self):
        """Return the KPI cards and charts of the overview, each with its action."""
        if not self.env.user.has_group("module_validator.group_module_validator_user"):
            raise AccessError(self.env._("The validation overview is for validator users."))
        now = fields.Datetime.now()
        bounds = {
            "now": now,
            "today": self._local_start(now),
            "period": self._local_start(now, days_back=PERIOD_DAYS - 1),
            "month": self._local_start(now, month=True),
        }
        latest_runs = self._latest_runs()
        period_metrics = self._metrics(bounds["period"], bounds["now"])
        return {
            "period_days": PERIOD_DAYS,
            "has_profiles": PROFILE in self.env,
            "has_deployments": self._has_metrics(),
            "kpis": {
                "success_rate": self._kpi_success_rate(bounds, period_metrics),
                "minutes_saved": self._kpi_minutes_saved(bounds),
                "accuracy": self._kpi_accuracy(bounds, period_metrics),
                "open_errors": self._kpi_open_errors(latest_runs),
                "runs_today": self._kpi_runs_today(bounds),
            },
            "charts": {
                "pass_rate": self._chart_pass_rate(bounds),
                "top_rules": self._chart_top_rules(bounds),
                "findings_by_module": self._chart_findings_by_module(latest_runs),
            },
        }

    # -- helpers ---------------------------------------------------------------
    def _tz(self):
        return pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")

    def _local_start(self, now, days_back=0, month=False):
        """UTC naive datetime of the start of a day (or month) in the user's timezone."""
        tz = self._tz()
        day = pytz.utc.localize(now).astimezone(tz).date() - timedelta(days=days_back)
        if month:
            day = day.replace(day=1)
        return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

    def _local_date(self, value):
        return pytz.utc.localize(value).astimezone(self._tz()).date()

    def _has_metrics(self):
        return DEPLOYMENT in self.env and hasattr(self.env[DEPLOYMENT], "_metrics")

    @api.model
    def _action(self, model, name, domain, context=None, views=("list", "form")):
        """A window action listing ``domain`` of ``model``."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "domain": domain,
            "context": context or {},
            "views": [[False, view] for view in views],
            "target": "current",
        }

    def _selection_labels(self, model, field):
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    def _waiver_domain(self):
        return [("waiver_id", "=", False)] if "waiver_id" in self.env[FINDING]._fields else []

    @api.model
    def _latest_runs(self):
        """The latest finished run of each active profile (or, without profiles,
        the latest finished run)."""
        Run = self.env[RUN]
        if "profile_id" in Run._fields and PROFILE in self.env:
            runs = Run.browse()
            for profile in self.env[PROFILE].search([]):
                runs |= Run.search(
                    [("profile_id", "=", profile.id), ("state", "=", "done")],
                    order="date_start desc, id desc", limit=1,
                )
            if runs:
                return runs
        return Run.search([("state", "=", "done")], order="date_start desc, id desc", limit=1)

    def _metrics(self, date_from, date_to):
        """``module.validator.deployment._metrics`` over the period ({} without deployments)."""
        if not self._has_metrics():
            return {}
        return self.env[DEPLOYMENT]._metrics(date_from, date_to)

    def _deployment_domain(self, date_from, date_to):
        return [("date_start", ">=", date_from), ("date_start", "<=", date_to)]

    # -- KPI cards ---------------------------------------------------------------
    def _kpi_success_rate(self, bounds, metrics):
        deployments = metrics.get("deployments", 0)
        return {
            "value": _percent(metrics.get("success_rate")) if deployments else None,
            "deployments": deployments,
            "successes": metrics.get("successes", 0),
            "action": self._deployments_action(
                self.env._("Deployments, last %(days)s days", days=PERIOD_DAYS),
                self._deployment_domain(bounds["period"], bounds["now"]),
            ),
        }

    def _kpi_minutes_saved(self, bounds):
        metrics = self._metrics(bounds["month"], bounds["now"])
        runs = metrics.get("failures_avoided_run_ids")
        if runs is not None:
            domain = [("id", "in", list(getattr(runs, "ids", runs)))]
        else:
            domain = [
                ("verdict", "=", "fail"), ("state", "=", "done"),
                ("date_start", ">=", bounds["month"]), ("date_start", "<=", bounds["now"]),
            ]
        return {
            "value": metrics.get("minutes_saved", 0),
            "failures_avoided": metrics.get("failures_avoided", 0),
            "action": self._action(
                RUN, self.env._("Failures caught before deployment, this month"), domain,
                views=("list", "form", "pivot", "graph"),
            ),
        }

    def _kpi_accuracy(self, bounds, metrics):
        accuracy = metrics.get("accuracy") or {}
        labels = self._selection_labels(RUN, "level")
        levels = []
        for level, label in labels.items():
            matrix = accuracy.get(level) or {}
            total = sum(matrix.get(key, 0) for key in ("tp", "fp", "tn", "fn"))
            levels.append({
                "level": level,
                "label": label,
                "accuracy": _percent(matrix.get("accuracy")) if total else None,
                "total": total,
                **{key: matrix.get(key, 0) for key in ("tp", "fp", "tn", "fn")},
                "action": self._deployments_action(
                    self.env._("Deployments validated at the %(level)s level", level=label),
                    self._deployment_domain(bounds["period"], bounds["now"])
                    + [("run_id.level", "=", level)],
                ),
            })
        return levels

    def _deployments_action(self, name, domain):
        if DEPLOYMENT not in self.env:
            return None
        return self._action(DEPLOYMENT, name, domain, views=("list", "form", "graph", "pivot"))

    def _kpi_open_errors(self, latest_runs):
        domain = [("run_id", "in", latest_runs.ids), ("severity", "=", "error")] + self._waiver_domain()
        return {
            "value": self.env[FINDING].search_count(domain),
            "runs": len(latest_runs),
            "action": self._action(
                FINDING, self.env._("Open errors"), domain,
                context={"search_default_group_module": 1},
            ),
        }

    def _kpi_runs_today(self, bounds):
        domain = [("date_start", ">=", bounds["today"])]
        Run = self.env[RUN]
        return {
            "value": Run.search_count(domain),
            "failed": Run.search_count(domain + [("verdict", "=", "fail")]),
            "action": self._action(RUN, self.env._("Runs today"), domain),
        }

    # -- charts -----------------------------------------------------------------
    def _chart_pass_rate(self, bounds):
        """Share of passed runs per day and profile (a point per day with runs)."""
        Run = self.env[RUN]
        base = [("state", "=", "done"), ("verdict", "!=", False),
                ("date_start", ">=", bounds["period"]), ("date_start", "<=", bounds["now"])]
        has_profile = "profile_id" in Run._fields
        if has_profile:
            base.append(("profile_id", "!=", False))
        runs = Run.search(base, order="date_start")
        today = self._local_date(bounds["now"])
        first = min([self._local_date(run.date_start) for run in runs[:1]] or [today])
        first = min(first, today - timedelta(days=MIN_CHART_DAYS - 1))
        days = [first + timedelta(days=offset) for offset in range((today - first).days + 1)]
        index = {day: position for position, day in enumerate(days)}
        tz = self._tz()
        day_bounds = [
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in days + [today + timedelta(days=1)]
        ]
        groups = {}
        for run in runs:
            key = run.profile_id if has_profile else Run.browse()
            counts = groups.setdefault(key, [[0, 0] for _day in days])
            cell = counts[index[self._local_date(run.date_start)]]
            cell[0] += 1
            cell[1] += run.verdict == "pass"
        datasets = []
        for profile, counts in sorted(groups.items(), key=lambda item: item[0].display_name or ""):
            profile_domain = [("profile_id", "=", profile.id)] if has_profile else []
            points = []
            for position, (total, passed) in enumerate(counts):
                domain = base[:2] + profile_domain + [
                    ("date_start", ">=", day_bounds[position]),
                    ("date_start", "<", day_bounds[position + 1]),
                ]
                points.append({
                    "runs": total,
                    "passed": passed,
                    "rate": round(100.0 * passed / total, 1) if total else None,
                    "action": self._action(
                        RUN, self.env._("%(profile)s runs on %(day)s",
                                        profile=profile.display_name or self.env._("Runs"),
                                        day=days[position].isoformat()),
                        domain,
                    ) if total else None,
                })
            datasets.append({
                "profile_id": profile.id,
                "label": profile.display_name or self.env._("Runs"),
                "points": points,
            })
        return {
            "labels": [day.isoformat() for day in days],
            "datasets": datasets,
            "action": self._action(
                RUN, self.env._("Profile runs, last %(days)s days", days=PERIOD_DAYS), base,
                context={"search_default_group_verdict": 1},
                views=("list", "form", "graph", "pivot"),
            ),
        }

    def _chart_top_rules(self, bounds):
        """Rules with the most error findings over the period (waived ones left out)."""
        domain = [
            ("severity", "=", "error"),
            ("date", ">=", bounds["period"]), ("date", "<=", bounds["now"]),
        ] + self._waiver_domain()
        groups = self.env[FINDING]._read_group(
            domain, ["rule_code"], ["__count"], order="__count desc, rule_code", limit=TOP_RULES,
        )
        return {
            "items": [
                {
                    "label": code,
                    "count": count,
                    "action": self._action(
                        FINDING, self.env._("Errors of rule %(rule)s", rule=code),
                        domain + [("rule_code", "=", code)],
                        context={"search_default_group_module": 1},
                    ),
                }
                for code, count in groups
            ],
            "action": self._action(
                FINDING, self.env._("Errors, last %(days)s days", days=PERIOD_DAYS), domain,
                context={"search_default_group_rule": 1},
            ),
        }

    def _chart_findings_by_module(self, latest_runs):
        """Findings of the latest run of each profile, per module and severity."""
        domain = [("run_id", "in", latest_runs.ids)] + self._waiver_domain()
        groups = self.env[FINDING]._read_group(domain, ["module_name", "severity"], ["__count"])
        per_module = {}
        for module, severity, count in groups:
            per_module.setdefault(module, dict.fromkeys(SEVERITIES, 0))[severity] = count
        modules = sorted(per_module, key=lambda name: (-per_module[name]["error"],
                                                      -sum(per_module[name].values()), name))
        modules = modules[:TOP_MODULES]
        labels = self._selection_labels(FINDING, "severity")
        return {
            "labels": modules,
            "datasets": [
                {
                    "severity": severity,
                    "label": labels.get(severity, severity),
                    "data": [per_module[module][severity] for module in modules],
                }
                for severity in SEVERITIES
            ],
            "actions": {
                module: self._action(
                    FINDING, self.env._("Findings of %(module)s", module=module),
                    domain + [("module_name", "=", module)],
                    context={"search_default_group_severity": 1},
                )
                for module in modules
            },
            "action": self._action(
                FINDING, self.env._("Findings of the latest runs"), domain,
                context={"search_default_group_module": 1},
            ),
        }
