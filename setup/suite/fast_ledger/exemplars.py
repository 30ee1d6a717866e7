"""The exemplar documents, made through the ORM as the ORM writer makes them.

For each shape of document (company, currency and payment term of invoices
and credit notes; company and currency of payments and of early payments),
two documents are made, posted and reconciled inside a savepoint, with the
values and calls of the ORM writer (:mod:`suite.ledger_orm`), on days of
different currency rates so that exchange differences come too. The tables
they wrote are checked against ``columns.KNOWN_TABLES``, their rows read and
the savepoint rolled back; ``shapes`` turns the rows into templates.
"""

from collections import defaultdict
from datetime import timedelta

from .. import ledger_orm
from .. import plan as planmod
from .columns import KNOWN_TABLES
from .rows import Unsupported
from .shapes import Shapes


class Exemplars(Shapes):
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
            vals.append(ledger_orm.credit_note_vals(move, share, day))
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
