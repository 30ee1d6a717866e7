from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    cash_match_auto_threshold = fields.Float(
        related="company_id.cash_match_auto_threshold", readonly=False
    )
