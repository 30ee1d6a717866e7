/** @odoo-module **/

import { registry } from "@web/core/registry";

const proposalRow = "div[name=cash_match_top_ids] .o_data_row:contains(Atelier Tour)";

registry.category("web_tour.tours").add("cash_matching_accept", {
    steps: () => [
        {
            content: "The payment waits in Payments to Match",
            trigger: ".o_data_row .o_data_cell:contains(VIREMENT TOUR)",
            run: "click",
        },
        {
            content: "It waits for review, with its proposals and why",
            trigger: ".o_statusbar_status button[data-value=review].o_arrow_button_current",
        },
        {
            content: "Accept the proposal paying Atelier Tour's invoice",
            trigger: `${proposalRow} button[name=action_accept]`,
            run: "click",
        },
        {
            content: "The payment is matched on review",
            trigger: ".o_statusbar_status button[data-value=accepted].o_arrow_button_current",
        },
        {
            content: "and can be undone",
            trigger: "button[name=action_undo_reconciliation]",
        },
    ],
});

registry.category("web_tour.tours").add("cash_matching_undo", {
    steps: () => [
        {
            content: "The matched payment",
            trigger: ".o_statusbar_status button[data-value=accepted].o_arrow_button_current",
        },
        {
            content: "Undo the match",
            trigger: "button[name=action_undo_reconciliation]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The payment waits for review again",
            trigger: ".o_statusbar_status button[data-value=review].o_arrow_button_current",
        },
        {
            content: "Its proposals are back",
            trigger: ".o_notebook_headers a[name=proposals]",
            run: "click",
        },
        {
            content: "with the other proposal; the undone one counts as rejected",
            trigger:
                "div[name=cash_match_top_ids]:not(:has(.o_data_row:contains(Atelier Tour)))" +
                " .o_data_row:contains(Dupont) button[name=action_accept]",
        },
    ],
});
