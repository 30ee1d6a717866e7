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

/** The value axis of every model chart on the page, once its data came.
 * The spreadsheet draws only the charts in view: scroll down to them. */
async function valueAxisLabels() {
    for (let attempt = 0; attempt < 40; attempt++) {
        const scrollbar = document.querySelector(
            ".o_spreadsheet_dashboard_action .o-scrollbar.vertical"
        );
        if (scrollbar) {
            scrollbar.scrollTop = scrollbar.scrollHeight;
            scrollbar.dispatchEvent(new Event("scroll"));
        }
        const labels = [];
        for (const canvas of document.querySelectorAll(".o_spreadsheet_dashboard_action canvas")) {
            const chart = window.Chart?.getChart(canvas);
            if (chart?.scales?.y) {
                labels.push(...chart.scales.y.ticks.map((tick) => String(tick.label)));
            }
        }
        if (labels.some((label) => /\d.\d{3}$/.test(label))) {
            return labels;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error("no chart shows thousands on its value axis");
}

registry.category("web_tour.tours").add("collections_dashboards_fr", {
    steps: () => [
        {
            content: "Le tableau de bord du chargé de recouvrement s'ouvre",
            trigger: ".o_search_panel_category_value.active:contains(Mon recouvrement)",
        },
        {
            content: "Ouvrir l'équipe de recouvrement",
            trigger: ".o_search_panel_category_value:contains(Équipe de recouvrement)",
            run: "click",
        },
        {
            content: "Ses cartes",
            trigger: '.o_spreadsheet_dashboard_action .o-scorecard[title="Promesses tenues"]',
        },
        {
            content: "L'axe des montants s'écrit en français : 250 000, pas 250,000",
            trigger: ".o_spreadsheet_dashboard_action canvas",
            async run() {
                const labels = await valueAxisLabels();
                const english = labels.filter((label) => /\d,\d{3}/.test(label));
                if (english.length) {
                    throw new Error(`English figures on a French axis: ${english.join(" | ")}`);
                }
            },
        },
    ],
});
