"""The final write: the rows that waited for reconciliation, then COPY.

Once everything is reconciled, each move's row gets its totals, residuals
and payment state, each waiting journal item its residuals, full reconcile
and matching number, each payment its row, and the partials and full
reconciles theirs; the queued rows of every table are then copied in
``columns.TABLES``' order, the tables analysed, and the two updates COPY
cannot do are run (a payment's move points to its payment; the customers'
``customer_rank``).
"""

from .columns import MOVE_TYPES, TABLES, UNRECONCILED


class FinalWrite:
    """Rows of moves, journal items, payments and partials, then COPY (a
    ``Writer`` mixin)."""

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
