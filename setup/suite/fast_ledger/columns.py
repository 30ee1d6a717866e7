"""Which columns a document gives to its rows, which tables are written.

Each kind of row (move, journal item of each kind, payment, partial, full
reconcile, follower) takes the columns listed here from its document; every
other column is copied from the exemplar, and the exemplars of a shape must
agree on it (``shapes.Shapes.same``). ``TABLES`` is the COPY order;
``KNOWN_TABLES`` the tables an exemplar may write to: another one is a side
effect this writer lacks, and stops it.
"""

# Columns each kind of row takes from its document; every other column is
# copied from the exemplar and must be the same in both exemplars.
STAMPS = ("create_date", "write_date")
INVOICE_MOVE = (
    "id",
    "name",
    "sequence_prefix",
    "sequence_number",
    "partner_id",
    "commercial_partner_id",
    "partner_shipping_id",
    "invoice_partner_display_name",
    "fiscal_position_id",
    "date",
    "invoice_date",
    "invoice_date_due",
    "delivery_date",
    "currency_id",
    "invoice_currency_rate",
    "invoice_payment_term_id",
    "payment_reference",
    "reversed_entry_id",
    "partner_bank_id",
    "is_manually_modified",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_untaxed_in_currency_signed",
    "amount_tax_signed",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    "amount_residual_signed",
    "payment_state",
    *STAMPS,
)
ENTRY_MOVE = (
    "id",
    "name",
    "sequence_prefix",
    "sequence_number",
    "date",
    "amount_total",
    "amount_total_signed",
    "amount_total_in_currency_signed",
    *STAMPS,
)
PAYMENT_MOVE = (
    *ENTRY_MOVE,
    "ref",
    "partner_id",
    "commercial_partner_id",
    "invoice_partner_display_name",
    "fiscal_position_id",
    "currency_id",
    "origin_payment_id",
)
LINE = (
    "id",
    "move_id",
    "move_name",
    "partner_id",
    "date",
    "currency_id",
    "balance",
    "debit",
    "credit",
    "amount_currency",
    *STAMPS,
)
RECONCILED = (
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "full_reconcile_id",
    "matching_number",
)
LINE_COLUMNS = {
    "product": (
        *LINE,
        "invoice_date",
        "product_id",
        "name",
        "quantity",
        "price_unit",
        "price_subtotal",
        "price_total",
    ),
    "tax": (*LINE, "invoice_date", "tax_base_amount"),
    "term": (
        *LINE,
        *RECONCILED,
        "invoice_date",
        "name",
        "date_maturity",
        "discount_date",
        "discount_amount_currency",
        "discount_balance",
    ),
    "liquidity": (
        *LINE,
        *RECONCILED,
        "ref",
        "name",
        "date_maturity",
        "payment_id",
        "price_subtotal",
        "price_total",
    ),
    "fix": (*LINE, *RECONCILED, "account_id", "sequence", "price_subtotal"),
    "gain_loss": (*LINE, "account_id", "sequence", "price_subtotal"),
}
LINE_COLUMNS["counterpart"] = LINE_COLUMNS["liquidity"]
# The lines of an early payment discount on a payment (display_type "epd"):
# the discount without tax, its tax, and the exchange difference between the
# discount at the invoice's rate and at the payment's.
LINE_COLUMNS["epd_base"] = LINE_COLUMNS["epd_tax"] = (*LINE, "ref", "payment_id")
LINE_COLUMNS["epd_exchange"] = (*LINE, "ref", "payment_id", "account_id")
# Lines whose account is not reconcilable: no residual to write.
UNRECONCILED = ("gain_loss", "epd_base", "epd_tax", "epd_exchange")
PAYMENT_COLUMNS = (
    "id",
    "move_id",
    "name",
    "memo",
    "partner_id",
    "currency_id",
    "date",
    "amount",
    "amount_company_currency_signed",
    "is_reconciled",
    *STAMPS,
)
# The payment wizard's payments with a discount keep the values of these
# computed columns (and of is_matched) from before their journal entry: the
# ORM writer's read 0.0 and False (and True). The exemplars' are copied.
# Those it makes without a discount get them computed, as other payments.
SETTLED = ("amount_company_currency_signed", "is_reconciled")
EARLY_PAYMENT_COLUMNS = tuple(c for c in PAYMENT_COLUMNS if c not in SETTLED)
FULL_PAYMENT_COLUMNS = (*PAYMENT_COLUMNS, "is_matched")
PARTIAL_COLUMNS = (
    "id",
    "debit_move_id",
    "credit_move_id",
    "full_reconcile_id",
    "exchange_move_id",
    "debit_currency_id",
    "credit_currency_id",
    "max_date",
    "amount",
    "debit_amount_currency",
    "credit_amount_currency",
    *STAMPS,
)
FULL_COLUMNS = ("id", *STAMPS)
MOVE_TYPES = {
    "invoice": "out_invoice",
    "refund": "out_refund",
    "payment": "entry",
    "exchange": "entry",
}
FOLLOWER_COLUMNS = ("id", "res_id", "partner_id")
# In the order the foreign keys need (a payment's move gets its payment by
# an update at the end: the two point at each other).
TABLES = (
    "account_full_reconcile",
    "account_move",
    "account_payment",
    "account_move__account_payment",
    "account_move_line",
    "account_partial_reconcile",
    "account_move_line_account_tax_rel",
    "account_account_tag_account_move_line_rel",
    "mail_followers",
    "mail_followers_mail_message_subtype_rel",
)
# What the ORM writes when it posts and reconciles these documents; an
# exemplar writing to any other table has a side effect this writer lacks.
KNOWN_TABLES = {
    *TABLES,
    "res_partner",  # customer_rank
    # the payment wizard of the early payments: transient records, which
    # Odoo's vacuum removes; this writer makes none
    "account_payment_register",
    "account_payment_register_move_line_rel",
}
