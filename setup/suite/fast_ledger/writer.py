"""The writer: its state, the preparation, numbering, the run; ``write``.

``Writer`` gathers the mixins of the other modules in one object. It reads
once what the documents need of the companies (their sale tax must be one
this package mirrors, their journals numbered in Odoo's default format) and
of the customers (fiscal position, bank account, payment term, language),
groups the payments as the ORM writer does, makes the exemplars, then writes
invoices, credit notes, payments and early payments in the ORM writer's
order, and flushes.
"""

import re
from collections import defaultdict

from odoo import fields

from .amounts import Amounts, _Cur
from .documents import _Company, _Move
from .early_payments import EarlyPayments
from .exchange import ExchangeDifferences
from .exemplars import Exemplars
from .flush import FinalWrite
from .invoices import Invoices
from .payments import Payments
from .reconcile import Reconciliation
from .rows import RowWriter, Unsupported


class Writer(
    RowWriter,
    Amounts,
    Invoices,
    Payments,
    EarlyPayments,
    Reconciliation,
    ExchangeDifferences,
    FinalWrite,
):
    """Write a plan's ledger (see the package's docstring); ``run`` returns
    {plan invoice key: account.move id}."""

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

    def cur(self, record):
        if record.id not in self.curs:
            self.curs[record.id] = _Cur(record)
        return self.curs[record.id]

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
