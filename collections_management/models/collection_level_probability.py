from odoo import fields, models


class CollectionLevelProbability(models.Model):
    """The predicted chance that an open invoice is still unpaid on the day
    of each level of its dunning policy. Rewritten for every open invoice
    each time the predictions are refreshed."""

    _name = "collection.level.probability"
    _description = "Chance of Reaching a Dunning Level"
    _order = "move_id, days_after_due, id"
    _rec_name = "level_id"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    level_id = fields.Many2one(
        "collection.policy.level",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    days_after_due = fields.Integer(
        string="Days After Due Date",
        readonly=True,
        help="The level's day, counted from the invoice's due date.",
    )
    probability = fields.Float(
        string="Chance Still Unpaid (%)",
        digits=(16, 1),
        readonly=True,
        help="The predicted chance that the invoice is not paid when this "
        "level comes, as of the last prediction.",
    )
    predicted_on = fields.Date(readonly=True)
