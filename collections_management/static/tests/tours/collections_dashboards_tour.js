/** @odoo-module **/

import { registry } from "@web/core/registry";

function openDashboard(name, card) {
    return [
        {
            content: `Open ${name}`,
            trigger: `.o_search_panel_category_value:contains(${name})`,
            run: "click",
        },
        {
            content: `${name} shows its figures`,
            trigger: `.o_search_panel_category_value.active:contains(${name})`,
        },
        {
            content: `${name}: the ${card} card`,
            trigger: `.o_spreadsheet_dashboard_action .o-scorecard[title="${card}"]`,
        },
    ];
}

registry.category("web_tour.tours").add("collections_dashboards", {
    steps: () => [
        {
            content: "The collector's dashboard opens first",
            trigger: ".o_search_panel_category_value.active:contains(My Collections)",
        },
        {
            content: "Its cards",
            trigger: '.o_spreadsheet_dashboard_action .o-scorecard[title="To Do Today"]',
        },
        ...openDashboard("Collections Team", "Promises Kept"),
        ...openDashboard("Receivables Overview", "CEI (%)"),
        {
            content: "No dashboard failed to load",
            trigger: "body:not(:has(.dashboard-loading-status.error))",
        },
    ],
});
