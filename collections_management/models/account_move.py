from collections import defaultdict

from odoo import api, fields, models

from ..engine.levels import next_step

OPEN_INVOICE_DOMAIN = [
    ("move_type", "=", "out_invoice"),
    ("state", "=", "posted"),
    ("payment_state", "in", ("not_paid", "partial")),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    collection_last_level_id = fields.Many2one(
        "collection.policy.level",
        string="Last Reminder Level",
        readonly=True,
        copy=False,
    )
    collection_last_date = fields.Date(
        string="Last Reminder", readonly=True, copy=False
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

    def _collection_is_followed(self):
        """Whether reminders are planned for this invoice."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in ("not_paid", "partial")
            and self.invoice_date_due
            and not self.commercial_partner_id.with_company(
                self.company_id
            ).collection_excluded
        )

    def _collection_plan(self, today=None):
        """Store on each invoice its next reminder: level and date (today
        at the earliest).

        Invoices that are no longer followed (paid, cancelled, excluded
        customer) lose their planned reminder.
        """
        today = today or fields.Date.context_today(self)
        policies = {}
        planned = defaultdict(lambda: self.browse())
        for move in self:
            step = None
            if move._collection_is_followed():
                key = (move.commercial_partner_id.id, move.company_id.id)
                if key not in policies:
                    policies[key] = move.commercial_partner_id._collection_policy(
                        move.company_id
                    )
                levels = policies[key].level_ids
                last = move.collection_last_level_id
                step = next_step(
                    [level._engine_level() for level in levels],
                    move.invoice_date_due,
                    today,
                    last_level_key=last.id if last in levels else None,
                    last_reminder_date=move.collection_last_date or None,
                )
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
