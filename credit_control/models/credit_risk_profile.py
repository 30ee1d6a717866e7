from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CreditRiskProfile(models.Model):
    _name = "credit.risk.profile"
    _description = "Credit Risk Profile"
    _inherit = ["mail.thread"]
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_limit = fields.Monetary(
        string="Default Credit Limit",
        currency_field="currency_id",
        tracking=True,
        help="Credit limit of the customers of this profile who have no limit "
        "of their own, in the company's currency.",
    )
    hold_over_limit = fields.Boolean(
        string="Hold Orders over the Limit",
        default=True,
        tracking=True,
        help="On: an order that takes a customer of this profile over its "
        "credit limit (its own, else the profile's) waits for a credit release. "
        "Off: going over the limit is a warning only, as Odoo's Sales Credit "
        "Limit.",
    )
    max_overdue_days = fields.Integer(
        string="Longest Overdue Tolerated",
        tracking=True,
        help="Days past the due date after which an unpaid invoice puts the "
        "customer on credit hold.",
    )
    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Dunning Policy",
        check_company=True,
        tracking=True,
        help="The dunning policy that customers of this profile follow.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Default Payment Terms",
        check_company=True,
    )
    review_interval_days = fields.Integer(
        string="Review Every (Days)",
        default=365,
        help="How often the credit of a customer of this profile is reviewed.",
    )
    score_band = fields.Selection(
        [
            ("low", "Low Risk"),
            ("medium", "Medium Risk"),
            ("high", "High Risk"),
            ("blocked", "Blocked"),
        ],
        help="Customers whose risk score falls in this band get this profile at "
        "their credit review.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count")

    @api.constrains("credit_limit", "max_overdue_days", "review_interval_days")
    def _check_figures(self):
        for profile in self:
            if profile.credit_limit < 0 or profile.max_overdue_days < 0:
                raise ValidationError(
                    self.env._(
                        "Profile %(profile)s: the credit limit and the longest "
                        "overdue tolerated cannot be negative.",
                        profile=profile.name,
                    )
                )
            if profile.review_interval_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Profile %(profile)s: the review interval must be at "
                        "least one day.",
                        profile=profile.name,
                    )
                )

    def _compute_partner_count(self):
        counts = {}
        for profile in self:
            partners = self.env["res.partner"].with_company(profile.company_id)
            counts[profile.id] = partners.search_count(
                [("credit_risk_profile_id", "=", profile.id)]
            )
        for profile in self:
            profile.partner_count = counts[profile.id]

    def action_view_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers of %(profile)s", profile=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("credit_risk_profile_id", "=", self.id)],
            "context": {"allowed_company_ids": self.company_id.ids},
        }
