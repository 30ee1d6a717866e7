/** @odoo-module */

// Odoo 18's model charts (odoo_bar, odoo_line) leave their value axis to
// Chart.js, which writes the ticks in the browser's language: "250,000" on a
// French user's dashboard whose cells read "250 000". Format the ticks in the
// spreadsheet's locale (the user's language), as o-spreadsheet's own charts do.

import * as spreadsheet from "@odoo/o-spreadsheet";
import "@spreadsheet/chart/odoo_chart/odoo_bar_chart";
import "@spreadsheet/chart/odoo_chart/odoo_line_chart";

const { chartRegistry } = spreadsheet.registries;
const { formatTickValue } = spreadsheet.helpers;

for (const type of ["odoo_bar", "odoo_line"]) {
    const item = chartRegistry.get(type);
    const getChartRuntime = item.getChartRuntime;
    chartRegistry.add(type, {
        ...item,
        getChartRuntime(chart, getters) {
            const runtime = getChartRuntime(chart, getters);
            const y = runtime.chartJsConfig.options.scales?.y;
            if (y) {
                y.ticks = {
                    ...y.ticks,
                    callback: formatTickValue({ locale: getters.getLocale() }),
                };
            }
            return runtime;
        },
    });
}
