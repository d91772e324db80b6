/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {Component, onWillStart, useState} from "@odoo/owl";
import {getColor, hexToRGBA} from "@web/core/colors/colors";
import {loadBundle} from "@web/core/assets";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {Layout} from "@web/search/layout";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {ModuleValidatorChart} from "./dashboard_chart";

const {DateTime} = luxon;
const SEVERITY_COLORS = {error: "#EA6175", warning: "#F4A261", info: "#4EA7F2"};
// Odoo's chart colours without red, which the dashboard keeps for failures.
const PROFILE_COLORS = ["#4EA7F2", "#43C5B1", "#8481DD", "#F4A261", "#3188E6", "#00A78D"];

function profileColor(index) {
    return index < PROFILE_COLORS.length ? PROFILE_COLORS[index] : getColor(index, "light", 24);
}

/**
 * The Module Validator overview: KPI cards and charts computed in one call to
 * module.validator.dashboard.get_dashboard_data(); every card and chart
 * element opens the window action listing the records behind its figure.
 */
export class ModuleValidatorDashboard extends Component {
    static template = "module_validator.Dashboard";
    static components = {Layout, ModuleValidatorChart};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({data: null, loading: false});
        this.display = {controlPanel: {}};
        onWillStart(() => Promise.all([loadBundle("web.chartjs_lib"), this.load()]));
    }

    async load() {
        this.state.loading = true;
        try {
            const data = await this.orm.call(
                "module.validator.dashboard",
                "get_dashboard_data",
                []
            );
            this.buildCharts(data);
            this.state.data = data;
        } finally {
            this.state.loading = false;
        }
    }

    open(action) {
        if (action) {
            this.actionService.doAction(action);
        }
    }

    openLaunch() {
        this.actionService.doAction("module_validator.action_module_validator_launch");
    }

    // -- formatting ----------------------------------------------------------
    get kpis() {
        return this.state.data.kpis;
    }

    /** The KPI cards, in display order (the accuracy card has its own rows). */
    get cards() {
        const {kpis, period_days: days} = this.state.data;
        const success = kpis.success_rate;
        return [
            {
                name: "success_rate",
                title: _t("Deployment success, %(days)s days", {days}),
                value: this.percent(success.value),
                sub: success.deployments
                    ? _t("%(successes)s of %(deployments)s deployments", success)
                    : _t("No deployment recorded"),
                hint: _t("Deployments that succeeded; click to list them"),
                tone: success.value !== null && success.value < 80 ? "bad" : "",
                action: success.action,
            },
            {
                name: "minutes_saved",
                title: _t("Time saved this month"),
                value: _t("%(minutes)s min", {minutes: kpis.minutes_saved.value}),
                sub: _t("%(count)s failure(s) caught before deploying", {
                    count: kpis.minutes_saved.failures_avoided,
                }),
                hint: _t("Failed validations fixed before the same modules were deployed"),
                tone: "",
                action: kpis.minutes_saved.action,
            },
            {name: "accuracy"},
            {
                name: "open_errors",
                title: _t("Open errors"),
                value: String(kpis.open_errors.value),
                sub: _t("in the latest run of %(count)s profile(s)", {
                    count: kpis.open_errors.runs,
                }),
                hint: _t("Error findings of the latest finished run of each profile, not waived"),
                tone: kpis.open_errors.value ? "bad" : "good",
                action: kpis.open_errors.action,
            },
            {
                name: "runs_today",
                title: _t("Runs today"),
                value: String(kpis.runs_today.value),
                sub: _t("%(count)s failed", {count: kpis.runs_today.failed}),
                hint: _t("Validation runs started today"),
                tone: "",
                action: kpis.runs_today.action,
            },
        ];
    }

    percent(value) {
        return value === null || value === undefined ? "–" : `${Math.round(value)} %`;
    }

    formatDay(isoDate) {
        return DateTime.fromISO(isoDate).toFormat("ccc d LLL");
    }

    // -- charts --------------------------------------------------------------
    buildCharts(data) {
        const charts = data.charts;
        this.passRateConfig = this.passRateChart(charts.pass_rate);
        this.topRulesConfig = this.topRulesChart(charts.top_rules);
        this.modulesConfig = this.modulesChart(charts.findings_by_module);
    }

    passRateChart(chart) {
        return {
            type: "line",
            data: {
                labels: chart.labels.map((day) => this.formatDay(day)),
                datasets: chart.datasets.map((dataset, index) => {
                    const color = profileColor(index);
                    return {
                        label: dataset.label,
                        data: dataset.points.map((point) => point.rate),
                        borderColor: color,
                        backgroundColor: hexToRGBA(color, 0.2),
                        borderWidth: 2,
                        pointRadius: 4,
                        pointHoverRadius: 7,
                        spanGaps: true,
                    };
                }),
            },
            options: {
                maintainAspectRatio: false,
                animation: false,
                scales: {
                    y: {min: 0, max: 100, ticks: {callback: (value) => `${value} %`}},
                },
                plugins: {
                    legend: {position: "bottom"},
                    tooltip: {
                        callbacks: {
                            label: (item) => {
                                const point = chart.datasets[item.datasetIndex].points[item.dataIndex];
                                return `${item.dataset.label}: ${point.rate} % (${point.passed}/${point.runs})`;
                            },
                        },
                    },
                },
            },
        };
    }

    topRulesChart(chart) {
        return {
            type: "bar",
            data: {
                labels: chart.items.map((item) => item.label),
                datasets: [
                    {
                        label: _t("Error findings"),
                        data: chart.items.map((item) => item.count),
                        backgroundColor: SEVERITY_COLORS.error,
                        maxBarThickness: 28,
                    },
                ],
            },
            options: {
                indexAxis: "y",
                maintainAspectRatio: false,
                animation: false,
                scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
                plugins: {legend: {display: false}},
            },
        };
    }

    modulesChart(chart) {
        return {
            type: "bar",
            data: {
                labels: chart.labels,
                datasets: chart.datasets.map((dataset) => ({
                    label: dataset.label,
                    data: dataset.data,
                    backgroundColor: SEVERITY_COLORS[dataset.severity],
                    maxBarThickness: 28,
                })),
            },
            options: {
                indexAxis: "y",
                maintainAspectRatio: false,
                animation: false,
                scales: {
                    x: {stacked: true, beginAtZero: true, ticks: {precision: 0}},
                    y: {stacked: true},
                },
                plugins: {legend: {position: "bottom"}},
            },
        };
    }

    onPassRateClick(datasetIndex, index) {
        const point = this.state.data.charts.pass_rate.datasets[datasetIndex].points[index];
        this.open(point.action);
    }

    onTopRuleClick(datasetIndex, index) {
        this.open(this.state.data.charts.top_rules.items[index].action);
    }

    onModuleClick(datasetIndex, index) {
        const chart = this.state.data.charts.findings_by_module;
        this.open(chart.actions[chart.labels[index]]);
    }
}

registry.category("actions").add("module_validator.dashboard", ModuleValidatorDashboard);
