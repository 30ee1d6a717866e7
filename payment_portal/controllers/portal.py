from odoo import fields
from odoo.http import request

from odoo.addons.account_payment.controllers.portal import PortalAccount


class CollectionsPortal(PortalAccount):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:  # the home page itself, not the badge counters
            values["collections_balance"] = self._collections_balance()
        return values

    def _collections_balance(self):
        """[(currency, due, overdue)] of the logged-in customer, largest
        first."""
        partner = request.env.user.partner_id.commercial_partner_id
        today = fields.Date.context_today(partner)
        # sudo: a portal user may not aggregate journal items; the service
        # reads only this user's own commercial partner's documents.
        balance = partner.sudo()._collections_open_balance(today)
        return sorted(
            (
                (currency, due, overdue)
                for currency, (due, overdue) in balance.items()
                if due or overdue
            ),
            key=lambda row: -row[1],
        )
