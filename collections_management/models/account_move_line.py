from odoo import fields, models


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
