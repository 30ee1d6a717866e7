"""Exchange difference entries, as reconciliation makes them.

When a reconciliation in a foreign currency leaves a residual in the
company's currency (or the other way round), Odoo posts an entry in the
company's exchange journal that fixes the line and books the gain or loss
(``_prepare_exchange_difference_move_vals``,
``_create_exchange_difference_moves``), dated as the journal's
``accounting_date`` gives it, and reconciles it with the line it fixes.
"""

from odoo.tools import (
    date_utils,
)

from .documents import _Aml
from .rows import Unsupported


class ExchangeDifferences:
    """Exchange difference entries (a ``Writer`` mixin)."""

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
