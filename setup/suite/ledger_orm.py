"""The ledger's documents as the ORM writer makes them.

What :mod:`suite.generator` (the ORM writer) and :mod:`suite.fast_ledger`'s
exemplars both do through the ORM, so that the SQL writer's exemplars are
made exactly as the documents it copies them for: an invoice's values, the
open receivable lines a reconciliation takes, and the early payments of
discount terms as Odoo's payment wizard makes them. Both writers import this
module; neither imports the other at import time (the generator imports
``fast_ledger`` late, when asked for the SQL writer, as it needs Odoo).
"""

# Records per ORM call (and per batch of the SQL writer, which follows the
# ORM writer's batches so that both number and reconcile in the same order).
BATCH = 500


def invoice_vals(env, invoice, company, partner, products, currencies, term):
    """The values of an invoice of the plan, created as ``account.move``."""
    tax = company.account_sale_tax_id
    return {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "invoice_date": invoice.invoice_date,
        "date": invoice.invoice_date,
        "currency_id": currencies[invoice.currency],
        "invoice_payment_term_id": term,
        "invoice_line_ids": [
            (
                0,
                0,
                {
                    "product_id": products[product].id,
                    "quantity": qty,
                    "price_unit": price,
                    "tax_ids": [(6, 0, tax.ids)],
                },
            )
            for product, qty, price in invoice.lines
        ],
    }


def credit_note_vals(move, share, day):
    """The values of a credit note of ``share`` of ``move`` dated ``day``:
    each invoice line again at that share of its price."""
    return {
        "move_type": "out_refund",
        "partner_id": move.partner_id.id,
        "invoice_date": day,
        "date": day,
        "currency_id": move.currency_id.id,
        "reversed_entry_id": move.id,
        "invoice_line_ids": [
            (
                0,
                0,
                {
                    "product_id": line.product_id.id,
                    "quantity": line.quantity,
                    "price_unit": line.currency_id.round(line.price_unit * share),
                    "tax_ids": [(6, 0, line.tax_ids.ids)],
                },
            )
            for line in move.invoice_line_ids
        ],
    }


def receivable(moves):
    """The open receivable lines of ``moves``: what a reconciliation takes."""
    return moves.line_ids.filtered(
        lambda line: (
            line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
    )


def early_payment_values(env, company, journal, by_day):
    """[(payment values, receivable line)] of the invoices in ``by_day``
    ({payment date: invoices}), one payment an invoice, as Odoo's payment
    wizard makes them (one wizard a day: the discount depends on the
    payment date), in the wizard's order. Also used by ``fast_ledger``'s
    exemplars."""
    register = env["account.payment.register"].with_company(company)
    to_process = []
    for day in sorted(by_day):
        # the wizard on the invoices' open receivable lines, given rather
        # than read from an active_ids context (a new environment a day)
        moves = env["account.move"].union(*by_day[day])
        lines = moves.line_ids.filtered(
            lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled
        )
        wizard = register.create(
            {
                "line_ids": [(6, 0, lines.ids)],
                "payment_date": day,
                "journal_id": journal.id,
                "group_payment": False,
            }
        )
        for batch in wizard.batches:
            for line in batch["lines"]:
                one = {
                    **batch,
                    "payment_values": {
                        **batch["payment_values"],
                        "payment_type": "inbound",
                    },
                    "lines": line,
                }
                to_process.append(
                    (wizard._create_payment_vals_from_batch(one), line.id)
                )
    lines = env["account.move.line"].browse([line_id for _v, line_id in to_process])
    return [(vals, line) for (vals, _id), line in zip(to_process, lines, strict=True)]


def pay_early(env, company, chunk):
    """Create, post and reconcile the payments of ``chunk`` (from
    :func:`early_payment_values`) as the wizard's ``_create_payments`` does,
    in one batch; return them."""
    payments = (
        env["account.payment"]
        .with_company(company)
        .with_context(skip_invoice_sync=True)
        .create([vals for vals, _line in chunk])
    )
    payments.action_post()
    env["account.move.line"]._reconcile_plan(
        [
            payment.move_id.line_ids.filtered(
                lambda aml, line=line: aml.account_id == line.account_id
            )
            | line
            for payment, (_vals, line) in zip(payments, chunk, strict=True)
        ]
    )
    for payment, (_vals, line) in zip(payments, chunk, strict=True):
        line.move_id.matched_payment_ids += payment
    return payments
