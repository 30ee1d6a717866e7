from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CollectionDisputeReason(models.Model):
    _name = "collection.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to offer the reason in every company."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        domain="[('share', '=', False)]",
        help="Who investigates disputes of this reason; the customer's "
        "collector when empty.",
    )
    sla_days = fields.Integer(
        string="Deadline (days)",
        default=10,
        help="Days to settle a dispute of this reason; past them, its owner "
        "gets a task.",
    )

    @api.constrains("sla_days")
    def _check_sla_days(self):
        if self.filtered(lambda reason: reason.sla_days < 1):
            raise ValidationError(
                self.env._("A dispute deadline must be at least one day.")
            )
