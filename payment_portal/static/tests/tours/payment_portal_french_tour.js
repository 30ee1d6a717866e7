/** @odoo-module **/

import { registry } from "@web/core/registry";

// A French customer's day on the portal, in French: the statement with an
// overdue instalment, two invoices paid at once, part of an invoice
// disputed and the rest promised, a payment plan asked for. Amounts are
// unique on the page (321, 154, 987, 654 euros) to find their lines.

const resultSays = (text) => ({
    content: `Le portail confirme : ${text}`,
    trigger: `.o_collections_result.alert-success:contains("${text}")`,
});

const openInvoice = (amount) => ({
    content: `Ouvrir la facture de ${amount} €`,
    trigger: `.o_collections_statement_line:contains("${amount}") td:nth-child(2) > a`,
    run: "click",
});

const back = {
    content: "Retour à la facture",
    trigger: ".o_collections_back",
    run: "click",
};

registry.category("web_tour.tours").add("payment_portal_french_customer", {
    url: "/my/statement",
    steps: () => [
        {
            content: "Le relevé, en français, élidé",
            trigger: ".o_collections_statement_title:contains(Relevé d'Imprimerie Vasseur)",
        },
        {
            content: "La première échéance est en retard",
            trigger: ".o_collections_overdue_part:contains(En retard)",
        },
        {
            content: "Choisir la facture de 321 €",
            trigger: '.o_collections_statement_line:contains("321,00") .o_collections_select',
            run: "click",
        },
        {
            content: "et celle de 154 €",
            trigger: '.o_collections_statement_line:contains("154,00") .o_collections_select',
            run: "click",
        },
        {
            content: "Les payer ensemble",
            trigger: ".o_collections_pay_selected",
            run: "click",
        },
        {
            content: "La page de paiement demande 475 €",
            trigger: '.o_collections_pay_amount:contains("475,00")',
        },
        {
            content: "Le fournisseur de démonstration",
            trigger: 'input[name="o_payment_radio"][data-payment-method-code="demo"]',
            run: "click",
        },
        {
            content: "Carte de test",
            trigger: "#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Payer",
            trigger: 'button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "De retour sur le relevé, le paiement est confirmé",
            trigger: ".o_collections_payment_notice.alert-success:contains(a bien été reçu)",
            timeout: 30000,
        },
        openInvoice("987,00"),
        {
            content: "Contester une partie",
            trigger: ".o_collections_dispute_btn",
            run: "click",
        },
        {
            content: "Le motif",
            trigger: "#collections_dispute_reason",
            run: "selectByIndex 1",
        },
        {
            content: "200 € contestés",
            trigger: "#collections_dispute_amount",
            run: "edit 200",
        },
        {
            content: "Ce qui ne va pas",
            trigger: "#collections_dispute_description",
            run: "edit Deux cartons abîmés",
        },
        {
            content: "Envoyer la contestation",
            trigger: ".o_collections_dispute_submit",
            run: "click",
        },
        resultSays("Contestation enregistrée"),
        back,
        {
            content: "La facture dit ce qui est contesté",
            trigger: ".o_collections_invoice_state:contains(Contesté)",
        },
        {
            content: "et propose encore de promettre le reste",
            trigger: ".o_collections_promise_btn",
            run: "click",
        },
        {
            content: "Le montant proposé est le reste non contesté",
            trigger: "#collections_promise_amount[value='787,00']",
        },
        {
            content: "Payer au plus tard le dernier jour permis",
            trigger: "#collections_promise_date",
            run() {
                this.anchor.value = this.anchor.max;
            },
        },
        {
            content: "Envoyer la promesse",
            trigger: ".o_collections_promise_submit",
            run: "click",
        },
        resultSays("Promesse enregistrée"),
        back,
        {
            content: "Promesse et contestation affichées",
            trigger: ".o_collections_invoice_state:contains(Paiement promis)",
        },
        {
            content: "Retour au relevé",
            trigger: ".o_collections_statement_link",
            run: "click",
        },
        openInvoice("654,00"),
        {
            content: "Demander un échéancier",
            trigger: ".o_collections_plan_btn",
            run: "click",
        },
        {
            content: "Trois échéances",
            trigger: "#collections_plan_count",
            run: "edit 3",
        },
        {
            content: "Envoyer la demande",
            trigger: ".o_collections_plan_submit",
            run: "click",
        },
        resultSays("Échéancier demandé"),
        back,
        {
            content: "L'échéancier attend son approbation",
            trigger: ".o_collections_invoice_state:contains(Échéancier demandé)",
        },
    ],
});
