"""Write the bulk of the ledger with SQL, exactly as the ORM writer would.

At 20,000 customers the ORM writer spends well over an hour creating,
posting and reconciling 200,000 invoices and their payments. This writer
produces the same rows in minutes with PostgreSQL's COPY:

* customer invoices, their credit notes (reconciled with them), payments
  (``account.payment`` with their journal entries), the early payments of
  discount terms as Odoo's payment wizard makes them (with the discount's
  lines and its tax) and the exchange difference entries of foreign
  currencies;
* their reconciliation: ``account.partial.reconcile``,
  ``account.full.reconcile``, ``matching_number``, residual amounts,
  ``payment_state``; the documents' followers and the customers'
  ``customer_rank``.

How: exemplars. For each shape of document (company, currency, payment
term; payment; exchange difference), two documents are made through the ORM,
the way the ORM writer makes them, inside a savepoint; their rows are read
and the savepoint is rolled back. Every document of the plan is a copy of
its exemplar's rows in which the values that depend on the document (ids,
names and sequence numbers, partner, dates, currency rate, amounts, residuals,
reconciliation) are computed as Odoo 18.0 computes them: the tax,
payment-term and reconciliation code below mirrors ``account``'s for the
cases the plan produces, and refuses other cases (``Unsupported``). A column
that differs between the two exemplars of a shape and that this module does
not compute stops the writer, so that a stored field added by an add-on or
an Odoo update is never copied with a stale value.

Documents are batched, numbered and reconciled in the ORM writer's order, so
that both writers give the same names and reconciliations: ``ledger_check``
compares the two databases row by row.
"""

import re
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from odoo import fields
from odoo.tools import (
    date_utils,
    float_compare,
    float_is_zero,
    float_repr,
    float_round,
)

from . import ledger_orm
from . import plan as planmod

BATCH = ledger_orm.BATCH


class Unsupported(Exception):
    """The plan or the database holds a case this writer does not mirror."""


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


# ---------------------------------------------------------------------------
# Rows as COPY text
# ---------------------------------------------------------------------------


def _text(value):
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        raise Unsupported("json values (e.g. analytic distributions) in exemplars")
    return str(value)  # int, Decimal; floats arrive formatted


class RowWriter:
    """Rows queued as COPY text per table; ids reserved by blocks.
    Subclasses set ``cr``, ``files = {}`` and ``id_blocks = {}``."""

    def next_id(self, table):
        """A new id from ``table``'s sequence (reserved 10,000 at a time)."""
        block = self.id_blocks.get(table)
        if not block or block[0] > block[1]:
            self.cr.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
            first = self.cr.fetchone()[0]
            self.cr.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [table, first + 9999],
            )
            block = self.id_blocks[table] = [first, first + 9999]
        block[0] += 1
        return block[0] - 1

    def out(self, table, line):
        """Queue a row of ``table`` (COPY text) for the final write."""
        if table not in self.files:
            self.files[table] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.files[table].write(line + "\n")


class _Template:
    """An exemplar's row, copied with other values in ``variable``."""

    def __init__(self, columns, row, variable):
        self.row = row
        self.parts = [_text(row[column]) for column in columns]
        self.index = [columns.index(column) for column in variable]

    def render(self, values):
        """The COPY line of the row with ``values`` (in ``variable``'s
        order)."""
        parts = self.parts.copy()
        for index, value in zip(self.index, values, strict=True):
            parts[index] = _text(value)
        return "\t".join(parts)


class _Cur:
    """A currency's rounding, as ``res.currency`` applies it."""

    def __init__(self, record):
        self.id = record.id
        self.rounding = record.rounding
        self.digits = record.decimal_places

    def round(self, amount):
        return float_round(amount, precision_rounding=self.rounding)

    def is_zero(self, amount):
        return float_is_zero(amount, precision_rounding=self.rounding)

    def compare(self, amount1, amount2):
        return float_compare(amount1, amount2, precision_rounding=self.rounding)

    def text(self, amount):
        """The column value the ORM writes for a monetary ``amount``."""
        return float_repr(self.round(amount), self.digits)


# ---------------------------------------------------------------------------
# Documents in memory until they are written
# ---------------------------------------------------------------------------


class _Move:
    __slots__ = (
        "id",
        "kind",
        "co",
        "shape",
        "name",
        "prefix",
        "number",
        "date",
        "partner",
        "cur",
        "values",
        "amls",
        "sort_ref",
        "payment_id",
        "reversed",
        "touched",
        "invoice",
    )

    def __init__(self, kind, co, shape, move_date, partner, cur):
        self.kind, self.co, self.shape = kind, co, shape
        self.date, self.partner, self.cur = move_date, partner, cur
        self.id = self.name = self.prefix = self.number = None
        self.payment_id = self.reversed = None
        self.invoice = None  # an early payment's invoice (matched_payment_ids)
        # Reconciled by a call of the ORM writer's own (not from _post): it
        # marks the invoice is_manually_modified, see write_credit_notes.
        self.touched = False
        self.values = {}
        self.amls = []  # the lines written at the end (reconcilable ones)
        self.sort_ref = ""


class _Aml:
    """A journal item written at the end: reconciliation changes it."""

    __slots__ = (
        "id",
        "move",
        "kind",
        "template",
        "tags",
        "taxes",
        "extra",
        "account",
        "partner",
        "cur",
        "comp",
        "date",
        "maturity",
        "balance",
        "amount_currency",
        "residual",
        "residual_currency",
        "partials",
        "full",
    )

    def __init__(self, move, kind, template, cur, balance, amount_currency):
        self.move, self.kind, self.template = move, kind, template
        self.tags = self.taxes = ()
        self.extra = ()
        self.account = template.row["account_id"]
        self.partner = move.partner["id"] if move.partner else None
        self.cur, self.comp = cur, move.co.cur
        self.date = move.date
        self.maturity = None
        self.balance = self.residual = balance
        self.amount_currency = self.residual_currency = amount_currency
        self.partials = []  # (partial, True when this line is its debit)
        self.id = self.full = None

    def is_reconciled(self):
        return self.comp.is_zero(self.residual) and self.cur.is_zero(
            self.residual_currency
        )


class _Partial:
    __slots__ = ("id", "debit", "credit", "amounts", "full", "exchange_move")

    def __init__(self, debit, credit, amount, debit_currency, credit_currency):
        self.debit, self.credit = debit, credit
        self.amounts = (  # as written
            debit.comp.text(amount),
            debit.cur.text(debit_currency),
            credit.cur.text(credit_currency),
        )
        self.id = self.full = self.exchange_move = None


class _Values:
    """What Odoo's reconciliation keeps of a journal item while it plans a
    batch of partials."""

    __slots__ = ("aml", "residual", "residual_currency")

    def __init__(self, aml):
        self.aml = aml
        self.residual = aml.residual
        self.residual_currency = aml.residual_currency


class _Shape:
    """The templates of one kind of document."""

    def __init__(self):
        self.move = None
        self.products = {}  # product id -> (template, tax ids, tag ids)
        self.lines = {}  # line kind -> [(template, tag ids)]
        self.follower = None  # (template, subtype ids)
        self.payment = None
        self.rules = {}


class _Company:
    def __init__(self, key, company):
        self.key, self.record, self.id = key, company, company.id
        self.cur = None
        self.tax = company.account_sale_tax_id
        self.per_line = company.tax_calculation_rounding_method == "round_per_line"
        self.sale_journal = self.bank_journal = self.exchange_journal = None
        self.partial = self.full = self.exchange = None
        self.groups = []  # payment groups: [(plan invoices, early discount)]


# ---------------------------------------------------------------------------
# The writer
# ---------------------------------------------------------------------------


class Writer(RowWriter):
    def __init__(self, env, plan, companies, partners, products, progress):
        self.env, self.plan = env, plan
        self.cr = env.cr
        self.partner_records = partners
        self.product_records = products
        self.progress = progress
        self.now = env.cr.now()
        self.today = fields.Date.context_today(env["account.move"])
        self.cos = {key: _Company(key, c) for key, c in companies.items()}
        self.curs = {}
        self.cache = {}
        self.counters = {}
        self.id_blocks = {}
        self.shapes = {}
        self.files = {}
        self.moves = []
        self.partials = []
        self.fulls = []
        self.ranks = defaultdict(int)
        self.invoices = {}  # plan invoice key -> _Move
        self.count = {"credit_notes": 0, "payments": 0}

    # -- small helpers -------------------------------------------------------

    def cur(self, record):
        if record.id not in self.curs:
            self.curs[record.id] = _Cur(record)
        return self.curs[record.id]

    def rate(self, co, cur, day):
        """``_get_conversion_rate`` from the company's currency to ``cur``."""
        key = (co.id, cur.id, day)
        if key not in self.cache:
            currency = self.env["res.currency"]
            self.cache[key] = currency._get_conversion_rate(
                co.record.currency_id, currency.browse(cur.id), co.record, day
            )
        return self.cache[key]

    def convert(self, co, cur, amount, day):
        """``res.currency._convert`` of ``amount`` from ``cur`` to the
        company's currency."""
        if not amount:
            return 0.0
        key = (co.id, cur.id, day, "to company")
        if key not in self.cache:
            currency = self.env["res.currency"]
            self.cache[key] = currency._get_conversion_rate(
                currency.browse(cur.id), co.record.currency_id, co.record, day
            )
        return co.cur.round(amount * self.cache[key])

    def due_date(self, term_line, day):
        key = (term_line.id, day)
        if key not in self.cache:
            self.cache[key] = term_line._get_due_date(day)
        return self.cache[key]

    def accounting_date(self, co, day):
        """``journal.with_context(move_date=day).accounting_date`` for the
        exchange journal: a new move has no sequence yet, so the end of
        ``day``'s month when it is over."""
        key = (co.id, day, "accounting")
        if key not in self.cache:
            if co.record._get_violated_lock_dates(day, False, co.exchange_journal):
                raise Unsupported(f"{co.record.name}: lock date")
            if (self.today.year, self.today.month) > (day.year, day.month):
                self.cache[key] = date_utils.get_month(day)[1]
            else:
                self.cache[key] = max(day, self.today)
        return self.cache[key]

    def number(self, moves, journal, refund=False):
        """Name moves posted together, as ``_compute_name`` does: by date,
        reference and creation order, in ``_get_starting_sequence``'s format
        (``check_journals`` made sure the journals hold no other)."""
        for move in sorted(moves, key=lambda m: (m.date, m.sort_ref, m.id)):
            year = "%04d" % move.date.year
            if journal.type in ("sale", "bank", "cash", "credit"):
                prefix, width = f"{journal.code}/{year}/", 5
            else:
                prefix, width = f"{journal.code}/{year}/{move.date.month:02d}/", 4
            if refund and journal.refund_sequence:
                prefix = "R" + prefix
            if move.kind == "payment" and journal.payment_sequence:
                prefix = "P" + prefix
            key = (journal.id, prefix)
            if key not in self.counters:
                self.cr.execute(
                    "SELECT COALESCE(MAX(sequence_number), 0) FROM account_move "
                    "WHERE journal_id = %s AND sequence_prefix = %s",
                    [journal.id, prefix],
                )
                self.counters[key] = self.cr.fetchone()[0]
            self.counters[key] += 1
            move.prefix, move.number = prefix, self.counters[key]
            move.name = f"{prefix}{move.number:0{width}d}"

    def new_move(self, kind, co, shape, move_date, partner, cur):
        move = _Move(kind, co, shape, move_date, partner, cur)
        move.id = self.next_id("account_move")
        self.moves.append(move)
        return move

    # -- the run ---------------------------------------------------------------

    def run(self):
        self.prepare()
        Exemplars(self).make()
        self.write_invoices()
        self.write_credit_notes()
        self.write_payments()
        self.write_early_payments()
        self.flush()
        return {key: move.id for key, move in self.invoices.items()}

    def prepare(self):
        env = self.env
        for co in self.cos.values():
            company = co.record
            co.cur = self.cur(company.currency_id)
            if (
                company.fiscalyear_last_month != "12"
                or company.fiscalyear_last_day != 31
            ):
                raise Unsupported(f"{company.name}: fiscal year not ending 31 Dec")
            # One tax per line (its include_base_amount then changes nothing).
            tax = co.tax
            reps = tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids
            tax_reps = reps.filtered(lambda r: r.repartition_type == "tax")
            if (
                len(tax) != 1
                or tax.amount_type != "percent"
                or tax.price_include
                or tax.tax_exigibility != "on_invoice"
                or len(tax_reps) != 2
                or any(rep.factor != 1.0 for rep in tax_reps)
            ):
                raise Unsupported(f"{company.name}: sale tax {tax.name}")
            co.bank_journal = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
            )
            co.exchange_journal = company.currency_exchange_journal_id
        self.digits = {
            name: env["account.move.line"]._fields[name].get_digits(env)[1]
            for name in ("quantity", "price_unit")
        }
        self.currencies = {
            code: self.cur(env.ref(f"base.{code}")) for code in ("EUR", "USD")
        }
        self.prepare_partners()
        self.prepare_groups()
        self.check_journals()

    def prepare_partners(self):
        """Each customer's values on its documents, read once: display name,
        fiscal position, payment term, language of the product labels."""
        env = self.env
        self.partners = {}
        positions = {}
        all_positions = env["account.fiscal.position"].search([])
        by_zip = {p.company_id.id for p in all_positions if p.zip_from or p.zip_to}
        by_state = {p.company_id.id for p in all_positions if p.state_ids}
        # the customers' own fiscal position (company dependent), read at once
        own_position = {}
        for co in self.cos.values():
            keys = [c.key for c in self.plan.customers if c.company == co.key]
            records = env["res.partner"].browse(
                [self.partner_records[key].id for key in keys]
            )
            for partner in records.with_company(co.record):
                own_position[partner.id] = partner.property_account_position_id.id
        for customer in self.plan.customers:
            partner = self.partner_records[customer.key]
            co = self.cos[customer.company]
            if partner.commercial_partner_id != partner or partner.child_ids:
                raise Unsupported(f"partner {partner.name} is not a lone company")
            # A customer's zip and state only matter to the fiscal position
            # when a position of the company has zip ranges or states.
            key = (
                co.id,
                partner.country_id.id,
                partner.state_id.id if co.id in by_state else None,
                partner.zip if co.id in by_zip else None,
                bool(partner.vat),
                own_position.get(partner.id),
            )
            if key not in positions:
                positions[key] = (
                    env["account.fiscal.position"]
                    .with_company(co.record)
                    ._get_fiscal_position(partner, delivery=partner)
                    .id
                    or None
                )
            # _compute_partner_bank_id, for documents paid to the customer.
            banks = partner.bank_ids.filtered(
                lambda bank, co=co: not bank.company_id or bank.company_id == co.record
            ).sorted(lambda bank: not bank.allow_out_payment)
            self.partners[customer.key] = {
                "id": partner.id,
                "bank": banks[:1].id or None,
                "name": partner.display_name,
                "lang": partner.lang,
                "fpos": positions[key],
                "term": env.ref(f"account.{customer.payment_term}"),
            }
        self.labels = {}
        for product in self.product_records.values():
            for lang in {p["lang"] for p in self.partners.values()}:
                named = product.with_context(lang=lang) if lang else product
                label = [named.display_name]
                if named.description_sale:
                    label.append(named.description_sale)
                self.labels[product.id, lang] = "\n".join(label)

    def partner_bank(self, partner_id):
        return next(p["bank"] for p in self.partners.values() if p["id"] == partner_id)

    def prepare_groups(self):
        """The payments, grouped and ordered as the ORM writer does, with
        the early paid ones it sends through the payment wizard
        (``write_early_payments``)."""
        groups = defaultdict(list)
        for inv in self.plan.invoices:
            if inv.paid_date and not inv.bank_line:
                groups[inv.group or f"i{inv.key}"].append(inv)
        for group in groups.values():
            term = self.partners[group[0].customer]["term"]
            early = (
                len(group) == 1
                and not group[0].partial_share
                and term.early_discount
                and (group[0].paid_date - group[0].invoice_date).days
                <= term.discount_days
            )
            self.cos[group[0].company].groups.append((group, bool(early)))

    def check_journals(self):
        """Numbering continues the journals' own, in Odoo's default format."""
        self.cr.execute(
            "SELECT j.code, m.sequence_prefix FROM account_move m "
            "JOIN account_journal j ON j.id = m.journal_id "
            "WHERE j.company_id = ANY(%s) AND m.name != '/' GROUP BY 1, 2",
            [[co.id for co in self.cos.values()]],
        )
        for code, prefix in self.cr.fetchall():
            if not re.fullmatch(rf"[RP]?{re.escape(code)}/\d{{4}}/(\d\d/)?", prefix):
                raise Unsupported(f"journal {code} numbered as {prefix}")

    # -- taxes and payment terms, as account computes them ---------------------

    def taxes(self, co, cur, rate, lines, sign, is_refund):
        """Amounts of an invoice's ``lines`` [(quantity, price unit)] for its
        percent, price-excluded tax, mirroring ``account.tax``:
        ``_add_tax_details_in_base_lines``, ``_round_base_lines_tax_details``,
        the repartition of ``_add_accounting_data_in_base_lines_tax_details``
        (one tax line of factor 1) and ``_prepare_tax_lines``.

        Returns the base lines as [(amount_currency, balance, price_subtotal,
        price_total)] and the tax line as (amount_currency, balance,
        tax_base_amount)."""
        comp, per_line, percent = co.cur, co.per_line, co.tax.amount
        details = []
        for quantity, price_unit in lines:
            raw_base = quantity * (price_unit * (1 - (0.0 / 100.0)))
            if per_line:
                raw_base = cur.round(raw_base)
            tax_c = (raw_base + 0.0) * percent / 100.0
            if per_line:
                tax_c = cur.round(tax_c)
            base_c = raw_base + 0.0
            d = {
                "excluded_c": base_c,
                "included_c": base_c + tax_c,
                "tax_c": tax_c,
                "base_c": base_c,
            }
            for key in ("excluded", "included", "tax", "base"):
                d[key] = d[key + "_c"] / rate if rate else 0.0
                if per_line:
                    d[key] = comp.round(d[key])
            d["subtotal"], d["total"] = d["excluded_c"], d["included_c"]
            details.append(d)
        # _round_base_lines_tax_details: round, then give the rounding
        # difference of the totals to the line of the smallest total.
        sums = defaultdict(float)
        for d in details:
            for key, currency in (
                ("excluded_c", cur),
                ("excluded", comp),
                ("included_c", cur),
                ("included", comp),
            ):
                d[key] = currency.round(d[key])
            d["delta_c"] = d["delta"] = 0.0
            for key, currency in (
                ("tax_c", cur),
                ("tax", comp),
                ("base_c", cur),
                ("base", comp),
            ):
                sums["raw_" + key] += d[key]
                d[key] = currency.round(d[key])
                sums[key] += d[key]
        for key, currency in (
            ("tax_c", cur),
            ("tax", comp),
            ("base_c", cur),
            ("base", comp),
        ):
            sums["raw_" + key] = currency.round(sums["raw_" + key])
        smallest = min(details, key=lambda d: d["included_c"])
        for key in ("base_c", "base"):
            delta = sums["raw_" + key] - sums[key]
            smallest["delta" + key[4:]] += delta
            smallest[key] += delta
        for key in ("tax_c", "tax"):
            smallest[key] += sums["raw_" + key] - sums[key]
        # One repartition line of factor 1 (rounded in the document's
        # currency, as account does), then _prepare_tax_lines.
        invert = 1 if is_refund else -1  # tax_tag_invert of the base lines
        tax_line = [0.0, 0.0, 0.0]
        base_lines = []
        for d in details:
            rep_c = cur.round(d["tax_c"] * 1.0 * 1.0)
            rep = cur.round(d["tax"] * 1.0 * 1.0)
            if round(abs((d["tax_c"] - rep_c) / cur.rounding)) or round(
                abs((d["tax"] - rep) / comp.rounding)
            ):
                raise Unsupported("tax repartition rounding difference")
            base_lines.append(
                (
                    cur.round(sign * (d["excluded_c"] + d["delta_c"])),
                    comp.round(sign * (d["excluded"] + d["delta"])),
                    cur.round(d["subtotal"]),
                    cur.round(d["total"]),
                )
            )
            tax_line[0] += sign * rep_c
            tax_line[1] += sign * rep
            tax_line[2] += sign * d["base"] * invert
        if cur.is_zero(tax_line[0]) and comp.is_zero(tax_line[1]):
            raise Unsupported("document without tax amount")
        return base_lines, (
            cur.round(tax_line[0]),
            comp.round(tax_line[1]),
            comp.round(tax_line[2]),
        )

    def due_amounts(self, co, cur, term, day, tax_c, tax, untaxed_c, untaxed):
        """``_compute_terms`` as ``_compute_needed_terms`` calls it: the
        receivable lines [(due date, balance, amount_currency)] and the early
        payment discount (date, balance, amount_currency)."""
        comp = co.cur
        total = tax + untaxed
        total_c = tax_c + untaxed_c
        discount = (None, 0.0, 0.0)
        if term.early_discount:
            if term.early_pay_discount_computation != "included":
                raise Unsupported(f"payment term {term.name}: discount computation")
            percentage = term.discount_percentage / 100.0
            discount = (
                day + timedelta(days=term.discount_days or 0),
                comp.round(total * (1 - percentage)),
                cur.round(total_c * (1 - percentage)),
            )
        residual, residual_c = total, total_c
        dues = {}
        lines = term.line_ids
        for index, line in enumerate(lines):
            due = self.due_date(line, day)
            if index == len(lines) - 1:
                amount, amount_c = residual, residual_c
            elif line.value == "percent":
                amount = comp.round(total * (line.value_amount / 100.0))
                amount_c = cur.round(total_c * (line.value_amount / 100.0))
            else:
                raise Unsupported(f"payment term {term.name}: fixed amounts")
            residual -= amount
            residual_c -= amount_c
            if due in dues:
                raise Unsupported(f"payment term {term.name}: two lines due together")
            dues[due] = (amount, amount_c)
        return [(due, b, c) for due, (b, c) in dues.items()], discount

    # -- invoices and credit notes -----------------------------------------------

    def document(self, kind, co, day, customer, cur, lines, reversed_move=None):
        """An invoice or credit note of ``lines`` [(product key, quantity,
        price unit)]: its product and tax lines are written once it is named
        (``write_document``), its receivable lines wait for reconciliation."""
        partner = self.partners[customer]
        term = partner["term"]
        shape = self.shapes[kind, co.key, cur.id, term.id]
        move = self.new_move(kind, co, shape, day, partner, cur)
        move.reversed = reversed_move
        refund = kind == "refund"
        sign = 1 if refund else -1  # direction_sign
        rate = self.rate(co, cur, day)
        lines = [
            (
                self.product_records[product].id,
                float_round(quantity, precision_digits=self.digits["quantity"]),
                float_round(price, precision_digits=self.digits["price_unit"]),
            )
            for product, quantity, price in lines
        ]
        base_lines, tax_line = self.taxes(
            co, cur, rate, [line[1:] for line in lines], sign, refund
        )
        untaxed_c = sum(b[0] for b in base_lines)
        untaxed = sum(b[1] for b in base_lines)
        comp = co.cur
        values = {
            "amount_untaxed": cur.round(sign * untaxed_c),
            "amount_tax": cur.round(sign * tax_line[0]),
            "amount_total": cur.round(sign * (untaxed_c + tax_line[0])),
            "amount_untaxed_signed": comp.round(-untaxed),
            "amount_untaxed_in_currency_signed": cur.round(-untaxed_c),
            "amount_tax_signed": comp.round(-tax_line[1]),
            "amount_total_signed": comp.round(-(untaxed + tax_line[1])),
        }
        values["amount_total_in_currency_signed"] = cur.round(
            -(sign * values["amount_total"])
        )
        term_sign = -sign  # 1 for an inbound document
        dues, discount = self.due_amounts(
            co,
            cur,
            term,
            day,
            values["amount_tax"] * term_sign,
            values["amount_tax_signed"],
            values["amount_untaxed"] * term_sign,
            values["amount_untaxed_signed"],
        )
        templates = shape.lines["term"]
        if len(dues) != len(templates):
            raise Unsupported(f"payment term {term.name}: due dates")
        for (template, tags), (due, balance, amount_c) in zip(
            templates, dues, strict=True
        ):
            aml = _Aml(
                move, "term", template, cur, comp.round(balance), cur.round(amount_c)
            )
            aml.maturity = due
            aml.tags = tags
            move.amls.append(aml)
        values.update(
            rate=rate,
            term=term,
            due=max(due for due, _b, _c in dues),
            discount=discount,
            lines=(lines, base_lines, tax_line),
        )
        if term.early_discount:
            # what an early payment's discount is computed from
            values["epd"] = ([line[1:] for line in lines], tax_line)
        move.values = values
        self.ranks[partner["id"]] += 1
        return move

    def write_document(self, move):
        """Write the lines of a named invoice or credit note that
        reconciliation leaves alone, and settle its receivable lines'
        labels."""
        shape, co, cur = move.shape, move.co, move.cur
        lines, base_lines, tax_line = move.values.pop("lines")
        lang = move.partner["lang"]
        for (product, quantity, price), amounts in zip(lines, base_lines, strict=True):
            template, taxes, tags = shape.products[product]
            line_id = self.next_id("account_move_line")
            extra = (
                move.date,
                product,
                self.labels[product, lang],
                float_repr(quantity, self.digits["quantity"]),
                float_repr(price, self.digits["price_unit"]),
                cur.text(amounts[2]),
                cur.text(amounts[3]),
            )
            self.out(
                "account_move_line",
                template.render(
                    self.line_values(line_id, move, cur, amounts[1], amounts[0]) + extra
                ),
            )
            self.rels(line_id, taxes, tags)
        ((template, tags),) = shape.lines["tax"]
        line_id = self.next_id("account_move_line")
        self.out(
            "account_move_line",
            template.render(
                self.line_values(line_id, move, cur, tax_line[1], tax_line[0])
                + (move.date, co.cur.text(tax_line[2]))
            ),
        )
        self.rels(line_id, (), tags)
        # The receivable lines' labels (_compute_name of account.move.line).
        reference = self.payment_reference(move) or ""
        label = shape.rules["installment"]
        count = len(move.amls)
        for index, aml in enumerate(sorted(move.amls, key=lambda a: a.maturity)):
            name = reference
            if count > 1:
                name = label.format(name=reference, number=index + 1).lstrip()
            discount_date, discount_balance, discount_c = move.values["discount"]
            aml.extra = (
                move.date,
                name,
                aml.maturity,
                discount_date,
                cur.text(discount_c),
                co.cur.text(discount_balance),
            )

    def payment_reference(self, move):
        return self.rule(move.shape.rules["payment_reference"], move.name)

    @staticmethod
    def rule(rule, value):
        """The value a derived column takes: ``value`` or the exemplars'
        constant."""
        return rule[1] if isinstance(rule, tuple) else value

    def line_values(self, line_id, move, cur, balance, amount_currency):
        comp = move.co.cur
        return (
            line_id,
            move.id,
            move.name,
            move.partner["id"] if move.partner else None,
            move.date,
            cur.id,
            comp.text(balance),
            comp.text(balance if balance > 0.0 else 0.0),
            comp.text(-balance if balance < 0.0 else 0.0),
            cur.text(amount_currency),
            self.now,
            self.now,
        )

    def rels(self, line_id, taxes, tags):
        for tax in taxes:
            self.out("account_move_line_account_tax_rel", f"{line_id}\t{tax}")
        for tag in tags:
            self.out("account_account_tag_account_move_line_rel", f"{line_id}\t{tag}")

    def write_invoices(self):
        plan, done = self.plan, 0
        for key, co in self.cos.items():
            todo = [inv for inv in plan.invoices if inv.company == key]
            for start in range(0, len(todo), BATCH):
                chunk = todo[start : start + BATCH]
                moves = []
                for inv in chunk:
                    move = self.document(
                        "invoice",
                        co,
                        inv.invoice_date,
                        inv.customer,
                        self.currencies[inv.currency],
                        inv.lines,
                    )
                    self.invoices[inv.key] = move
                    moves.append(move)
                self.number(moves, co.sale_journal)
                for move in moves:
                    self.write_document(move)
                done += len(chunk)
                self.progress.step("invoices", done, len(plan.invoices))

    def write_credit_notes(self):
        """Credit notes of a share of their invoice, reconciled with it: per
        company, all in one batch, as the ORM writer does."""
        plan = self.plan
        todo = [inv for inv in plan.invoices if inv.refund_share]
        for key, co in self.cos.items():
            mine = [inv for inv in todo if inv.company == key]
            if not mine:
                continue
            refunds = []
            for inv in mine:
                invoice = self.invoices[inv.key]
                day = min(inv.invoice_date + timedelta(days=30), plan.today)
                cur = invoice.cur
                lines = [
                    (
                        product,
                        quantity,
                        cur.round(
                            float_round(
                                price, precision_digits=self.digits["price_unit"]
                            )
                            * inv.refund_share
                        ),
                    )
                    for product, quantity, price in inv.lines
                ]
                refunds.append(
                    self.document("refund", co, day, inv.customer, cur, lines, invoice)
                )
            self.number(refunds, co.sale_journal, refund=True)
            for refund in refunds:
                self.write_document(refund)
            # _post reconciles each credit note with its invoice
            # (_reconcile_reversed_moves), one call each...
            for refund in refunds:
                self.reconcile(
                    co,
                    [
                        [
                            a
                            for a in refund.reversed.amls + refund.amls
                            if not a.is_reconciled()
                        ]
                    ],
                )
            # ...then the ORM writer reconciles what is left, in one call.
            self.reconcile(
                co,
                [
                    [
                        a
                        for a in refund.reversed.amls + refund.amls
                        if not a.is_reconciled()
                    ]
                    for refund in refunds
                ],
                touch=True,
            )
            self.count["credit_notes"] += len(refunds)
        self.progress.step("credit notes", self.count["credit_notes"], len(todo) or 1)

    @staticmethod
    def residual(invoice):
        """An invoice's ``amount_residual``, as the ORM writer reads it."""
        return invoice.cur.round(sum(a.residual_currency for a in invoice.amls))

    # -- payments ------------------------------------------------------------------

    def write_payments(self):
        """One payment per group, reconciled with its invoices by batches of
        500; the early paid ones come after (``write_early_payments``)."""
        total = sum(
            1 for co in self.cos.values() for _group, early in co.groups if not early
        )
        done = 0
        for co in self.cos.values():
            # The early paid ones come after those of every company, in both
            # writers.
            plain = [group for group, is_early in co.groups if not is_early]
            for start in range(0, len(plain), BATCH):
                chunk = plain[start : start + BATCH]
                self.post_payments(
                    co,
                    [self.payment(co, group) for group in chunk],
                    [[self.invoices[inv.key] for inv in group] for group in chunk],
                )
                done += len(chunk)
                self.progress.step("payments", done, total)
        self.count["payments"] = total
        self.progress.step("payments", total, total)

    def post_payments(self, co, payments, invoices):
        """Name a batch of payments, then reconcile each with its invoices
        (``invoices``: a list per payment), as one ``_reconcile_plan`` call
        of the ORM writer does."""
        self.number(payments, co.bank_journal)
        for move in payments:
            self.write_payment(move)
        self.reconcile(
            co,
            touch=True,
            plans=[
                [move.amls[1]]
                + [a for inv in moves for a in inv.amls if not a.is_reconciled()]
                for move, moves in zip(payments, invoices, strict=True)
            ],
        )

    def payment(self, co, group):
        invoices = list(dict.fromkeys(self.invoices[inv.key] for inv in group))
        share = group[0].partial_share or 1.0
        cur = invoices[0].cur
        amount = cur.round(sum(self.residual(m) for m in invoices) * share)
        day = group[0].paid_date
        shape = self.shapes["payment", co.key, cur.id]
        move = self.new_move("payment", co, shape, day, invoices[0].partner, cur)
        move.sort_ref = ", ".join(m.name for m in invoices)
        move.payment_id = self.next_id("account_payment")
        balance = self.convert(co, cur, amount, day)
        for kind, sign in (("liquidity", 1), ("counterpart", -1)):
            ((template, tags),) = shape.lines[kind]
            aml = _Aml(move, kind, template, cur, sign * balance, sign * amount)
            aml.maturity, aml.tags = day, tags
            move.amls.append(aml)
        move.values = {"amount": amount}
        self.ranks[move.partner["id"]] += 1
        return move

    def write_payment(self, move):
        memo = move.sort_ref
        label = move.shape.rules["payment_label"] + memo
        for aml in move.amls[:2]:  # liquidity and counterpart
            amount = move.cur.text(aml.amount_currency)
            aml.extra = (memo, label, aml.maturity, move.payment_id, amount, amount)
        for aml in move.amls[2:]:  # an early payment discount's
            aml.extra = (memo, move.payment_id, *aml.extra)

    # -- early payments with a discount -----------------------------------------

    def write_early_payments(self):
        """The invoices paid early on a discount term, paid as the ORM
        writer's ``generator._create_early_payments`` pays them with Odoo's
        payment wizard: one wizard a company and payment date, one payment
        an invoice, created, posted and reconciled by batches of 500."""
        total = sum(
            1 for co in self.cos.values() for _group, early in co.groups if early
        )
        done = 0
        for co in self.cos.values():
            todo = []
            by_day = defaultdict(list)
            for group, is_early in co.groups:
                if is_early:
                    by_day[group[0].paid_date].append(self.invoices[group[0].key])
            for day in sorted(by_day):
                todo.extend(self.wizard_order(co, day, by_day[day]))
            for start in range(0, len(todo), BATCH):
                chunk = todo[start : start + BATCH]
                self.post_payments(
                    co,
                    [self.early_payment(co, *item) for item in chunk],
                    [[invoice] for invoice, _day, _discounted in chunk],
                )
                done += len(chunk)
                self.progress.step("early payments", done, total)
        self.count["payments"] += total

    def wizard_order(self, co, day, invoices):
        """[(invoice, day, discounted)]: the payments of one wizard, in its
        order. The wizard keeps its lines in the order given (the plan's),
        groups them by customer and currency (its batches, in the order
        first seen) and pays each line of a batch. With more than one batch
        it works in the company's currency: an invoice in another currency
        is then paid in full, without its discount
        (``_is_eligible_for_early_payment_discount``)."""
        for invoice in invoices:
            if any(a.partials for a in invoice.amls) or len(invoice.amls) != 1:
                raise Unsupported(f"early payment of {invoice.name}: not one due")
        batches = defaultdict(list)
        for invoice in invoices:
            batches[invoice.partner["id"], invoice.cur.id].append(invoice)
        if co.bank_journal.currency_id:
            raise Unsupported(f"{co.bank_journal.name}: a journal in a currency")
        wizard_cur = next(iter(batches))[1] if len(batches) == 1 else co.cur.id
        return [
            (invoice, day, invoice.cur.id == wizard_cur)
            for batch in batches.values()
            for invoice in batch
        ]

    def early_payment(self, co, invoice, day, discounted):
        """An invoice's early payment: its discounted amount, and the
        discount's lines from
        ``_get_invoice_counterpart_amls_for_early_payment_discount``
        ('included' computation: the discount less its tax, the tax, and
        an exchange difference in a foreign currency); or its residual when
        the wizard gives no discount."""
        cur, comp = invoice.cur, co.cur
        shape = self.shapes["early", co.key, cur.id]
        move = self.new_move("payment", co, shape, day, invoice.partner, cur)
        move.invoice = invoice
        (term,) = invoice.amls
        move.sort_ref = term.extra[1]  # the wizard's memo: the line's label
        move.payment_id = self.next_id("account_payment")
        residual_c = term.residual_currency
        epd = []
        if discounted:
            _disc_date, disc_balance, disc_c = invoice.values["discount"]
            amount = disc_c
            lines, tax_line = invoice.values["epd"]
            remaining = (100 - invoice.values["term"].discount_percentage) / 100.0
            _base, reduced_tax = self.taxes(
                co,
                cur,
                invoice.values["rate"],
                [(quantity, price * remaining) for quantity, price in lines],
                -1,
                True,
            )
            tax_c = cur.round(reduced_tax[0] - tax_line[0])
            tax = comp.round(reduced_tax[1] - tax_line[1])
            # the rounding fix gives the base line what is left of the
            # discount (one base line: the lines share their tax)
            base_c = cur.round(term.amount_currency - disc_c - tax_c)
            base = comp.round(term.balance - disc_balance - tax)
            epd = [("epd_base", base, base_c), ("epd_tax", tax, tax_c)]
            open_balance = self.convert(co, cur, residual_c - amount, day)
            exchange = comp.round(open_balance - base - tax)
            if not comp.is_zero(exchange):
                epd.append(("epd_exchange", exchange, 0.0))
        else:
            amount = residual_c
        balance = self.convert(co, cur, amount, day)
        ((template, tags),) = shape.lines["liquidity"]
        liquidity = _Aml(move, "liquidity", template, cur, balance, amount)
        counterpart_c = cur.round(-amount - sum(e[2] for e in epd))
        counterpart_b = comp.round(-balance - sum(e[1] for e in epd))
        ((c_template, c_tags),) = shape.lines["counterpart"]
        counterpart = _Aml(
            move, "counterpart", c_template, cur, counterpart_b, counterpart_c
        )
        liquidity.tags, counterpart.tags = tags, c_tags
        liquidity.maturity = counterpart.maturity = day
        move.amls += [liquidity, counterpart]
        for kind, line_balance, line_c in epd:
            if kind not in shape.lines:
                raise Unsupported(f"early payment of {invoice.name}: no {kind} line")
            ((template, tags, taxes),) = shape.lines[kind]
            aml = _Aml(move, kind, template, cur, line_balance, line_c)
            aml.tags, aml.taxes = tags, taxes
            if kind == "epd_exchange":
                record = co.record
                aml.account = (
                    record.expense_currency_exchange_account_id.id
                    if line_balance > 0.0
                    else record.income_currency_exchange_account_id.id
                )
                aml.extra = (aml.account,)
            move.amls.append(aml)
        move.values = {"amount": amount, "discounted": discounted}
        self.ranks[move.partner["id"]] += 1
        return move

    # -- reconciliation, as account.move.line._reconcile_plan ---------------------

    def reconcile(self, co, plans, exchange=True, touch=False):
        """Reconcile ``plans`` (lists of journal items) in one batch, as one
        ``_reconcile_plan`` call does; ``touch``: a call of the ORM writer,
        whose synchronisation of the invoices marks them modified."""
        nodes = []
        for amls in plans:
            if not amls:
                continue
            if touch:
                for aml in amls:
                    aml.move.touched = True
            if len({a.cur for a in amls}) > 1 or len({a.account for a in amls}) > 1:
                raise Unsupported("reconciliation across currencies or accounts")
            nodes.append(
                sorted(
                    amls,
                    key=lambda a: (a.maturity or a.date, a.amount_currency, a.balance),
                )
            )
        planned = []
        for amls in nodes:
            planned.extend(self.plan_partials(co, amls, exchange))
        partials = []
        exchanges = []
        for partial, exchange_lines in planned:
            self.add_partial(partial)
            partials.append(partial)
            if exchange_lines:
                exchanges.append(exchange_lines)
        exchange_moves = self.exchange_moves(co, exchanges) if exchanges else []
        # Odoo 18.0's _reconcile_plan_with_sync links the n-th exchange move
        # of a batch to the batch's n-th partial, not to the partial it
        # fixes; mirrored, so that both writers link the same way.
        for partial, move in zip(partials, exchange_moves, strict=False):
            partial.exchange_move = move
        self.full_reconcile(nodes)

    def add_partial(self, partial):
        partial.id = self.next_id("account_partial_reconcile")
        self.partials.append(partial)
        partial.debit.partials.append((partial, True))
        partial.credit.partials.append((partial, False))
        for aml in (partial.debit, partial.credit):
            self.settle(aml)

    def settle(self, aml):
        """Residual amounts as ``_compute_amount_residual`` recomputes them
        from the stored partials."""
        sums = [Decimal(0)] * 4
        for partial, is_debit in aml.partials:
            if is_debit:
                sums[0] += Decimal(partial.amounts[0])
                sums[1] += Decimal(partial.amounts[1])
            else:
                sums[2] += Decimal(partial.amounts[0])
                sums[3] += Decimal(partial.amounts[2])
        aml.residual = aml.comp.round(aml.balance - float(sums[0]) + float(sums[2]))
        aml.residual_currency = aml.cur.round(
            aml.amount_currency - float(sums[1]) + float(sums[3])
        )

    def plan_partials(self, co, amls, exchange):
        """``_prepare_reconciliation_amls``: [(partial, exchange values)]."""
        values = [_Values(aml) for aml in amls]
        debits = iter(
            [v for v in values if v.aml.balance > 0.0 or v.aml.amount_currency > 0.0]
        )
        credits = iter(
            [v for v in values if v.aml.balance < 0.0 or v.aml.amount_currency < 0.0]
        )
        debit = credit = None
        planned = []
        while True:
            if not debit:
                debit = next(debits, None)
                if not debit:
                    break
            if not credit:
                credit = next(credits, None)
                if not credit:
                    break
            partial, exchange_lines, debit_done, credit_done = self.single_partial(
                co, debit, credit, exchange
            )
            if partial:
                planned.append((partial, exchange_lines))
            if debit_done:
                debit = None
            if credit_done:
                credit = None
        return planned

    @staticmethod
    def available(values, counterpart_cur):
        """``_prepare_move_line_residual_amounts``: {currency: (residual,
        rate)}."""
        aml = values.aml
        comp, cur = aml.comp, aml.cur
        rate = None
        if not comp.is_zero(aml.balance) and not cur.is_zero(aml.amount_currency):
            rate = abs(aml.amount_currency / aml.balance)
        available = {}
        if not comp.is_zero(values.residual):
            available[comp] = (values.residual, 1)
        if cur is not comp and not cur.is_zero(values.residual_currency):
            available[cur] = (values.residual_currency, rate)
        if cur is comp and not comp.is_zero(values.residual):
            if counterpart_cur is not comp:
                raise Unsupported("company currency line against a foreign one")
        elif (
            cur is counterpart_cur
            and cur is not comp
            and not cur.is_zero(values.residual_currency)
        ):
            available[counterpart_cur] = (values.residual_currency, rate)
        return available

    def single_partial(self, co, dv, cv, exchange):  # noqa: C901 - mirrors Odoo
        """``_prepare_reconciliation_single_partial``: (partial, exchange
        lines to fix, debit fully matched, credit fully matched)."""
        debit, credit = dv.aml, cv.aml
        dcur, ccur, comp = debit.cur, credit.cur, debit.comp
        rem_d_c, rem_c_c = dv.residual_currency, cv.residual_currency
        rem_d, rem_c = dv.residual, cv.residual
        d_avail = self.available(dv, ccur)
        c_avail = self.available(cv, dcur)
        if dcur is not comp and dcur in d_avail and dcur in c_avail:
            recon = dcur
        elif ccur is not comp and ccur in d_avail and ccur in c_avail:
            recon = ccur
        else:
            recon = comp
        d_recon, c_recon = d_avail.get(recon), c_avail.get(recon)
        if not d_recon or not c_recon:
            return None, None, not d_recon, not c_recon
        recon_debit, recon_credit = d_recon[0], -c_recon[0]
        exchange_line_mode = (
            recon is comp
            and dcur is ccur
            and (not d_avail.get(dcur) or not c_avail.get(ccur))
        )
        compare = recon.compare(recon_debit, recon_credit)
        min_amount = min(recon_debit, recon_credit)
        d_full, c_full = compare <= 0, compare >= 0
        if recon is comp:
            d_rate = c_rate = None
            if not exchange_line_mode:
                d_rate = d_avail.get(dcur, (None, None))[1]
                c_rate = c_avail.get(ccur, (None, None))[1]
            amount = min_amount
            d_amount_c = (
                min(dcur.round(d_rate * min_amount), rem_d_c) if d_rate else 0.0
            )
            c_amount_c = (
                min(ccur.round(c_rate * min_amount), -rem_c_c) if c_rate else 0.0
            )
        else:
            d_rate = c_rate = None
            if not exchange_line_mode:
                d_rate, c_rate = d_recon[1], c_recon[1]
            d_amount = min(comp.round(min_amount / d_rate), rem_d) if d_rate else 0.0
            c_amount = min(comp.round(min_amount / c_rate), -rem_c) if c_rate else 0.0
            amount = min(d_amount, c_amount)
            d_amount_c = amount if dcur is comp else min_amount
            c_amount_c = amount if ccur is comp else min_amount
        fixes = []
        if exchange:
            if recon is comp:
                if d_full:
                    diff = rem_d_c - d_amount_c
                    if not dcur.is_zero(diff):
                        fixes.append((debit, "amount_residual_currency", diff))
                        rem_d_c -= diff
                if c_full:
                    diff = rem_c_c + c_amount_c
                    if not ccur.is_zero(diff):
                        fixes.append((credit, "amount_residual_currency", diff))
                        rem_c_c += diff
            else:
                if d_full:
                    diff = rem_d - amount
                    fix = not comp.is_zero(diff)
                else:
                    diff = d_amount - amount
                    fix = comp.compare(diff, 0.0) > 0
                if fix:
                    fixes.append((debit, "amount_residual", diff))
                    rem_d -= diff
                    if dcur is comp:
                        rem_d_c -= diff
                if c_full:
                    diff = rem_c + amount
                    fix = not comp.is_zero(diff)
                else:
                    diff = amount - c_amount
                    fix = comp.compare(diff, 0.0) < 0
                if fix:
                    fixes.append((credit, "amount_residual", diff))
                    rem_c -= diff
                    if ccur is comp:
                        rem_c_c -= diff
        fixes = self.exchange_lines(fixes, max(debit.date, credit.date))
        dv.residual, dv.residual_currency = rem_d - amount, rem_d_c - d_amount_c
        cv.residual, cv.residual_currency = rem_c + amount, rem_c_c + c_amount_c
        partial = _Partial(debit, credit, amount, d_amount_c, c_amount_c)
        return partial, fixes, d_full, c_full

    def exchange_lines(self, fixes, exchange_date):
        """``_prepare_exchange_difference_move_vals``: the move's date and its
        [(line to fix, balance, amount_currency)], or None."""
        if not fixes:
            return None
        co = fixes[0][0].move.co
        move_date = self.accounting_date(co, exchange_date)
        lines = []
        for aml, field, amount in fixes:
            move_date = max(move_date, aml.date)
            if field == "amount_residual":
                residual, residual_c = amount, 0.0
                if aml.cur is aml.comp:
                    residual_c = residual
                if aml.comp.is_zero(residual):
                    continue
            else:
                residual, residual_c = 0.0, amount
                if aml.cur.is_zero(residual_c):
                    continue
            lines.append((aml, residual, residual_c, amount))
        return (move_date, lines) if lines else None

    def exchange_moves(self, co, exchanges):
        """``_create_exchange_difference_moves``: create and post the
        exchange difference entries of a batch, then reconcile each with the
        line it fixes."""
        shape = self.shapes.get(("exchange", co.key))
        if not shape:
            raise Unsupported(f"{co.record.name}: exchange difference without exemplar")
        moves, pairs = [], []
        for move_date, lines in exchanges:
            move = self.new_move("exchange", co, shape, move_date, None, co.cur)
            partners = set()
            for aml, residual, residual_c, to_fix in lines:
                sequence = len(move.amls)
                ((fix_template, fix_tags),) = shape.lines["fix"]
                fix = _Aml(
                    move,
                    "fix",
                    fix_template,
                    aml.cur,
                    aml.comp.round(-residual),
                    aml.cur.round(-residual_c),
                )
                fix.account, fix.partner, fix.tags = aml.account, aml.partner, fix_tags
                fix.extra = (aml.account, sequence)
                ((gl_template, gl_tags),) = shape.lines["gain_loss"]
                gain_loss = _Aml(
                    move,
                    "gain_loss",
                    gl_template,
                    aml.cur,
                    aml.comp.round(residual),
                    aml.cur.round(residual_c),
                )
                gain_loss.partner, gain_loss.tags = aml.partner, gl_tags
                record = co.record
                gain_loss.account = (
                    record.expense_currency_exchange_account_id.id
                    if to_fix > 0.0
                    else record.income_currency_exchange_account_id.id
                )
                gain_loss.extra = (gain_loss.account, sequence + 1)
                move.amls += [fix, gain_loss]
                pairs.append([aml, fix])
                if aml.partner:
                    partners.add(aml.partner)
            for partner in partners:
                self.ranks[partner] += 1
            moves.append(move)
        self.number(moves, co.exchange_journal)
        self.reconcile(co, pairs, exchange=False)
        return moves

    def involved(self, amls):
        """The journal items sharing a matching number with ``amls``."""
        seen = set(amls)
        todo = list(amls)
        while todo:
            aml = todo.pop()
            for partial, _is_debit in aml.partials:
                for other in (partial.debit, partial.credit):
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
        return seen

    def full_reconcile(self, nodes):
        """The full reconcile part of ``_reconcile_plan_with_sync``."""
        in_call = {aml for amls in nodes for aml in amls}
        batched = set()
        batches = []
        for amls in nodes:
            for aml in amls:
                if aml in batched:
                    continue
                involved = self.involved(amls)
                batched |= involved & in_call
                multi = len({a.cur for a in involved}) > 1
                batches.append(
                    (
                        involved,
                        all(self.line_reconciled(a, multi) for a in involved),
                    )
                )
        for involved, full in batches:
            if not full:
                continue
            if any(
                not a.comp.is_zero(a.residual) or not a.cur.is_zero(a.residual_currency)
                for a in involved
            ):
                raise Unsupported("exchange difference on a full reconcile")
            full_id = self.next_id("account_full_reconcile")
            self.fulls.append(full_id)
            for aml in involved:
                aml.full = full_id
                for partial, _is_debit in aml.partials:
                    partial.full = full_id

    @staticmethod
    def line_reconciled(aml, multi):
        if aml.is_reconciled():
            return True
        if not aml.partials:
            return False
        if multi:
            return aml.comp.is_zero(aml.residual)
        return aml.cur.is_zero(aml.residual_currency)

    # -- the final write -------------------------------------------------------------

    def flush(self):
        """Write what waited for the reconciliation, then COPY all rows."""
        numbers = self.matching_numbers()
        for full_id in self.fulls:
            self.out(
                "account_full_reconcile",
                self.full_template.render((full_id, self.now, self.now)),
            )
        for move in self.moves:
            self.write_move(move, numbers)
        for partial in self.partials:
            debit, credit = partial.debit, partial.credit
            self.out(
                "account_partial_reconcile",
                debit.move.co.partial.render(
                    (
                        partial.id,
                        debit.id,
                        credit.id,
                        partial.full,
                        partial.exchange_move.id if partial.exchange_move else None,
                        debit.cur.id,
                        credit.cur.id,
                        max(debit.date, credit.date),
                        *partial.amounts,
                        self.now,
                        self.now,
                    )
                ),
            )
        self.copy()

    def matching_numbers(self):
        """``_update_matching_number``: each group of lines matched together
        gets the smallest id of its partials ('P' + id), or its full
        reconcile's id."""
        numbers = {}
        for partial in sorted(self.partials, key=lambda p: p.id):
            for aml in (partial.debit, partial.credit):
                if aml not in numbers:
                    group = self.involved([aml])
                    smallest = min(p.id for a in group for p, _d in a.partials)
                    for member in group:
                        numbers[member] = smallest
        return numbers

    def write_move(self, move, numbers):
        cur, comp = move.cur, move.co.cur
        for aml in move.amls:
            aml.id = self.next_id("account_move_line")
        values = (move.id, move.name, move.prefix, move.number)
        if move.kind in ("invoice", "refund"):
            v = move.values
            sign = 1 if move.kind == "refund" else -1
            residual_c = sum(a.residual_currency for a in move.amls)
            residual = sum(a.residual for a in move.amls)
            partner = move.partner
            rules = move.shape.rules
            row = values + (
                partner["id"],
                partner["id"],
                partner["id"],
                partner["name"],
                partner["fpos"],
                move.date,
                move.date,
                v["due"],
                move.date if rules["delivery_date"] else None,
                cur.id,
                repr(float(v["rate"])),
                v["term"].id,
                self.payment_reference(move),
                move.reversed.id if move.reversed else None,
                self.rule(rules["partner_bank"], partner["bank"]),
                rules["manually_modified"] or move.touched,
                cur.text(v["amount_untaxed"]),
                cur.text(v["amount_tax"]),
                cur.text(v["amount_total"]),
                cur.text(-sign * residual_c),
                comp.text(v["amount_untaxed_signed"]),
                cur.text(v["amount_untaxed_in_currency_signed"]),
                comp.text(v["amount_tax_signed"]),
                comp.text(v["amount_total_signed"]),
                cur.text(v["amount_total_in_currency_signed"]),
                comp.text(residual),
                self.payment_state(move, cur.round(-sign * residual_c)),
                self.now,
                self.now,
            )
        else:
            # _compute_amount of an entry: the sum of its debit lines.
            debits = [a for a in move.amls if a.balance > 0.0]
            total = cur.round(sum(a.amount_currency for a in debits))
            row = values + (
                move.date,
                cur.text(total),
                comp.text(abs(sum(a.balance for a in debits))),
                cur.text(abs(total)),
                self.now,
                self.now,
            )
            if move.kind == "payment":
                partner = move.partner
                row += (
                    move.sort_ref,
                    partner["id"],
                    partner["id"],
                    partner["name"],
                    partner["fpos"],
                    cur.id,
                    None,  # origin_payment_id, see copy()
                )
                self.write_payment_row(move)
                if move.invoice:
                    self.out(
                        "account_move__account_payment",
                        f"{move.invoice.id}\t{move.payment_id}",
                    )
        self.out("account_move", move.shape.move.render(row))
        if move.kind != "exchange" and move.shape.follower:
            template, subtypes = move.shape.follower
            follower_id = self.next_id("mail_followers")
            self.out(
                "mail_followers",
                template.render((follower_id, move.id, move.partner["id"])),
            )
            for subtype in subtypes:
                self.out(
                    "mail_followers_mail_message_subtype_rel",
                    f"{follower_id}\t{subtype}",
                )
        for aml in move.amls:
            self.write_aml(aml, numbers)

    def write_aml(self, aml, numbers):
        move = aml.move
        values = self.line_values(
            aml.id, move, aml.cur, aml.balance, aml.amount_currency
        )
        values = values[:3] + (aml.partner,) + values[4:]
        if aml.kind not in UNRECONCILED:
            matching = None
            if aml.full:
                matching = str(aml.full)
            elif aml in numbers:
                matching = f"P{numbers[aml]}"
            values += (
                aml.comp.text(aml.residual),
                aml.cur.text(aml.residual_currency),
                aml.is_reconciled(),
                aml.full,
                matching,
            )
        if aml.kind in ("fix", "gain_loss"):
            extra = (*aml.extra, aml.cur.text(aml.amount_currency))
        else:
            extra = aml.extra
        self.out("account_move_line", aml.template.render(values + extra))
        self.rels(aml.id, aml.taxes, aml.tags)

    def write_payment_row(self, move):
        liquidity, counterpart = move.amls[:2]
        cur = move.cur
        field = "residual" if cur is move.co.cur else "residual_currency"
        template, settled = move.shape.payment, ()
        if not move.values.get("discounted"):  # see SETTLED
            settled = (
                move.co.cur.text(liquidity.balance),
                cur.is_zero(getattr(counterpart, field)),
            )
            if move.invoice:
                template = move.shape.rules["full_payment"]
        matched = (liquidity.is_reconciled(),) if move.invoice and settled else ()
        self.out(
            "account_payment",
            template.render(
                (
                    move.payment_id,
                    move.id,
                    move.name,
                    move.sort_ref,
                    move.partner["id"],
                    cur.id,
                    move.date,
                    cur.text(move.values["amount"]),
                    *settled,
                    self.now,
                    self.now,
                    *matched,
                )
            ),
        )

    @staticmethod
    def payment_state(move, residual):
        """``_compute_payment_state`` of an invoice or credit note."""
        counterparts = [
            (partial.credit if is_debit else partial.debit).move
            for aml in move.amls
            for partial, is_debit in aml.partials
        ]
        counterparts = [m for m in counterparts if m is not move]
        if not move.cur.is_zero(residual):
            return "partial" if counterparts else "not_paid"
        if any(m.kind == "payment" for m in counterparts):
            return "paid"
        types = {MOVE_TYPES[m.kind] for m in counterparts}
        if move.kind == "invoice" and types in (
            {"out_refund"},
            {"out_refund", "entry"},
        ):
            return "reversed"
        if move.kind == "refund" and types == {"entry"}:
            return "reversed"
        return "paid"

    def copy(self):
        cr = self.cr
        for table in TABLES:
            handle = self.files.pop(table, None)
            if handle is None:
                continue
            handle.seek(0)
            cr.copy_expert(f'COPY "{table}" FROM STDIN', handle)
            handle.close()
        # PostgreSQL's statistics still describe the tables before the bulk
        # copy (and res_partner before the customers): its planner then
        # picks plans for a few rows, for the updates below (80 s instead of
        # 0.9 s for the ranks at 20,000 customers, a sequential scan of the
        # customers for each of them) and for the sequence lookups of the
        # generator's next steps (0.7 s instead of 0.3 ms each, EXPLAIN
        # ANALYZE). Autovacuum would analyse them, later.
        for table in (*TABLES, "res_partner"):
            cr.execute(f'ANALYZE "{table}"')
        payments = [m for m in self.moves if m.kind == "payment"]
        if payments:
            cr.execute(
                "UPDATE account_move m SET origin_payment_id = p.id "
                "FROM account_payment p WHERE p.move_id = m.id AND p.id = ANY(%s)",
                [[m.payment_id for m in payments]],
            )
        if self.ranks:
            cr.execute(
                "UPDATE res_partner p SET customer_rank = customer_rank + r.n "
                "FROM unnest(%s::int[], %s::int[]) AS r(id, n) WHERE p.id = r.id",
                [list(self.ranks), list(self.ranks.values())],
            )
        self.env.invalidate_all()


# ---------------------------------------------------------------------------
# Exemplars
# ---------------------------------------------------------------------------


class Exemplars:
    """Make the exemplar documents through the ORM, as the ORM writer
    does, read their rows, roll them back, and keep them as templates."""

    def __init__(self, writer):
        self.w = writer
        self.env = writer.env
        self.made = []  # (shape key, kind, record A, record B)
        self.posted = {}  # move id: is_manually_modified once posted

    def make(self):
        env, cr = self.env, self.env.cr
        env.flush_all()
        marks = {}
        for table in ("account_move", "account_move_line", "account_payment"):
            cr.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            marks[table] = cr.fetchone()[0]
        for table in ("account_partial_reconcile", "account_full_reconcile"):
            cr.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            marks[table] = cr.fetchone()[0]
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_followers")
        marks["mail_followers"] = cr.fetchone()[0]
        with cr.savepoint() as savepoint:
            # Entering the savepoint ran the pending precommit hooks: count
            # the writes from here.
            before = self.table_writes()
            self.create()
            env.flush_all()
            written = {
                table
                for table, count in self.table_writes().items()
                if count != before.get(table)
            }
            if written - KNOWN_TABLES:
                raise Unsupported(
                    "posting and reconciling also write to "
                    + ", ".join(sorted(written - KNOWN_TABLES))
                )
            rows = self.read(marks)
            savepoint.close(rollback=True)
        self.build(rows)

    def table_writes(self):
        self.env.cr.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del "
            "FROM pg_stat_xact_user_tables"
        )
        return dict(self.env.cr.fetchall())

    # -- the documents -------------------------------------------------------

    def create(self):
        w, plan = self.w, self.w.plan
        today = plan.today
        for key, co in w.cos.items():
            customers = [c for c in plan.customers if c.company == key]
            if not customers:
                continue
            by_term = defaultdict(list)
            for customer in customers:
                by_term[customer.payment_term].append(customer)
            invoices = [inv for inv in plan.invoices if inv.company == key]
            shapes = list(
                dict.fromkeys(
                    (inv.currency, plan.customers[inv.customer].payment_term)
                    for inv in invoices
                )
            )
            refunded = {
                (inv.currency, plan.customers[inv.customer].payment_term)
                for inv in invoices
                if inv.refund_share
            }
            for currency, term in shapes:
                pair = by_term[term][:2] * (2 if len(by_term[term]) == 1 else 1)
                moves = self.invoices(
                    co, currency, pair, today - timedelta(days=400), today
                )
                shape = (
                    "invoice",
                    key,
                    w.currencies[currency].id,
                    moves[0].invoice_payment_term_id.id,
                )
                self.made.append((shape, "invoice", *moves))
                if (currency, term) in refunded:
                    refunds = self.refunds(co, moves, (0.5, 0.3))
                    self.made.append((("refund", *shape[1:]), "refund", *refunds))
            paid = {group[0].currency for group, early in co.groups if not early}
            for currency in sorted(paid):
                term = plan.customers[
                    next(
                        g[0]
                        for g, e in co.groups
                        if not e and g[0].currency == currency
                    ).customer
                ].payment_term
                pair = by_term[term][:2] * (2 if len(by_term[term]) == 1 else 1)
                moves = self.invoices(
                    co, currency, pair, today - timedelta(days=400), today
                )
                payments = self.payments(co, moves)
                self.made.append(
                    (
                        ("payment", key, w.currencies[currency].id),
                        "payment",
                        *payments,
                    )
                )
            early = {group[0].currency for group, is_early in co.groups if is_early}
            for currency in sorted(early):
                first = next(
                    g[0] for g, e in co.groups if e and g[0].currency == currency
                )
                term = plan.customers[first.customer].payment_term
                pair = by_term[term][:2] * (2 if len(by_term[term]) == 1 else 1)
                payments = self.early_payments(co, currency, pair, today)
                self.made.append(
                    (("early", key, w.currencies[currency].id), "early", *payments)
                )

    def early_payments(self, co, currency, customers, today):
        """Two invoices on a discount term paid early, as the ORM writer
        pays them (``ledger_orm.early_payment_values`` and ``pay_early``):
        invoiced late in a month and paid early in the next, so that a
        foreign currency gives an exchange difference."""
        cur = self.w.currencies[currency]
        day_a = (today - timedelta(days=400)).replace(day=26)
        day_b = (day_a + timedelta(days=62)).replace(day=26)
        moves = self.invoices(co, currency, customers, day_a, today, (day_a, day_b))
        by_day = {}
        for move in moves:
            day = move.invoice_date + timedelta(days=7)
            if cur is not co.cur and self.w.rate(co, cur, day) == self.w.rate(
                co, cur, move.invoice_date
            ):
                raise Unsupported(f"{co.record.name}: no rate change for exemplars")
            by_day[day] = [move]
        to_process = ledger_orm.early_payment_values(
            self.env, co.record, co.bank_journal, by_day
        )
        return ledger_orm.pay_early(self.env, co.record, to_process)

    def invoices(self, co, currency, customers, first_day, today, days=None):
        """Two invoices, one line per product, on days at different rates
        (or on ``days``)."""
        env, w = self.env, self.w
        cur = w.currencies[currency]
        day_a = first_day.replace(day=5)
        day_b = self.other_rate_day(co, cur, day_a, today)
        if days:
            day_a, day_b = days
        invs = []
        for index, (customer, day) in enumerate(
            zip(customers, (day_a, day_b), strict=True)
        ):
            invs.append(
                planmod.Invoice(
                    key=-1,
                    customer=customer.key,
                    company=co.key,
                    currency=currency,
                    invoice_date=day,
                    lines=[
                        (key, rank + 1 + index, round(price * (1.1 - index / 7), 2))
                        for rank, (key, _en, _fr, price) in enumerate(planmod.PRODUCTS)
                    ],
                )
            )
        currencies = {code: c.id for code, c in w.currencies.items()}
        moves = (
            env["account.move"]
            .with_company(co.record)
            .create(
                [
                    ledger_orm.invoice_vals(
                        env,
                        inv,
                        co.record,
                        w.partner_records[inv.customer],
                        w.product_records,
                        currencies,
                        w.partners[inv.customer]["term"].id,
                    )
                    for inv in invs
                ]
            )
        )
        moves.action_post()
        self.posted.update((move.id, move.is_manually_modified) for move in moves)
        return moves

    def other_rate_day(self, co, cur, day, today):
        """A later day (before ``today``) of another rate, so that foreign
        currency exemplars carry exchange differences."""
        later = day + timedelta(days=35)
        while (
            later + timedelta(days=60) < today
            and cur is not co.cur
            and self.w.rate(co, cur, later) == self.w.rate(co, cur, day)
        ):
            later += timedelta(days=31)
        return later

    def refunds(self, co, moves, shares):
        """Credit notes of ``moves``, made and reconciled as the ORM writer's
        ``_credit_notes`` does."""
        env = self.env
        vals = []
        for move, share in zip(moves, shares, strict=True):
            day = min(move.invoice_date + timedelta(days=30), self.w.plan.today)
            vals.append(
                {
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
                                "price_unit": line.currency_id.round(
                                    line.price_unit * share
                                ),
                                "tax_ids": [(6, 0, line.tax_ids.ids)],
                            },
                        )
                        for line in move.invoice_line_ids
                    ],
                }
            )
        refunds = env["account.move"].with_company(co.record).create(vals)
        refunds.action_post()
        self.posted.update((move.id, move.is_manually_modified) for move in refunds)
        env["account.move.line"]._reconcile_plan(
            [
                ledger_orm.receivable(move | refund)
                for move, refund in zip(moves, refunds, strict=True)
            ]
        )
        return refunds

    def payments(self, co, moves):
        """Payments of ``moves`` in full, on days of other rates, made and
        reconciled as the ORM writer's ``_payments`` does."""
        env, w = self.env, self.w
        vals = []
        for move in moves:
            day = self.other_rate_day(
                co, w.cur(move.currency_id), move.invoice_date, w.plan.today
            )
            vals.append(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": move.commercial_partner_id.id,
                    "amount": move.currency_id.round(move.amount_residual),
                    "currency_id": move.currency_id.id,
                    "date": day,
                    "journal_id": co.bank_journal.id,
                    "memo": move.name,
                }
            )
        payments = env["account.payment"].with_company(co.record).create(vals)
        payments.action_post()
        env["account.move.line"]._reconcile_plan(
            [
                ledger_orm.receivable(payment.move_id | move)
                for payment, move in zip(payments, moves, strict=True)
            ]
        )
        return payments

    # -- reading them back ---------------------------------------------------

    def read(self, marks):
        cr = self.env.cr
        rows = {}
        for table, mark in marks.items():
            cr.execute(f'SELECT * FROM "{table}" WHERE id > %s ORDER BY id', [mark])
            rows[table] = self.fetch(cr)
        for table, column, mark in (
            (
                "account_move_line_account_tax_rel",
                "account_move_line_id",
                "account_move_line",
            ),
            (
                "account_account_tag_account_move_line_rel",
                "account_move_line_id",
                "account_move_line",
            ),
            (
                "mail_followers_mail_message_subtype_rel",
                "mail_followers_id",
                "mail_followers",
            ),
            ("account_move__account_payment", "payment_id", "account_payment"),
        ):
            cr.execute(f'SELECT * FROM "{table}" WHERE "{column}" > %s', [marks[mark]])
            rows[table] = self.fetch(cr)
        return rows

    @staticmethod
    def fetch(cr):
        columns = [d.name for d in cr.description]
        return columns, [dict(zip(columns, row, strict=True)) for row in cr.fetchall()]

    def build(self, rows):
        w = self.w
        self.columns = {table: rows[table][0] for table in rows}
        self.rows = {table: rows[table][1] for table in rows}
        self.lines = defaultdict(list)
        for row in self.rows["account_move_line"]:
            self.lines[row["move_id"]].append(row)
        self.taxes = defaultdict(list)
        for row in self.rows["account_move_line_account_tax_rel"]:
            self.taxes[row["account_move_line_id"]].append(row["account_tax_id"])
        self.tags = defaultdict(list)
        for row in self.rows["account_account_tag_account_move_line_rel"]:
            self.tags[row["account_move_line_id"]].append(row["account_account_tag_id"])
        self.subtypes = defaultdict(list)
        for row in self.rows["mail_followers_mail_message_subtype_rel"]:
            self.subtypes[row["mail_followers_id"]].append(
                row["mail_message_subtype_id"]
            )
        self.followers = defaultdict(list)
        for row in self.rows["mail_followers"]:
            self.followers[row["res_model"], row["res_id"]].append(row)
        moves = {row["id"]: row for row in self.rows["account_move"]}
        payments = {row["id"]: row for row in self.rows["account_payment"]}
        matched = defaultdict(list)
        for row in self.rows["account_move__account_payment"]:
            matched[row["payment_id"]].append(row["invoice_id"])
        for key, kind, record_a, record_b in self.made:
            if kind in ("payment", "early"):
                pair = [payments[record_a.id], payments[record_b.id]]
                for payment in pair:
                    # the ORM writer links early payments to their invoice
                    # only (matched_payment_ids)
                    if len(matched[payment["id"]]) != (kind == "early"):
                        raise Unsupported(f"{kind} payment: matched invoices")
                shape = self.payment_shape(
                    pair, [moves[p["move_id"]] for p in pair], kind == "early"
                )
            else:
                pair = [moves[record_a.id], moves[record_b.id]]
                shape = self.document_shape(kind, pair)
                co = w.cos[key[1]]
                journal = self.env["account.journal"].browse(pair[0]["journal_id"])
                if co.sale_journal not in (None, journal):
                    raise Unsupported(f"{co.record.name}: two sale journals")
                co.sale_journal = journal
            w.shapes[key] = shape
        for co in w.cos.values():
            self.company_templates(co, moves)

    def same(self, what, rows, variable):
        """The exemplars of a shape agree on every column not in
        ``variable``."""
        first, second = rows
        differ = [
            column
            for column in first
            if column not in variable and first[column] != second[column]
        ]
        if differ:
            raise Unsupported(
                f"{what}: the exemplars differ in {', '.join(differ)}, which this "
                "writer does not compute"
            )

    def template(self, table, what, rows, variable):
        self.same(what, rows, variable)
        return _Template(self.columns[table], rows[0], variable)

    def line(self, what, kind, rows):
        """Template of a journal item, its tags (and taxes)."""
        ids = [row["id"] for row in rows]
        for table in (self.tags, self.taxes):
            if table[ids[0]] != table[ids[1]]:
                raise Unsupported(f"{what}: exemplars with other taxes or tags")
        template = self.template(
            "account_move_line", f"{what} ({kind})", rows, LINE_COLUMNS[kind]
        )
        return template, tuple(self.taxes[ids[0]]), tuple(self.tags[ids[0]])

    def follower(self, what, moves):
        followers = [self.followers["account.move", move["id"]] for move in moves]
        if not followers[0] and not followers[1]:
            return None
        for move, rows in zip(moves, followers, strict=True):
            if [row["partner_id"] for row in rows] != [move["partner_id"]]:
                raise Unsupported(f"{what}: followers other than the customer")
        rows = [rows[0] for rows in followers]
        if self.subtypes[rows[0]["id"]] != self.subtypes[rows[1]["id"]]:
            raise Unsupported(f"{what}: followers with other subtypes")
        template = self.template("mail_followers", what, rows, FOLLOWER_COLUMNS)
        return template, tuple(self.subtypes[rows[0]["id"]])

    def document_shape(self, kind, moves):
        what = f"{kind} {moves[0]['name']}"
        shape = _Shape()
        shape.move = self.template("account_move", what, moves, INVOICE_MOVE)
        lines = [self.lines[move["id"]] for move in moves]
        by_type = [defaultdict(list), defaultdict(list)]
        for index, move_lines in enumerate(lines):
            for row in move_lines:
                by_type[index][row["display_type"]].append(row)
        if set(by_type[0]) != {"product", "tax", "payment_term"}:
            raise Unsupported(f"{what}: lines of type {sorted(by_type[0])}")
        for rows in zip(*(t["product"] for t in by_type), strict=True):
            if rows[0]["product_id"] != rows[1]["product_id"]:
                raise Unsupported(f"{what}: product lines out of order")
            template, taxes, tags = self.line(what, "product", rows)
            shape.products[rows[0]["product_id"]] = (template, taxes, tags)
        taxes = list(zip(*(t["tax"] for t in by_type), strict=True))
        if len(taxes) != 1:
            raise Unsupported(f"{what}: {len(taxes)} tax lines")
        template, _taxes, tags = self.line(what, "tax", taxes[0])
        shape.lines["tax"] = [(template, tags)]
        terms = [
            sorted(t["payment_term"], key=lambda r: (r["date_maturity"], r["id"]))
            for t in by_type
        ]
        shape.lines["term"] = []
        for rows in zip(*terms, strict=True):
            template, _taxes, tags = self.line(what, "term", rows)
            shape.lines["term"].append((template, tags))
        shape.follower = self.follower(what, moves)
        shape.rules = self.document_rules(what, moves, terms)
        return shape

    def document_rules(self, what, moves, terms):
        """How the values the ORM derives from others came out: the payment
        reference (the name, or a constant), the delivery date (the invoice
        date, or none) and the label of instalments."""
        rules = {}
        posted = {self.posted[move["id"]] for move in moves}
        if len(posted) != 1:
            raise Unsupported(f"{what}: is_manually_modified once posted")
        rules["manually_modified"] = posted.pop()
        if all(move["payment_reference"] == move["name"] for move in moves):
            rules["payment_reference"] = "name"
        elif moves[0]["payment_reference"] == moves[1]["payment_reference"]:
            rules["payment_reference"] = ("constant", moves[0]["payment_reference"])
        else:
            raise Unsupported(f"{what}: payment reference")
        banks = [self.w.partner_bank(move["partner_id"]) for move in moves]
        if all(
            move["partner_bank_id"] == bank and bank
            for move, bank in zip(moves, banks, strict=True)
        ):
            rules["partner_bank"] = "customer"
        elif moves[0]["partner_bank_id"] == moves[1]["partner_bank_id"]:
            rules["partner_bank"] = ("constant", moves[0]["partner_bank_id"])
        else:
            raise Unsupported(f"{what}: bank account")
        if all(move["delivery_date"] == move["invoice_date"] for move in moves):
            rules["delivery_date"] = True
        elif all(move["delivery_date"] is None for move in moves):
            rules["delivery_date"] = False
        else:
            raise Unsupported(f"{what}: delivery date")
        label = "{name}"
        if len(terms[0]) > 1:
            # "<reference> installment #1" in the language the ORM used.
            reference = moves[0]["payment_reference"] or ""
            first = terms[0][0]["name"]
            if not first.endswith("1"):
                raise Unsupported(f"{what}: instalment label {first}")
            if reference:
                label = "{name}" + first[len(reference) : -1] + "{number}"
            else:
                label = "{name} " + first[:-1] + "{number}"
        for move, move_terms in zip(moves, terms, strict=True):
            reference = move["payment_reference"] or ""
            for index, row in enumerate(move_terms):
                name = reference
                if len(move_terms) > 1:
                    name = label.format(name=reference, number=index + 1).lstrip()
                if row["name"] != name:
                    raise Unsupported(f"{what}: receivable line label {row['name']}")
        rules["installment"] = label
        return rules

    def payment_shape(self, payments, moves, early=False):
        """A payment's templates; ``early``: paid early with a discount,
        with the discount's lines (``LINE_COLUMNS["epd_*"]``)."""
        what = f"payment {moves[0]['name']}"
        shape = _Shape()
        shape.payment = self.template(
            "account_payment",
            what,
            payments,
            EARLY_PAYMENT_COLUMNS if early else PAYMENT_COLUMNS,
        )
        if early:
            # the wizard's payments without a discount (see SETTLED)
            shape.rules["full_payment"] = _Template(
                self.columns["account_payment"], payments[0], FULL_PAYMENT_COLUMNS
            )
        shape.move = self.template("account_move", what, moves, PAYMENT_MOVE)
        kinds = defaultdict(list)
        for payment, move in zip(payments, moves, strict=True):
            rows = self.lines[move["id"]]
            for row in rows:
                if row["account_id"] == payment["outstanding_account_id"]:
                    kinds["liquidity"].append(row)
                elif row["account_id"] == payment["destination_account_id"]:
                    kinds["counterpart"].append(row)
                elif not early:
                    raise Unsupported(f"{what}: journal item {row['name']}")
                elif row["display_type"] != "epd":
                    kinds["epd_exchange"].append(row)
                elif row["tax_repartition_line_id"]:
                    kinds["epd_tax"].append(row)
                else:
                    kinds["epd_base"].append(row)
        for kind, rows in kinds.items():
            if len(rows) != 2:
                raise Unsupported(f"{what}: {len(rows)} {kind} lines in the exemplars")
            template, taxes, tags = self.line(what, kind, rows)
            shape.lines[kind] = [
                (template, tags, taxes) if kind.startswith("epd") else (template, tags)
            ]
        labels = set()
        for payment, move in zip(payments, moves, strict=True):
            for row in self.lines[move["id"]]:
                if row["account_id"] not in (
                    payment["outstanding_account_id"],
                    payment["destination_account_id"],
                ):
                    continue  # an early payment discount's
                if not row["name"].endswith(payment["memo"]):
                    raise Unsupported(f"{what}: journal item label {row['name']}")
                labels.add(row["name"][: -len(payment["memo"])])
        if len(labels) != 1:
            raise Unsupported(f"{what}: journal item labels {labels}")
        shape.rules["payment_label"] = labels.pop()
        shape.follower = self.follower(what, moves)
        return shape

    def company_templates(self, co, moves):
        """Partial and full reconcile rows, exchange difference entries."""
        w = self.w
        partials = [
            row
            for row in self.rows["account_partial_reconcile"]
            if row["company_id"] == co.id
        ]
        if partials:
            for row in partials[1:]:
                self.same(
                    f"{co.record.name} partial", (partials[0], row), PARTIAL_COLUMNS
                )
            co.partial = _Template(
                self.columns["account_partial_reconcile"], partials[0], PARTIAL_COLUMNS
            )
        fulls = self.rows["account_full_reconcile"]
        if fulls:
            for row in fulls[1:]:
                self.same("full reconcile", (fulls[0], row), FULL_COLUMNS)
            w.full_template = _Template(
                self.columns["account_full_reconcile"], fulls[0], FULL_COLUMNS
            )
        exchanges = [
            move
            for move in moves.values()
            if move["journal_id"] == co.exchange_journal.id
            and len(self.lines[move["id"]]) == 2
        ]
        if len(exchanges) < 2:
            return
        what = f"{co.record.name} exchange difference"
        shape = _Shape()
        shape.move = self.template("account_move", what, exchanges[:2], ENTRY_MOVE)
        kinds = {"fix": [], "gain_loss": []}
        for move in exchanges[:2]:
            for row in self.lines[move["id"]]:
                kinds["fix" if row["sequence"] % 2 == 0 else "gain_loss"].append(row)
        for kind, rows in kinds.items():
            template, _taxes, tags = self.line(what, kind, rows)
            shape.lines[kind] = [(template, tags)]
        if any(self.followers["account.move", move["id"]] for move in exchanges):
            raise Unsupported(f"{what}: followers")
        w.shapes["exchange", co.key] = shape


def write(env, plan, companies, partners, products, progress):
    """Write the invoices, credit notes and payments of ``plan``: return
    ``({plan invoice key: account.move}, credit notes, payments)``, as the
    ORM writer's steps do."""
    writer = Writer(env, plan, companies, partners, products, progress)
    ids = writer.run()
    # one recordset, so that reading a field of one invoice reads it for
    # the others at once (Odoo's prefetching)
    moves = env["account.move"].browse(list(ids.values()))
    invoices = dict(zip(ids, moves, strict=True))
    return invoices, writer.count["credit_notes"], writer.count["payments"]
