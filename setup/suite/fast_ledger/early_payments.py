"""Invoices paid early on a discount term, as Odoo's payment wizard pays them.

They come after the other payments of every company, as in the ORM writer
(``generator._create_early_payments``): one wizard a company and payment
date, whose batches decide the currency and so whether the discount is
given; one payment an invoice, with the discount's lines (the discount less
its tax, the tax, and an exchange difference in a foreign currency) as
``_get_invoice_counterpart_amls_for_early_payment_discount`` makes them.
"""

from collections import defaultdict

from ..ledger_orm import BATCH
from .documents import _Aml
from .rows import Unsupported


class EarlyPayments:
    """Early payments with a discount (a ``Writer`` mixin)."""

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
