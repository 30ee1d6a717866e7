/** @odoo-module **/

import { registry } from "@web/core/registry";

function inDays(days) {
    const day = new Date(Date.now() + days * 24 * 3600 * 1000);
    const two = (n) => String(n).padStart(2, "0");
    return `${two(day.getMonth() + 1)}/${two(day.getDate())}/${day.getFullYear()}`;
}

registry.category("web_tour.tours").add("collections_worklist_call_promise", {
    steps: () => [
        {
            content: "The customer is on the collector's worklist, with why",
            trigger: ".o_data_row:contains(Atelier Tour):contains(Amount overdue)",
        },
        {
            content: "Open the customer",
            trigger: ".o_data_row:contains(Atelier Tour) button[name=action_open_customer]",
            run: "click",
        },
        {
            content: "The customer's collections view",
            trigger: ".o_form_view:contains(Open Amount by Age):contains(Atelier Tour)",
        },
        {
            content: "Log a call",
            trigger: "button[name=action_collection_log_call]",
            run: "click",
        },
        {
            content: "The customer promised",
            trigger: ".modal div[name=outcome] input[data-value=promise]",
            run: "click",
        },
        {
            content: "to pay in a week",
            trigger: ".modal div[name=promise_date] input",
            run: `edit ${inDays(7)}`,
        },
        {
            content: "Log it",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The promise is recorded and open",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Open)",
        },
    ],
});
