from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _collections_role_groups(self):
        roles = super()._collections_role_groups()
        roles["salesperson"] = ["sales_team.group_sale_salesman"]
        roles["credit_manager"] = [
            "credit_control.group_credit_manager",
            "collections_management.group_collections_user",
        ]
        return roles
