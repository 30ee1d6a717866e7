"""Invoices and credit notes, in the ORM writer's batches and order.

An invoice's amounts come from ``amounts``; it is named with its batch
(``Writer.number``), then its product and tax lines are queued at once,
while its receivable lines wait for reconciliation. Credit notes are made
per company in one batch, each reconciled with its invoice as ``_post``
does, then what is left as the ORM writer's own call does.
"""

from datetime import timedelta

from odoo.tools import (
    float_repr,
    float_round,
)

from ..ledger_orm import BATCH
from .documents import _Aml
from .rows import Unsupported


class Invoices:
    """Invoices and credit notes (a ``Writer`` mixin)."""

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
