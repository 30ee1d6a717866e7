"""The payments of the plan's payment groups.

One payment per group of invoices paid at once (in full, or a share of
them), in batches of ``BATCH`` per company: named, then reconciled with its
invoices' open receivable lines as one ``_reconcile_plan`` call of the ORM
writer. ``post_payments`` serves the early payments too.
"""

from ..ledger_orm import BATCH
from .documents import _Aml


class Payments:
    """Payments of payment groups (a ``Writer`` mixin)."""

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
