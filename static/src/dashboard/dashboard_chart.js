/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import {Component, onWillUnmount, useEffect, useRef} from "@odoo/owl";

/**
 * A Chart.js canvas. The caller loads the web.chartjs_lib bundle first and
 * gives a Chart.js configuration; `onClick(datasetIndex, index)` is called
 * with the element clicked.
 */
export class ModuleValidatorChart extends Component {
    static template = "module_validator.DashboardChart";
    static props = {
        config: Object,
        onClick: {type: Function, optional: true},
        name: String,
    };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        useEffect(
            () => this.renderChart(),
            () => [this.props.config]
        );
        onWillUnmount(() => this.chart && this.chart.destroy());
    }

    renderChart() {
        if (this.chart) {
            this.chart.destroy();
        }
        const config = this.props.config;
        config.options = {
            ...config.options,
            onClick: (event, elements) => {
                if (elements.length && this.props.onClick) {
                    this.props.onClick(elements[0].datasetIndex, elements[0].index);
                }
            },
            onHover: (event, elements) => {
                event.native.target.style.cursor =
                    elements.length && this.props.onClick ? "pointer" : "default";
            },
        };
        this.chart = new Chart(this.canvasRef.el, config);
    }
}
