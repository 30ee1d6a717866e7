from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

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
                    }
                    for index, (name, limit, overdue, review, color) in enumerate(
                        [
                            (env._("Low"), 50000, 30, 365, 10),
                            (env._("Medium"), 20000, 15, 180, 3),
                            (env._("High"), 5000, 0, 90, 2),
                            (env._("Blocked"), 0, 0, 30, 1),
                        ]
                    )
                ],
            )
