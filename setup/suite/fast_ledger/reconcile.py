"""Reconciliation, as ``account.move.line._reconcile_plan`` does it.

A batch of reconciliation plans is planned into partials the way
``_prepare_reconciliation_amls`` and
``_prepare_reconciliation_single_partial`` do (with the residual amounts
``_compute_amount_residual`` recomputes), the exchange differences they
need are made (``exchange``), then lines fully matched get a full
reconcile, and each group of lines matched together its matching number
(``_update_matching_number``). Cases Odoo handles but the plan never
produces raise ``Unsupported``.
"""

from decimal import Decimal

from .documents import _Partial, _Values
from .rows import Unsupported


class Reconciliation:
    """Partials, full reconciles and matching numbers (a ``Writer`` mixin:
    it appends to ``partials`` and ``fulls``)."""

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
