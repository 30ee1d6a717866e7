/** @odoo-module **/

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

const resultSays = (text) => ({
    content: `The portal confirms: ${text}`,
    trigger: `.o_collections_result.alert-success:contains("${text}")`,
});

tours.add("payment_portal_pay_two", {
    url: "/my/statement",
    steps: () => [
        {
            content: "Select the first invoice",
            trigger: ".o_collections_statement_line:eq(0) .o_collections_select",
            run: "click",
        },
        {
            content: "Select the second invoice",
            trigger: ".o_collections_statement_line:eq(1) .o_collections_select",
            run: "click",
        },
        {
            content: "Pay them together",
            trigger: ".o_collections_pay_selected",
            run: "click",
        },
        {
            content: "The payment page charges both invoices",
            trigger: ".o_collections_pay_amount:contains(1,234.56)",
        },
        {
            content: "Choose the demo provider",
            trigger: 'input[name="o_payment_radio"][data-payment-method-code="demo"]',
            run: "click",
        },
        {
            content: "Card details (test data)",
            trigger: "#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: 'button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "Back on the statement, the payment is confirmed",
            trigger: ".o_collections_payment_notice.alert-success:contains(was received)",
            timeout: 30000,
        },
        {
            content: "and nothing is due any more",
            trigger: ".o_collections_statement .alert-success:contains(Nothing is due)",
        },
    ],
});

tours.add("payment_portal_dispute", {
    steps: () => [
        {
            content: "Open the dispute form",
            trigger: ".o_collections_dispute_btn",
            run: "click",
        },
        {
            content: "Reason",
            trigger: "#collections_dispute_reason",
            run: "selectByIndex 1",
        },
        {
            content: "Disputed amount",
            trigger: "#collections_dispute_amount",
            run: "edit 120",
        },
        {
            content: "What is wrong",
            trigger: "#collections_dispute_description",
            run: "edit Two crates arrived broken",
        },
        {
            content: "Send the dispute",
            trigger: ".o_collections_dispute_submit",
            run: "click",
        },
        resultSays("Dispute recorded"),
    ],
});

tours.add("payment_portal_dispute_backoffice", {
    steps: () => [
        {
            content: "The collector sees the customer's dispute among the open ones",
            trigger: ".o_kanban_record:contains(Fromagerie Lemoine):contains(120.00)",
            run: "click",
        },
        {
            content: "and what the customer wrote",
            trigger: ".o_form_view:contains(Two crates arrived broken)",
        },
    ],
});

tours.add("payment_portal_promise", {
    steps: () => [
        {
            content: "Open the promise form",
            trigger: ".o_collections_promise_btn",
            run: "click",
        },
        {
            content: "Pay by the last day the policy allows",
            trigger: "#collections_promise_date",
            run() {
                this.anchor.value = this.anchor.max;
            },
        },
        {
            content: "Send the promise",
            trigger: ".o_collections_promise_submit",
            run: "click",
        },
        resultSays("Promise recorded"),
        {
            content: "Back to the invoice",
            trigger: ".o_collections_back",
            run: "click",
        },
        {
            content: "The invoice shows the promise instead of the forms",
            trigger: ".o_collections_invoice_state:contains(Payment promised)",
        },
    ],
});

tours.add("payment_portal_plan", {
    steps: () => [
        {
            content: "Open the payment-plan form",
            trigger: ".o_collections_plan_btn",
            run: "click",
        },
        {
            content: "Three instalments",
            trigger: "#collections_plan_count",
            run: "edit 3",
        },
        {
            content: "Send the request",
            trigger: ".o_collections_plan_submit",
            run: "click",
        },
        resultSays("Payment plan requested"),
    ],
});
