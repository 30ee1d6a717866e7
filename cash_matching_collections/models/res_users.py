from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _collections_role_groups(self):
        roles = super()._collections_role_groups()
        # a bookkeeper applying the cash of bank transactions to invoices;
        # collections managers review payments too (their group implies it)
        roles["payment_reviewer"] = ["cash_matching.group_cash_match_reviewer"]
        return roles
