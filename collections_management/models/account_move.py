from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "collection.commitment.source"]

    collection_last_level_id = fields.Many2one(
        "collection.policy.level",
        string="Last Reminder Level",
        compute="_compute_collection_last",
        store=True,
    )
    collection_last_date = fields.Date(
        string="Last Reminder", compute="_compute_collection_last", store=True
    )
    collection_next_level_id = fields.Many2one(
        "collection.policy.level",
        string="Next Reminder Level",
        readonly=True,
        copy=False,
    )
    collection_next_date = fields.Date(
        string="Next Reminder", readonly=True, copy=False, index="btree_not_null"
    )

    collection_expected_date = fields.Date(
        string="Expected Payment",
        readonly=True,
        copy=False,
        help="When the invoice is expected to be paid, as the company's "
        "payment-date model (or the customer's median delay) predicts it.",
    )
    collection_late_probability = fields.Float(
        string="Chance of Late Payment (%)",
        digits=(16, 2),
        readonly=True,
        copy=False,
        help="The predicted probability that the invoice is paid after its due date.",
    )
    collection_level_probability_ids = fields.One2many(
        "collection.level.probability",
        "move_id",
        string="Chance Still Unpaid per Level",
        readonly=True,
    )
    collection_level_skip_ids = fields.One2many(
        "collection.level.skip", "move_id", string="Skipped Levels", readonly=True
    )

    collection_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        related="commercial_partner_id.collector_id",
        help="The user who follows up this customer's invoices.",
    )
    collection_paused = fields.Boolean(
        string="Reminders Paused by Hand",
        copy=False,
        tracking=True,
        help="No reminder for this invoice until a user resumes them.",
    )
    collection_promise_ids = fields.Many2many(
        "collection.promise", string="Promises to Pay", copy=False
    )
    collection_dispute_ids = fields.Many2many(
        "collection.dispute", string="Disputes", copy=False
    )
    collection_plan_ids = fields.Many2many(
        "collection.payment.plan", string="Payment Plans", copy=False
    )
    collection_commitment_state = fields.Selection(
        [
            ("promise", "Promise to Pay"),
            ("dispute", "In Dispute"),
            ("plan", "Payment Plan"),
        ],
        string="Collections Status",
        compute="_compute_collection_commitment_state",
        help="What the customer committed to on this invoice.",
    )
    collection_pause_reason = fields.Char(
        string="Reminders Paused",
        compute="_compute_collection_pause_reason",
        help="Why this invoice gets no reminder.",
    )

    @api.depends("line_ids.collection_level_id", "line_ids.collection_last_date")
    def _compute_collection_last(self):
        for move in self:
            lines = move.line_ids.filtered("collection_level_id")
            top = lines.sorted(lambda line: line.collection_level_id.trigger_days)[-1:]
            move.collection_last_level_id = top.collection_level_id
            move.collection_last_date = max(
                lines.mapped("collection_last_date"), default=False
            )

    @api.depends(
        "collection_promise_ids.state",
        "collection_dispute_ids.state",
        "collection_plan_ids.state",
    )
    def _compute_collection_commitment_state(self):
        for move in self:
            if move.collection_dispute_ids.filtered("is_open"):
                move.collection_commitment_state = "dispute"
            elif move.collection_plan_ids.filtered(lambda p: p.state == "active"):
                move.collection_commitment_state = "plan"
            elif move.collection_promise_ids.filtered(lambda p: p.state == "open"):
                move.collection_commitment_state = "promise"
            else:
                move.collection_commitment_state = False

    @api.depends(
        "collection_paused",
        "commercial_partner_id",
        "collection_promise_ids.state",
        "collection_dispute_ids.state",
        "collection_dispute_ids.amount",
        "collection_plan_ids.state",
    )
    def _compute_collection_pause_reason(self):
        reasons = self._collection_pause_reasons()
        for move in self:
            move.collection_pause_reason = reasons.get(move.id, False)

    def _collection_pause_reasons(self):
        """{invoice id: why it gets no reminder} for the invoices of ``self``
        that are paused: the customer is excluded, a user paused it, an open
        promise or an active payment plan covers it, or an open dispute
        covers all it owes (or any part, when the company reminds no
        disputed invoice)."""
        reasons = {}
        excluded_label = self.env._("Customer excluded from follow-up")
        paused_label = self.env._("Paused by a user")
        disputed = self._collection_disputed_amounts()
        # the commitments are read from their side, in one search each: the
        # run asks this of every open invoice of a company at once
        disputes = self._collection_first_commitment(
            "collection.dispute", [("is_open", "=", True)]
        )
        plans = self._collection_first_commitment(
            "collection.payment.plan", [("state", "=", "active")]
        )
        promises = self._collection_first_commitment(
            "collection.promise", [("state", "=", "open")]
        )
        for company in self.company_id:
            moves = self.filtered(lambda m, c=company: m.company_id == c)
            # read the company-dependent flag for all partners at once
            excluded = set(
                moves.commercial_partner_id.with_company(company)
                .filtered("collection_excluded")
                .ids
            )
            for move in moves:
                if move.commercial_partner_id.id in excluded:
                    reasons[move.id] = excluded_label
                elif move.collection_paused:
                    reasons[move.id] = paused_label
                # (an invoice being edited in a form is a new record: its
                # commitments are those of the invoice it edits)
                elif reason := move._collection_commitment_reason(
                    disputed,
                    disputes.get(move._origin.id),
                    plans.get(move._origin.id),
                    promises.get(move._origin.id),
                ):
                    reasons[move.id] = reason
        return reasons

    def _collection_first_commitment(self, model, domain):
        """{invoice id: its first commitment of ``model`` within ``domain``}
        for the invoices of ``self``, in the commitments' order."""
        ids = set(self.ids)
        first = {}
        for commitment in self.env[model].search(
            domain + [("move_ids", "in", self.ids)]
        ):
            for move_id in commitment.move_ids.ids:
                if move_id in ids:
                    first.setdefault(move_id, commitment)
        return first

    def _collection_commitment_reason(self, disputed, dispute, plan, promise):
        self.ensure_one()
        if dispute and self._origin.id not in disputed:
            return self.env._(
                "In dispute (%(dispute)s, %(amount)s)",
                dispute=dispute.name,
                amount=format_amount(self.env, dispute.amount, dispute.currency_id),
            )
        if plan:
            return self.env._(
                "Payment plan %(plan)s: its instalments are reminded instead",
                plan=plan.name,
            )
        if promise:
            return self.env._(
                "Promise to pay %(amount)s by %(date)s",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.promise_date),
            )
        return False

    def _collection_disputed_amounts(self):
        """{invoice id: amount not to remind} for invoices of ``self`` with
        an open dispute on part of what they owe, when the company reminds
        the undisputed remainder. Several invoices in one dispute take the
        disputed amount oldest first."""
        amounts, ids = {}, set(self.ids)
        disputes = self.env["collection.dispute"].search(
            [("is_open", "=", True), ("move_ids", "in", self.ids)]
        )
        for dispute in disputes:
            if not dispute.company_id.collection_remind_undisputed:
                continue
            if (
                dispute.currency_id.compare_amounts(dispute.amount, dispute.due_amount)
                >= 0
            ):
                continue
            left = dispute.amount
            for move in dispute.move_ids.sorted(lambda m: (m.invoice_date, m.id)):
                share = min(left, move.amount_residual)
                left -= share
                if move.id in ids:
                    amounts[move.id] = amounts.get(move.id, 0.0) + share
        return amounts

    def _collection_payments(self, since=None):
        """[(date, amount)] of the payments reconciled with these invoices
        (bank lines and payments, not credit notes), dated ``since`` or
        later, in the invoices' currency."""
        lines = self.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        if not lines:
            return []
        partials = self.env["account.partial.reconcile"].search_fetch(
            [
                ("debit_move_id", "in", lines.ids),
                ("credit_move_id.move_id.move_type", "=", "entry"),
            ],
            ["credit_move_id", "debit_amount_currency"],
        )
        payments = []
        for partial in partials:
            day = partial.credit_move_id.date
            if since and day < since:
                continue
            payments.append((day, partial.debit_amount_currency))
        return payments

    def _collection_commitments_refresh(self):
        """A payment reached (or left) these invoices: promises paid in
        full are kept at once, and plans allocate it to their instalments.
        As the superuser: whoever reconciles a payment (an accountant, a
        bank synchronisation) may not follow collections, and these records
        only record the payment's effect."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice").sudo()
        if not invoices:
            return
        promises = invoices.collection_promise_ids.filtered(lambda p: p.state == "open")
        if promises:
            promises._judge(fields.Date.context_today(self), final=False)
        plans = invoices.collection_plan_ids.filtered(lambda p: p.state == "active")
        if plans:
            plans._collection_allocate()

    def _collection_scale_to(self, total):
        """Scale the lines of this draft invoice (or credit note) so that it
        totals ``total`` in its currency, taxes included."""
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        if not lines or not self.amount_total:
            return
        ratio = total / self.amount_total
        self.write(
            {
                "invoice_line_ids": [
                    (1, line.id, {"price_unit": line.price_unit * ratio})
                    for line in lines
                ]
            }
        )
        diff = total - self.amount_total
        line = lines[0]
        if not self.currency_id.is_zero(diff) and line.price_unit:
            per_unit = line.price_total / line.price_unit
            line.price_unit += diff / per_unit

    def _collection_commitment_target(self):
        """These invoices, when open, posted and of one customer."""
        invoices = self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("not_paid", "partial")
            )
        )
        if not invoices or len(invoices.commercial_partner_id) > 1:
            raise UserError(self.env._("Select open posted invoices of one customer."))
        return invoices.commercial_partner_id, invoices

    def _collection_open_records(self, field, name):
        records = self[field]
        return {
            "type": "ir.actions.act_window",
            "res_model": records._name,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "name": name,
            "context": {"create": False},
        }

    def action_view_collection_promises(self):
        return self._collection_open_records(
            "collection_promise_ids", self.env._("Promises to Pay")
        )

    def action_view_collection_disputes(self):
        return self._collection_open_records(
            "collection_dispute_ids", self.env._("Disputes")
        )

    def action_view_collection_plans(self):
        return self._collection_open_records(
            "collection_plan_ids", self.env._("Payment Plans")
        )

    # ------------------------------------------------------------------
    # Server actions
    # ------------------------------------------------------------------

    def action_collection_send_now(self):
        """Send the selected invoices' customers their next reminder today,
        without waiting for its day."""
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not invoices:
            raise UserError(self.env._("Select posted customer invoices."))
        invoices._collection_check_send_now()
        runs = self.env["collection.run"]
        for company in invoices.company_id:
            mine = invoices.filtered(lambda m, c=company: m.company_id == c)
            # sudo: a collector sends the next reminder of their own
            # customers (checked above); the run that logs it and the
            # reminders it writes belong to the company, as the cron's do.
            runs |= (
                self.env["collection.run"]
                .sudo()
                ._run_company(
                    company,
                    partners=mine.commercial_partner_id,
                    force_lines=mine.line_ids.filtered(
                        lambda line: line.account_type == "asset_receivable"
                    ),
                )
            )
        comms = runs.communication_ids
        if not comms:
            raise UserError(
                self.env._(
                    "No reminder was sent: these customers already got one today, "
                    "have nothing left to remind, or are paused."
                )
            )
        invoices._collection_plan()
        return {
            "type": "ir.actions.act_window",
            "res_model": "collection.communication",
            "view_mode": "list,form",
            "domain": [("id", "in", comms.ids)],
            "name": self.env._("Reminders Sent"),
        }

    def _collection_check_send_now(self):
        """Collectors send now only to the customers they follow (or that
        nobody follows yet); managers to any."""
        if self.env.user.has_group("collections_management.group_collections_manager"):
            return
        if not self.env.user.has_group("collections_management.group_collections_user"):
            raise AccessError(
                self.env._("Only collectors send reminders before their day.")
            )
        for move in self:
            collector = move.commercial_partner_id.with_company(
                move.company_id
            ).collector_id
            if collector and collector != self.env.user:
                raise AccessError(
                    self.env._(
                        "%(customer)s is followed by %(collector)s: ask them, or "
                        "a collections manager, to send the reminder.",
                        customer=move.commercial_partner_id.display_name,
                        collector=collector.name,
                    )
                )

    def action_collection_pause(self):
        self.collection_paused = True
        self._collection_plan()

    def action_collection_resume(self):
        self.collection_paused = False
        self._collection_plan()

    def action_collection_reset(self):
        """Start the reminders of these invoices again from the first level."""
        self.line_ids.filtered("collection_level_id").write(
            {"collection_level_id": False, "collection_last_date": False}
        )
        self._collection_plan()

    def _collection_due_lines(self):
        """Open receivable due lines of this invoice that the customer owes."""
        self.ensure_one()
        return self.line_ids.filtered(
            lambda line: (
                line.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual > 0
            )
        )

    def _collection_plan(self, today=None):
        """Store on each invoice its next reminder: level and date (today
        at the earliest), the earliest among its due lines.

        Invoices that are no longer followed (paid, cancelled, paused) lose
        their planned reminder.
        """
        today = today or fields.Date.context_today(self)
        paused = self._collection_pause_reasons()
        policies = {}
        planned = defaultdict(lambda: self.browse())
        for move in self:
            step = None
            if (
                move.move_type == "out_invoice"
                and move.state == "posted"
                and move.id not in paused
            ):
                key = (move.commercial_partner_id.id, move.company_id.id)
                if key not in policies:
                    policies[key] = move.commercial_partner_id._collection_policy(
                        move.company_id
                    )
                levels = policies[key].level_ids
                engine_levels = [level._engine_level() for level in levels]
                steps = [
                    line._collection_next_step(levels, engine_levels, today)
                    for line in move._collection_due_lines()
                ]
                steps = [step for step in steps if step]
                step = min(steps, key=lambda s: s.planned_date, default=None)
            if step:
                # A reminder whose day has passed goes with the next run.
                planned[(step.level.key, max(step.planned_date, today))] |= move
            else:
                planned[(False, False)] |= move
        for (level_id, planned_date), moves in planned.items():
            moves.write(
                {
                    "collection_next_level_id": level_id,
                    "collection_next_date": planned_date,
                }
            )

    @api.model
    def _cron_collections_plan(self):
        """Plan the next reminder of every open customer invoice of every
        company (the cron runs as the superuser)."""
        self._collections_plan_companies(self.env["res.company"].search([]))

    @api.model
    def _collections_plan_companies(self, companies, batch_size=2000):
        domain = [
            "&",
            ("move_type", "=", "out_invoice"),
            "|",
            ("collection_next_date", "!=", False),
            "&",
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        for company in companies:
            moves = self.with_company(company).search(
                domain + [("company_id", "=", company.id)], order="id"
            )
            for start in range(0, len(moves), batch_size):
                moves[start : start + batch_size]._collection_plan()
