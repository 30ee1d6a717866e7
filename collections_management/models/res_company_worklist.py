from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import worklist

DEFAULTS = worklist.Weights()


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_weight_amount = fields.Float(
        string="Weight of the Amount Overdue", default=DEFAULTS.amount
    )
    collection_weight_days = fields.Float(
        string="Weight of the Days Overdue", default=DEFAULTS.days
    )
    collection_weight_risk = fields.Float(
        string="Weight of the Customer Risk", default=DEFAULTS.risk
    )
    collection_weight_broken = fields.Float(
        string="Weight of Broken Promises", default=DEFAULTS.broken_promises
    )
    collection_weight_late = fields.Float(
        string="Weight of the Late-Payment Probability",
        default=DEFAULTS.late_probability,
    )
    collection_weight_amount_scale = fields.Monetary(
        string="Amount Overdue Counting Half",
        currency_field="currency_id",
        default=DEFAULTS.amount_scale,
        help="The amount overdue that gives half of the amount's weight.",
    )

    def _collection_worklist_weights(self):
        self.ensure_one()
        return worklist.Weights(
            amount=self.collection_weight_amount,
            days=self.collection_weight_days,
            risk=self.collection_weight_risk,
            broken_promises=self.collection_weight_broken,
            late_probability=self.collection_weight_late,
            amount_scale=self.collection_weight_amount_scale,
        )

    @api.constrains(
        "collection_weight_amount",
        "collection_weight_days",
        "collection_weight_risk",
        "collection_weight_broken",
        "collection_weight_late",
        "collection_weight_amount_scale",
    )
    def _check_collection_weights(self):
        for company in self:
            weights = company._collection_worklist_weights()
            if min(
                weights.amount,
                weights.days,
                weights.risk,
                weights.broken_promises,
                weights.late_probability,
            ) < 0 or not any(
                (
                    weights.amount,
                    weights.days,
                    weights.risk,
                    weights.broken_promises,
                    weights.late_probability,
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Worklist weights of %(company)s: no weight may be "
                        "negative, and at least one must be above 0.",
                        company=company.name,
                    )
                )
            if weights.amount_scale <= 0:
                raise ValidationError(
                    self.env._(
                        "Worklist weights of %(company)s: the amount overdue "
                        "counting half must be above 0.",
                        company=company.name,
                    )
                )
