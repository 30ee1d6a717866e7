/** @odoo-module **/

import { registry } from "@web/core/registry";

// Steps find buttons and fields by their technical names: the credit
// manager's tours run in French, the salesperson's in English.

registry.category("web_tour.tours").add("credit_control_decide_releases", {
    steps: () => [
        {
            content: "The release asked in the US company waits, seen from France",
            trigger: ".o_data_row:contains(Garage Leroy) td[name=partner_id]",
            run: "click",
        },
        {
            content: "Approve it for this order",
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        {
            content: "It is approved",
            trigger:
                ".o_statusbar_status button[data-value=approved].o_arrow_button_current",
        },
        {
            content: "Back to the releases",
            trigger: ".o_breadcrumb .o_back_button",
            run: "click",
        },
        {
            content: "Open the other release",
            trigger: ".o_data_row:contains(Atelier Martin) td[name=partner_id]",
            run: "click",
        },
        {
            content: "Reject without a reason: refused",
            trigger: ".o_form_view button[name=action_reject]",
            run: "click",
        },
        {
            content: "The manager is asked why",
            trigger: ".modal:contains(pourquoi le déblocage est refusé)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Write why",
            trigger: ".o_form_view div[name=decision_note] textarea",
            run: "edit Réglez d'abord les factures échues.",
        },
        {
            content: "Reject",
            trigger: ".o_form_view button[name=action_reject]",
            run: "click",
        },
        {
            content: "It is rejected",
            trigger:
                ".o_statusbar_status button[data-value=rejected].o_arrow_button_current",
        },
    ],
});

registry.category("web_tour.tours").add("credit_control_manual_hold", {
    steps: () => [
        {
            content: "The customer's Sales & Purchase tab",
            trigger: ".o_notebook_headers a[name=sales_purchases]",
            run: "click",
        },
        {
            content: "The score breakdown reads points and their total",
            trigger:
                ".o_form_view div[name=credit_score_breakdown] tfoot:contains(points sur 100)",
        },
        {
            content: "Put the customer on hold by hand",
            trigger: ".o_form_view div[name=credit_hold] input",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".o_form_view div[name=credit_hold_reason] input",
            run: "edit Redressement judiciaire",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The hold shows with its reason",
            trigger:
                ".o_form_view div[name=credit_hold_summary]:contains(Redressement judiciaire)",
        },
    ],
});

registry.category("web_tour.tours").add("credit_control_salesperson_release", {
    steps: () => [
        {
            content: "Open the search options",
            trigger: ".o_control_panel_actions .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the customers on credit hold",
            trigger: ".o_filter_menu .o_menu_item:contains(Credit Hold)",
            run: "click",
        },
        {
            content: "Close the search options",
            trigger: ".o_control_panel_actions .o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Only the customer on hold is listed",
            trigger:
                ".o_content:not(:contains(Pays on Time)) .o_kanban_record:contains(Garage Leroy), .o_content:not(:contains(Pays on Time)) .o_data_row:contains(Garage Leroy)",
            run: "click",
        },
        {
            content: "Its sale orders",
            trigger: ".o_form_view button[name=action_view_sale_order]",
            run: "click",
        },
        {
            content: "Open the quotation",
            trigger: ".o_data_row:contains(Garage Leroy) td[name=partner_id]",
            run: "click",
        },
        {
            content: "The banner says why the credit stops it",
            trigger:
                ".o_form_view div[name=credit_hold_banner]:contains(this order cannot be confirmed):contains(On credit hold: Bankruptcy rumours)",
        },
        {
            content: "Try to confirm",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Refused, with the reason",
            trigger: ".modal:contains(cannot be confirmed)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Request a credit release",
            trigger: ".o_form_view button[name=action_credit_request_release]",
            run: "click",
        },
        {
            content: "Say why the order should go ahead",
            trigger: ".modal div[name=reason] textarea",
            run: "edit Key account, pays on delivery",
        },
        {
            content: "Request",
            trigger: ".modal button[name=action_request]",
            run: "click",
        },
        {
            content: "The request waits for a credit manager",
            trigger:
                ".o_form_view .o_statusbar_status button[data-value=requested].o_arrow_button_current",
        },
    ],
});
