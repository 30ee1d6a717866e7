from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_include_draft_invoices = fields.Boolean(
        string="Count Draft Invoices in Exposure",
        default=True,
        help="A customer's exposure includes its draft invoices.",
    )
    credit_hold_over_limit = fields.Boolean(
        string="Hold Orders over Odoo's Credit Limit",
        default=False,
        help="On: an order that takes a customer over the credit limit set on "
        "its form (Odoo's Sales Credit Limit) waits for a credit release, "
        "whatever its risk profile. Off: that limit is a warning, as in Odoo; "
        "the customers of a risk profile that holds orders are held all the "
        "same.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._credit_ensure_default_profiles()
        return companies

    def _credit_ensure_default_profiles(self):
        """Create the shipped Low / Medium / High / Blocked profiles for
        companies that have none."""
        profiles = (
            self.env["credit.risk.profile"].sudo().with_context(active_test=False)
        )
        for company in self:
            if profiles.search_count([("company_id", "=", company.id)]):
                continue
            company._collections_create_translated(
                "credit.risk.profile",
                lambda env, company=company: [
                    {
                        "company_id": company.id,
                        "sequence": index,
                        "name": name,
                        "credit_limit": limit,
                        "max_overdue_days": overdue,
                        "review_interval_days": review,
                        "color": color,
                        "score_band": band,
                    }
                    for index, (name, limit, overdue, review, color, band) in enumerate(
                        [
                            (env._("Low"), 50000, 30, 365, 10, "low"),
                            (env._("Medium"), 20000, 15, 180, 3, "medium"),
                            (env._("High"), 5000, 0, 90, 2, "high"),
                            (env._("Blocked"), 0, 0, 30, 1, "blocked"),
                        ]
                    )
                ],
            )
