/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// The overview as a validator user sees it, on the history seeded by
// tests/test_dashboard.py: the app opens on it, its cards and charts show the
// figures, and cards and chart elements open the records behind them.
import {registry} from "@web/core/registry";

/** Click the element `index` of dataset `datasetIndex` of a dashboard chart. */
function clickChartElement(chartName, index, datasetIndex = 0) {
    return function () {
        const canvas = document.querySelector(`[data-chart='${chartName}'] canvas`);
        const chart = window.Chart.getChart(canvas);
        const element = chart.getDatasetMeta(datasetIndex).data[index];
        const rect = canvas.getBoundingClientRect();
        // Horizontal bars: the middle between the bar's base and its end.
        const x = element.base === undefined ? element.x : (element.x + element.base) / 2;
        const options = {
            bubbles: true,
            clientX: rect.left + x,
            clientY: rect.top + element.y,
        };
        canvas.dispatchEvent(new MouseEvent("mousemove", options));
        canvas.dispatchEvent(new MouseEvent("click", options));
    };
}

function backToOverview() {
    return {
        content: "Back to the overview",
        trigger: ".o_breadcrumb .breadcrumb-item a:contains('Overview')",
        run: "click",
    };
}

registry.category("web_tour.tours").add("module_validator_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Module Validator app: it lands on the overview",
            trigger: ".o_app[data-menu-xmlid='module_validator.menu_module_validator_root']",
            run: "click",
        },
        {
            content: "Open errors: the one unwaived error of the profiles' latest runs",
            trigger: ".o_mv_kpi[data-kpi='open_errors'] .o_mv_kpi_value:contains('1')",
        },
        {
            content: "Runs today: five runs, two failed",
            trigger: ".o_mv_kpi[data-kpi='runs_today']:contains('5'):contains('2 failed')",
        },
        {
            content: "Accuracy has a row per level",
            trigger: ".o_mv_kpi[data-kpi='accuracy'] tr[data-level='bulletproof']",
        },
        {
            content: "Static accuracy: 2 of 3 deployments rightly predicted",
            trigger: ".o_mv_kpi[data-kpi='accuracy'] tr[data-level='static'] .o_mv_accuracy_value:contains('67 %')",
        },
        {
            content: "Deployment success rate: 4 of 6",
            trigger: ".o_mv_kpi[data-kpi='success_rate']:contains('67 %'):contains('4 of 6 deployments')",
        },
        {
            content: "Time saved: one failed build avoided",
            trigger: ".o_mv_kpi[data-kpi='minutes_saved']:contains('15 min'):contains('1 failure(s) caught')",
        },
        {
            content: "Pass rate chart is drawn",
            trigger: "[data-chart='pass_rate'] canvas",
        },
        {
            content: "Findings by module chart is drawn",
            trigger: "[data-chart='findings_by_module'] canvas",
        },
        {
            content: "Open the open errors",
            trigger: ".o_mv_kpi[data-kpi='open_errors']",
            run: "click",
        },
        {
            content: "They are listed, grouped by module",
            trigger: ".o_list_view .o_group_header:contains('mv_dash_a (1)')",
        },
        {
            content: "under the card's name",
            trigger: ".o_breadcrumb .active:contains('Open errors')",
        },
        backToOverview(),
        {
            content: "Open today's runs",
            trigger: ".o_mv_kpi[data-kpi='runs_today']",
            run: "click",
        },
        {
            content: "The five runs of today are listed",
            trigger: ".o_list_view .o_list_table:has(.o_data_row:nth-child(5)):not(:has(.o_data_row:nth-child(6)))",
        },
        backToOverview(),
        {
            content: "Open the deployments behind the success rate",
            trigger: ".o_mv_kpi[data-kpi='success_rate']",
            run: "click",
        },
        {
            content: "The six deployments of the last 30 days are listed",
            trigger: ".o_list_view .o_list_table:has(.o_data_row:nth-child(6)):not(:has(.o_data_row:nth-child(7)))",
        },
        backToOverview(),
        {
            content: "Click the first bar of the top failing rules",
            trigger: "[data-chart='top_rules'] canvas",
            run: clickChartElement("top_rules", 0),
        },
        {
            content: "The errors of that rule are listed",
            trigger: ".o_breadcrumb .active:contains('Errors of rule DEP001')",
        },
        {
            content: "grouped by module",
            trigger: ".o_list_view .o_group_header:contains('mv_dash_a (3)')",
        },
        backToOverview(),
        {
            content: "Click the warnings bar of the second module of the findings by module",
            trigger: "[data-chart='findings_by_module'] canvas",
            run: clickChartElement("findings_by_module", 1, 1),
        },
        {
            content: "The findings of that module are listed",
            trigger: ".o_breadcrumb .active:contains('Findings of mv_dash_b')",
        },
    ],
});
