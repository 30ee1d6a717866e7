import logging
from collections import defaultdict

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base.models.res_bank import sanitize_account_number

from ..engine import learning, matching

_logger = logging.getLogger(__name__)

# Lines matched between two commits of the cron: a crash loses at most this
# much work, and the next run takes the lines still "to match".
CRON_BATCH = 200
# Lines reconciled in one pass of the ORM (one creation of their entries'
# lines, one reconciliation).
RUN_CHUNK = 100
# the states of a line that a match was applied to (undone by Undo)
MATCHED_STATES = ("auto", "accepted", "manual")


class AccountBankStatementLine(models.Model):
    _inherit = "account.bank.statement.line"

    cash_match_state = fields.Selection(
        [
            ("new", "To match"),
            ("review", "To review"),
            ("auto", "Matched automatically"),
            ("accepted", "Matched on review"),
            ("manual", "Matched by hand"),
        ],
        string="Matching",
        default="new",
        index=True,
        copy=False,
    )
    cash_match_proposal_ids = fields.One2many(
        "cash.match.proposal", "statement_line_id", string="Proposals"
    )
    cash_match_top_ids = fields.One2many(
        "cash.match.proposal",
        compute="_compute_cash_match_top_ids",
        string="Best Proposals",
    )
    cash_match_confidence = fields.Float(
        string="Confidence",
        digits=(16, 4),
        copy=False,
        help="Confidence of the best proposal.",
    )
    cash_match_date = fields.Datetime(string="Matched On", copy=False)
    cash_match_message = fields.Char(
        string="Matching Problem",
        copy=False,
        help="Why the best proposal could not be applied automatically.",
    )
    cash_match_partner_set = fields.Boolean(
        string="Customer Found by the Matching",
        copy=False,
        help="The transaction had no customer; the match gave it one, which "
        "undoing the match takes away again.",
    )

    @api.depends("cash_match_proposal_ids.state", "cash_match_proposal_ids.rank")
    def _compute_cash_match_top_ids(self):
        for line in self:
            line.cash_match_top_ids = line.cash_match_proposal_ids.filtered(
                lambda p: p.state == "proposed"
            ).sorted("rank")[:3]

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if any(line.amount > 0 for line in lines):
            # "after each import": the cron takes the new lines at once
            self.env.ref("cash_matching.ir_cron_cash_match")._trigger()
        return lines

    # ------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------

    def action_cash_match(self):
        """Match the selected transactions now (those not reconciled yet)."""
        lines = self.filtered(
            lambda line: (
                not line.is_reconciled
                and line.amount > 0
                and line.cash_match_state not in MATCHED_STATES
            )
        )
        if not lines:
            raise UserError(
                self.env._(
                    "Nothing to match: the selected transactions are matched "
                    "already or are outgoing payments."
                )
            )
        counts = self._cash_match_run(lines)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(auto)s reconciled automatically, %(review)s to review.",
                    auto=counts["auto"],
                    review=counts["review"],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_cash_match_manual(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Match by Hand"),
            "res_model": "cash.match.manual",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_statement_line_id": self.id,
                "default_partner_id": self.partner_id.commercial_partner_id.id
                or self.cash_match_top_ids[:1].partner_id.id,
            },
        }

    def action_undo_reconciliation(self):
        # EXTENDS account: an undone match was wrong; its proposal is
        # remembered as rejected (learning) and the line waits for review.
        matched = self.filtered(lambda line: line.cash_match_state in MATCHED_STATES)
        accepted = matched.cash_match_proposal_ids.filtered(
            lambda p: p.state == "accepted"
        )
        res = super().action_undo_reconciliation()
        accepted._cash_match_decide("rejected", "user")
        matched.write(
            {
                "cash_match_state": "review",
                "cash_match_date": False,
                "cash_match_message": False,
            }
        )
        # the customer the match gave the transaction goes with it (Odoo
        # moves it from the statement line to its entry)
        self.filtered("cash_match_partner_set").write(
            {"partner_id": False, "cash_match_partner_set": False}
        )
        return res

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    @api.model
    def _cron_cash_match(self, commit=True):
        # The open items are read once per run, not once per batch (1.3 to
        # 1.9 s per company of the benchmark; 2,000 lines in batches of 200:
        # 104.8 s instead of 111.8 s). Each batch takes its matches out of
        # them; a proposal whose items were paid or changed meanwhile is
        # refused when it is applied (``_cash_match_counterparts``).
        matchers = {}
        while True:
            lines = self.search(
                [
                    ("cash_match_state", "=", "new"),
                    ("is_reconciled", "=", False),
                    ("amount", ">", 0),
                ],
                limit=CRON_BATCH,
                order="id",
            )
            if not lines:
                return
            lines = lines.with_context(cash_match_company_lang=True)
            lines._cash_match_run(lines, matchers)
            # A crash loses at most this batch; finished lines are no longer
            # "to match", so the next run neither repeats nor skips any.
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _cash_match_run(self, lines, matchers=None):
        """Propose matches for ``lines`` and reconcile those whose best
        proposal reaches their company's threshold. Returns counts.

        ``matchers`` ({company id: engine}) keeps the engines of an earlier
        call of the same run, with the items already taken out of them."""
        matchers = {} if matchers is None else matchers
        counts = defaultdict(int)
        for company, company_lines in lines.grouped("company_id").items():
            # In the company's own environment. Odoo's accounting switches to
            # each entry's company (``with_company``) while it rewrites the
            # context of every live environment (``_disable_recursion``):
            # away from the company, each line left new environments behind,
            # and each ``with_context`` scans them all. The run slowed down
            # line after line: 8.5 lines/s over 2,000 lines, 20.7 in the
            # company (``setup/bench matching``).
            company_lines = company_lines.with_company(company)
            if lines.env.context.get("cash_match_company_lang"):
                # the cron's problems are read later by the company's
                # bookkeepers: in the company's language, not the cron user's
                company_lines = company_lines.with_context(
                    lang=company.partner_id.lang or company_lines.env.lang
                )
            if company.id not in matchers:
                matchers[company.id] = self._cash_match_matcher(company)
            matcher = matchers[company.id]
            threshold = company.cash_match_auto_threshold
            for start in range(0, len(company_lines), RUN_CHUNK):
                chunk = company_lines[start : start + RUN_CHUNK]
                for state, count in chunk._cash_match_chunk(matcher, threshold).items():
                    counts[state] += count
        return counts

    def _cash_match_chunk(self, matcher, threshold):
        """Store the proposals of the lines of ``self`` (one company) and
        reconcile together those whose best proposal reaches ``threshold``.
        Returns counts per state."""
        self.cash_match_proposal_ids.filtered(lambda p: p.state == "proposed").unlink()
        values = []
        confident = set()
        for line in self:
            try:
                proposals = matcher.match(line._cash_match_bank_line(), limit=3)
            except Exception as error:  # noqa: BLE001 (pure Python, no database)
                # a malformed line waits for review; it never stops the run:
                # stopped, the next runs would start from it again
                _logger.warning(
                    "cash matching of line %s failed: %s",
                    line.id,
                    error,
                    exc_info=not isinstance(error, ValueError | ArithmeticError),
                )
                line.write(
                    {
                        "cash_match_state": "review",
                        "cash_match_confidence": 0.0,
                        "cash_match_message": self.env._(
                            "The matching failed on this transaction: %(error)s",
                            error=error,
                        ),
                    }
                )
                continue
            values += [
                line._cash_match_proposal_values(p, rank)
                for rank, p in enumerate(proposals, 1)
            ]
            line.write(
                {
                    "cash_match_state": "review",
                    "cash_match_confidence": (
                        proposals[0].confidence if proposals else 0.0
                    ),
                    "cash_match_message": False,
                }
            )
            if proposals and proposals[0].confidence >= threshold:
                confident.add(line.id)
                # taken by this line: the next lines look elsewhere
                matcher.remove([item for item, _amount in proposals[0].allocations])
        proposals = self.env["cash.match.proposal"].create(values)
        pairs = [
            (proposal.statement_line_id, proposal)
            for proposal in proposals
            if proposal.rank == 1 and proposal.statement_line_id.id in confident
        ]
        done = self._cash_match_apply_together(pairs, by="auto")
        # the items of a line that could not be reconciled are open again for
        # the next lines of the run, unless they changed meanwhile
        failed = self.env["cash.match.proposal"].union(
            *(proposal for line, proposal in pairs if line not in done)
        )
        matcher.restore(
            {
                item.id: item.amount_residual_currency
                for item in failed.move_line_ids
                if not item.reconciled
            }
        )
        return {"auto": len(done), "review": len(self) - len(done)}

    def _cash_match_apply_together(self, pairs, by):
        """Apply the ``(line, proposal)`` pairs in one pass of the ORM; when
        that pass fails, apply them one by one so that a failure only keeps
        its own line in review (with the reason). Returns the lines
        reconciled."""
        if not pairs:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                self._cash_match_apply_pairs(pairs, by)
            return self.browse([line.id for line, _proposal in pairs])
        except psycopg2.Error:
            # the database refused (a lock, a concurrent change): the whole
            # batch is rolled back and taken again by the next run
            raise
        except Exception as error:  # noqa: BLE001 (undone by the savepoint)
            if len(pairs) == 1:
                line = pairs[0][0]
                if isinstance(error, UserError):  # ValidationError too
                    line.cash_match_message = str(error)
                else:
                    # unexpected: kept in review rather than stopping every
                    # later run on this line
                    _logger.exception("cash matching could not reconcile %s", line)
                    line.cash_match_message = self.env._(
                        "The reconciliation failed: %(error)s", error=error
                    )
                return self.browse()
        done = self.browse()
        for pair in pairs:
            done |= self._cash_match_apply_together([pair], by)
        return done

    def _cash_match_proposal_values(self, proposal, rank):
        return {
            "statement_line_id": self.id,
            "rank": rank,
            "partner_id": proposal.partner_id,
            "move_line_ids": [Command.set([item for item, _a in proposal.allocations])],
            "allocation": {str(item): amount for item, amount in proposal.allocations},
            "confidence": proposal.confidence,
            "kind": proposal.kind,
            "difference": proposal.difference,
            "signals": [
                [
                    signal.code,
                    signal.strength,
                    self.env["cash.match.proposal"]._cash_match_stored_params(
                        signal.params
                    ),
                ]
                for signal in proposal.signals
            ],
            "features": learning.features(proposal),
        }

    def _cash_match_bank_line(self):
        self.ensure_one()
        currency = self.foreign_currency_id or self.currency_id
        amount = self.amount_currency if self.foreign_currency_id else self.amount
        communication = " ".join(filter(None, [self.payment_ref, self.ref]))
        return matching.BankLine(
            id=self.id,
            amount=amount,
            currency=currency.name,
            date=self.date,
            payer_name=self.partner_name or self.partner_id.name or "",
            payer_iban=sanitize_account_number(
                self.account_number or self.partner_bank_id.acc_number or ""
            )
            or "",
            communication=communication,
            structured_ref=self.ref or "",
            partner_id=self.partner_id.commercial_partner_id.id or None,
        )

    @api.model
    def _cash_match_matcher(self, company):
        """The engine, loaded with the open receivable items of ``company``,
        their customers and bank accounts, and the company's tolerances and
        learned weights."""
        items, partners = self._cash_match_book(company)
        return matching.Matcher(
            items,
            partners,
            company_currency=company.currency_id.name,
            rate=self._cash_match_rate_function(company),
            writeoff_abs=company.cash_match_writeoff_amount,
            writeoff_rel=company.cash_match_writeoff_percent / 100,
            weights=company.cash_match_weights or None,
        )

    @api.model
    def _cash_match_book(self, company):
        """The open receivable items of ``company`` and their customers, as
        the engine reads them (two queries)."""
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT l.id, COALESCE(p.commercial_partner_id, l.partner_id),
                       m.name, c.name, l.amount_residual_currency,
                       l.amount_residual, COALESCE(m.invoice_date, l.date),
                       l.date_maturity, m.payment_reference, m.ref,
                       m.invoice_origin, l.discount_amount_currency,
                       l.discount_date, l.amount_currency
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN account_account a ON a.id = l.account_id
                  JOIN res_currency c ON c.id = l.currency_id
             LEFT JOIN res_partner p ON p.id = l.partner_id
                 WHERE l.company_id = %(company)s
                   AND l.parent_state = 'posted'
                   AND a.account_type = 'asset_receivable'
                   AND NOT l.reconciled
                   AND l.amount_residual_currency != 0
                   AND l.partner_id IS NOT NULL
                """,
                company=company.id,
            )
        )
        items = []
        for (
            line_id, partner_id, name, currency, residual, residual_company,
            doc_date, due_date, payment_reference, ref, origin,
            discount_amount, discount_date, amount_currency,
        ) in self.env.cr.fetchall():  # fmt: skip
            references = tuple(
                ref
                for ref in (
                    payment_reference,
                    ref,
                    *(origin or "").split(","),
                )
                if ref and ref.strip() and ref.strip() != name
            )
            # the discount only settles an item still open for its full amount
            discounted = (
                discount_date and discount_amount and residual == amount_currency
            )
            items.append(
                matching.OpenItem(
                    id=line_id,
                    partner_id=partner_id,
                    move_name=name,
                    currency=currency,
                    residual=residual,
                    residual_company=residual_company,
                    date=doc_date,
                    due_date=due_date,
                    references=tuple(r.strip() for r in references),
                    discount_amount=discount_amount if discounted else None,
                    discount_date=discount_date if discounted else None,
                )
            )
        partner_ids = list({item.partner_id for item in items})
        partners = []
        if partner_ids:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT p.id, p.name,
                           ARRAY_REMOVE(ARRAY_AGG(b.sanitized_acc_number), NULL)
                      FROM res_partner p
                 LEFT JOIN res_partner child ON child.commercial_partner_id = p.id
                 LEFT JOIN res_partner_bank b
                        ON b.partner_id = child.id AND b.active
                     WHERE p.id = ANY(%(ids)s)
                  GROUP BY p.id, p.name
                    """,
                    ids=partner_ids,
                )
            )
            partners = [
                matching.Partner(id=pid, name=name or "", ibans=tuple(set(ibans)))
                for pid, name, ibans in self.env.cr.fetchall()
            ]
        return items, partners

    @api.model
    def _cash_match_rate_function(self, company):
        currencies = {}
        cache = {}

        def rate(from_code, to_code, day):
            key = (from_code, to_code, day)
            if key not in cache:
                for code in (from_code, to_code):
                    if code not in currencies:
                        currencies[code] = (
                            self.env["res.currency"]
                            .with_context(active_test=False)
                            .search([("name", "=", code)], limit=1)
                        )
                cache[key] = self.env["res.currency"]._get_conversion_rate(
                    currencies[from_code], currencies[to_code], company, day
                )
            return cache[key]

        return rate

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------

    def _cash_match_apply(self, proposal, by):
        """Replace the suspense line of this transaction by receivable lines
        paying the proposal's items (and a write-off line for a discount or
        a small difference), reconcile them with the items, and remember the
        decision."""
        self.ensure_one()
        self._cash_match_apply_pairs([(self, proposal)], by)

    @api.model
    def _cash_match_apply_pairs(self, pairs, by):
        """``_cash_match_apply`` of several ``(line, proposal)`` pairs at
        once: the suspense lines of all the entries removed, their
        counterparts created and reconciled in one call each."""
        suspense_lines = self.env["account.move.line"]
        partners = defaultdict(lambda: self.env["account.move.line"])
        partner_found = self.browse()
        line_values = []
        plans = []
        for line, proposal in pairs:
            liquidity, suspense, counterparts, items = line._cash_match_counterparts(
                proposal
            )
            suspense_lines |= suspense
            if not line.partner_id and proposal.partner_id:
                # the statement line and its entry take the liquidity line's
                # partner (Odoo's ``_synchronize_from_moves``)
                partners[proposal.partner_id] |= liquidity
                partner_found |= line
            move = line.move_id.id
            line_values += [dict(vals, move_id=move) for vals in counterparts]
            plans.append((len(counterparts), items))
        moves = suspense_lines.move_id
        # as Odoo's own statement line writes: the entries are posted
        unchecked = {"check_move_validity": False, "skip_readonly_check": True}
        suspense_lines.with_context(**unchecked, force_delete=True).unlink()
        for partner, liquidity in partners.items():
            # the statement lines follow when the counterparts are created
            liquidity.with_context(
                **unchecked, skip_account_move_synchronization=True
            ).partner_id = partner
        created = (
            self.env["account.move.line"].with_context(**unchecked).create(line_values)
        )
        # what ``check_move_validity=False`` postponed: every entry balanced
        with moves._check_balanced({"records": moves}):
            pass
        # each item reconciled with the counterpart made for it (the first
        # ones of its entry; a write-off line comes after them)
        together, alone = [], []
        start = 0
        for count, items in plans:
            made = created[start : start + len(items)]
            for counterpart, item in zip(made, items, strict=True):
                if item.currency_id == item.company_currency_id:
                    together.append(counterpart | item)
                else:
                    alone.append(counterpart | item)
            start += count
        # Odoo gives the n-th exchange difference of a call to the n-th
        # partial of that call, not to the partial that made it
        # (``_reconcile_plan_with_sync``): in a batch, one payment's
        # difference landed on another's partial, and undoing that other
        # payment reversed it. Only a foreign currency makes a difference;
        # such a pair is reconciled on its own.
        move_lines = self.env["account.move.line"]
        if together:
            move_lines._reconcile_plan(together)
        for pair in alone:
            move_lines._reconcile_plan([pair])
        lines = self.browse([line.id for line, _proposal in pairs])
        proposals = self.env["cash.match.proposal"].union(
            *(proposal for _line, proposal in pairs)
        )
        proposals._cash_match_decide("accepted", by)
        if self.env.context.get("cash_match_manual"):
            state = "manual"
        else:
            state = "auto" if by == "auto" else "accepted"
        lines.write(
            {
                "cash_match_state": state,
                "cash_match_date": fields.Datetime.now(),
                "cash_match_message": False,
            }
        )
        partner_found.cash_match_partner_set = True

    def _cash_match_counterparts(self, proposal):
        """The lines of this transaction's entry (liquidity, suspense) and
        the values of the lines replacing its suspense line for
        ``proposal``: one per item paid (oldest first, in the order of the
        returned items), then any write-off. Raises when the proposal can no
        longer be applied."""
        self.ensure_one()
        _ = self.env._
        if self.is_reconciled:
            raise UserError(
                _("%(line)s is already reconciled.", line=self.display_name)
            )
        items = proposal.move_line_ids
        allocation = {
            int(key): value for key, value in (proposal.allocation or {}).items()
        }
        paid = items.filtered("reconciled")
        if paid:
            raise UserError(
                _(
                    "%(documents)s was paid meanwhile: run the matching again.",
                    documents=", ".join(paid.move_id.mapped("name")),
                )
            )

        def changed(item):
            # the proposal settles what was open when it was made: the whole
            # residual, or a part of it for a partial payment
            residual = item.amount_residual_currency
            applied = allocation.get(item.id, residual)
            if proposal.kind == "partial":
                return item.currency_id.compare_amounts(abs(applied), abs(residual)) > 0
            return not item.currency_id.is_zero(applied - residual)

        changed_items = items.filtered(changed)
        if changed_items:
            raise UserError(
                _(
                    "%(documents)s was partly paid or credited meanwhile: run "
                    "the matching again.",
                    documents=", ".join(changed_items.move_id.mapped("name")),
                )
            )
        liquidity, suspense, other = self._seek_for_lines()
        if other or len(suspense) != 1:
            raise UserError(
                _(
                    "%(line)s is already partly reconciled: undo it first.",
                    line=self.display_name,
                )
            )
        company = self.company_id
        currency = company.currency_id
        company_amount = sum(liquidity.mapped("balance"))
        transaction_amount = -suspense.amount_currency
        transaction_currency = suspense.currency_id
        counterparts = []
        ordered = items.sorted(lambda line: (line.date, line.id))
        for item in ordered:
            applied = allocation.get(item.id, item.amount_residual_currency)
            if item.currency_id == transaction_currency and transaction_amount:
                # at the bank's own rate
                balance = currency.round(company_amount * applied / transaction_amount)
            elif item.currency_id == currency:
                balance = applied
            else:
                balance = item.currency_id._convert(
                    applied, currency, company, self.date
                )
            counterparts.append(
                {
                    "name": item.move_id.name,
                    "account_id": item.account_id.id,
                    "partner_id": item.partner_id.id,
                    "currency_id": item.currency_id.id,
                    "amount_currency": -applied,
                    "balance": -balance,
                }
            )
        remaining = currency.round(
            company_amount + sum(vals["balance"] for vals in counterparts)
        )
        extra = []
        if not currency.is_zero(remaining):
            if proposal.kind in ("discount", "writeoff"):
                account = (
                    company.account_journal_early_pay_discount_loss_account_id
                    if proposal.kind == "discount" and remaining < 0
                    else company._cash_match_writeoff_account()
                )
                if not account:
                    raise UserError(
                        _(
                            "Set a write-off account in the cash matching "
                            "settings of %(company)s to write off differences.",
                            company=company.name,
                        )
                    )
                label = (
                    _("Early payment discount")
                    if proposal.kind == "discount"
                    else _("Payment difference")
                )
                extra.append((account, label))
            elif proposal.kind == "full" and counterparts:
                # a conversion difference: the reconciliation books it as an
                # exchange difference
                counterparts[-1]["balance"] -= remaining
                remaining = 0.0
            else:
                extra.append((self.journal_id.suspense_account_id, self.payment_ref))
        for account, label in extra:
            counterparts.append(
                {
                    "name": label,
                    "account_id": account.id,
                    "partner_id": proposal.partner_id.id,
                    "currency_id": currency.id,
                    "amount_currency": -remaining,
                    "balance": -remaining,
                }
            )
        return liquidity, suspense, counterparts, ordered
