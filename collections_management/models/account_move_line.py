from odoo import fields, models

from ..engine.levels import next_step


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Reminders follow each receivable due line, so that an invoice paid in
    # instalments is followed on each instalment's due date.
    collection_level_id = fields.Many2one(
        "collection.policy.level",
        string="Reminder Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    collection_last_date = fields.Date(
        string="Last Reminder", readonly=True, copy=False
    )

    def _collection_next_step(self, levels, engine_levels, today):
        """The next reminder of this due line under the policy ``levels``
        (``engine_levels``: the same, as the engine reads them), as a
        ``levels.Step`` (level and planned date), or None when no reminder
        is due any more. Another add-on overrides it to change the level
        step (skip a level for a kind of customer, wait longer...)."""
        self.ensure_one()
        return next_step(
            engine_levels,
            self.date_maturity or self.move_id.invoice_date_due,
            today,
            last_level_key=self.collection_level_id.id
            if self.collection_level_id in levels
            else None,
            last_reminder_date=self.collection_last_date or None,
        )
