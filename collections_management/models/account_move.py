from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine.levels import next_step


class AccountMove(models.Model):
    _inherit = "account.move"

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

    collection_paused = fields.Boolean(
        string="Reminders Paused by Hand",
        copy=False,
        tracking=True,
        help="No reminder for this invoice until a user resumes them.",
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

    def _compute_collection_pause_reason(self):
        reasons = self._collection_pause_reasons()
        for move in self:
            move.collection_pause_reason = reasons.get(move.id, False)

    def _collection_pause_reasons(self):
        """{invoice id: why it gets no reminder} for the invoices of ``self``
        that are paused. Other add-ons and features add their reasons
        (dispute, promise, payment plan)."""
        reasons = {}
        excluded_label = self.env._("Customer excluded from follow-up")
        paused_label = self.env._("Paused by a user")
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
        return reasons

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
        runs = self.env["collection.run"]
        for company in invoices.company_id:
            mine = invoices.filtered(lambda m, c=company: m.company_id == c)
            runs |= self.env["collection.run"]._run_company(
                company,
                partners=mine.commercial_partner_id,
                force_lines=mine.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ),
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
                    next_step(
                        engine_levels,
                        line.date_maturity or move.invoice_date_due,
                        today,
                        last_level_key=line.collection_level_id.id
                        if line.collection_level_id in levels
                        else None,
                        last_reminder_date=line.collection_last_date or None,
                    )
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
