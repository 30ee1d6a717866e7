from odoo import fields, models


class CollectionLevelSkip(models.Model):
    """A dunning level not sent for an invoice because the payment-date
    prediction expected it paid before the next level ("no action needed").
    Written by the collections run; read to see why a customer got nothing."""

    _name = "collection.level.skip"
    _description = "Skipped Dunning Level"
    _order = "date desc, id desc"
    _rec_name = "move_id"
    _check_company_auto = True

    run_id = fields.Many2one(
        "collection.run", ondelete="set null", index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    date = fields.Date(required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    move_line_id = fields.Many2one(
        "account.move.line", string="Due Line", ondelete="cascade", readonly=True
    )
    date_maturity = fields.Date(string="Due Date", readonly=True)
    level_id = fields.Many2one(
        "collection.policy.level",
        string="Skipped Level",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    next_level_id = fields.Many2one(
        "collection.policy.level",
        ondelete="set null",
        readonly=True,
    )
    probability = fields.Float(
        string="Chance Paid Before Next Level (%)",
        digits=(16, 1),
        readonly=True,
        help="The predicted chance, on the day of the run, that the invoice is "
        "paid before the next level's day.",
    )
    threshold = fields.Float(
        string="Policy Threshold (%)",
        digits=(16, 1),
        readonly=True,
        help="The policy's chance from which no action is needed, that day.",
    )
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount_residual = fields.Monetary(
        related="move_id.amount_residual", string="Amount Due"
    )
    payment_state = fields.Selection(related="move_id.payment_state")
