from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_risk_profile_id = fields.Many2one(
        "credit.risk.profile",
        string="Risk Profile",
        company_dependent=True,
        domain="[('company_id', '=', current_company_id)]",
    )
