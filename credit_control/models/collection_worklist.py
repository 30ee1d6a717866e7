from odoo import api, models

from odoo.addons.collections_management.engine import worklist


class CollectionWorklistItem(models.Model):
    _inherit = "collection.worklist.item"

    @api.model
    def _more_candidates(self, company, today):
        """Customers on credit hold: the collector calls them first."""
        found = super()._more_candidates(company, today)
        held = (
            self.env["res.partner"]
            .with_company(company)
            .search([("credit_hold", "=", True), ("parent_id", "=", False)])
        )
        for partner in held:
            found.append(
                {
                    "key": f"over_limit:{partner.id}",
                    "reason": worklist.OVER_LIMIT,
                    "partner": partner.id,
                    "date": today,
                    "source": False,
                }
            )
        return found
