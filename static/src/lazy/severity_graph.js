/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {registry} from "@web/core/registry";
import {graphView} from "@web/views/graph/graph_view";
import {GraphRenderer} from "@web/views/graph/graph_renderer";

// Errors and failures in red, warnings in amber, infos in blue, passes in green,
// whatever order the groups come in.
const COLORS = {
    severity: {error: "#dc3545", warning: "#f0ad4e", info: "#0d8fce"},
    verdict: {fail: "#dc3545", pass: "#28a745"},
};

export class SeverityGraphRenderer extends GraphRenderer {
    severityColor(label) {
        for (const [fieldName, colors] of Object.entries(COLORS)) {
            const field = this.model.metaData.fields[fieldName];
            const entry = (field ? field.selection : []).find(([, name]) => name === label);
            if (entry) {
                return colors[entry[0]];
            }
        }
        return undefined;
    }

    getBarChartData() {
        const data = super.getBarChartData();
        for (const dataset of data.datasets) {
            const color = this.severityColor(dataset.label);
            if (color) {
                dataset.backgroundColor = color;
            }
        }
        return data;
    }

    getLineChartData() {
        const data = super.getLineChartData();
        for (const dataset of data.datasets) {
            const color = this.severityColor(dataset.label);
            if (color) {
                Object.assign(dataset, {
                    borderColor: color,
                    pointBackgroundColor: color,
                    hoverBackgroundColor: color,
                });
            }
        }
        return data;
    }
}

registry.category("views").add("mv_severity_graph", {
    ...graphView,
    Renderer: SeverityGraphRenderer,
});
