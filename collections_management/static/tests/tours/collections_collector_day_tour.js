/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A collector's morning, through the menus and buttons a collector clicks:
 * refresh the worklist, validate the letter waiting for validation and
 * print it; then read why the customer to call is listed, open it, its
 * collections view, and log the call with a promise. The same path in each language, with
 * the words that language's collector reads.
 */
function inDays(days, dayFirst) {
    const day = new Date(Date.now() + days * 24 * 3600 * 1000);
    const two = (n) => String(n).padStart(2, "0");
    const [d, m, y] = [two(day.getDate()), two(day.getMonth() + 1), day.getFullYear()];
    return dayFirst ? `${d}/${m}/${y}` : `${m}/${d}/${y}`;
}

function collectorDay(words) {
    return () => [
        {
            content: "Refresh the worklist from its list",
            trigger: ".o_list_view button[name=action_refresh]",
            run: "click",
        },
        {
            content: "The letter waiting for validation is on the list",
            trigger: `.o_data_row:contains(Verrerie Valide):contains(${words.toValidate}) td[name=partner_id]`,
            run: "click",
        },
        {
            content: "The breadcrumb names the customer and the reason",
            trigger: `.o_breadcrumb:contains(Verrerie Valide – ${words.toValidate})`,
        },
        {
            content: "Open the reminder it is about",
            trigger: ".o_form_view div[name=source_ref] a",
            run: "click",
        },
        {
            content: "The letter shows where it will go",
            trigger: ".o_form_view div[name=recipient_address]:contains(Lyon)",
        },
        {
            content: "Validate and send it",
            trigger: ".o_form_view button[name=action_validate]",
            run: "click",
        },
        {
            content: "It is sent",
            trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains(${words.sent})`,
        },
        {
            content: "Print the letter",
            trigger: ".o_form_view button[name=action_print_letters]",
            run: "click",
        },
        {
            content: "Back to the worklist",
            trigger: ".o_breadcrumb .breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "The customer to call is listed, with why, in the collector's words",
            trigger: `.o_data_row:contains(Atelier Tour):contains(${words.why})`,
        },
        {
            content: "Open the item",
            trigger: ".o_data_row:contains(Atelier Tour) td[name=partner_id]",
            run: "click",
        },
        {
            content: "The breadcrumb names the customer and the reason",
            trigger: `.o_breadcrumb:contains(Atelier Tour – ${words.callDue})`,
        },
        {
            content: "Open the customer's collections view",
            trigger: ".o_form_view button[name=action_open_customer]",
            run: "click",
        },
        {
            content: "The collections view shows the policy followed",
            trigger: `div[name=collection_effective_policy_id]:contains(${words.policy})`,
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
            run: `edit ${inDays(7, words.dayFirst)}`,
        },
        {
            content: "Log it",
            trigger: `.modal button[name=action_confirm]:contains(${words.logCall})`,
            run: "click",
        },
        {
            content: "The promise is recorded and open",
            trigger: `.o_form_view .o_statusbar_status .o_arrow_button_current:contains(${words.open})`,
        },
    ];
}

registry.category("web_tour.tours").add("collections_collector_day_fr", {
    steps: collectorDay({
        why: "Montant échu",
        callDue: "Appel à passer",
        policy: "Standard",
        logCall: "Enregistrer l'appel",
        open: "En cours",
        toValidate: "Relance à valider",
        sent: "Envoyé",
        dayFirst: true,
    }),
});

registry.category("web_tour.tours").add("collections_collector_day_en", {
    steps: collectorDay({
        why: "Amount overdue",
        callDue: "Call Due",
        policy: "Standard",
        logCall: "Log the Call",
        open: "Open",
        toValidate: "Reminder to Validate",
        sent: "Sent",
        dayFirst: false,
    }),
});
