from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_include_draft_invoices = fields.Boolean(
        related="company_id.credit_include_draft_invoices", readonly=False
    )
    credit_hold_over_limit = fields.Boolean(
        related="company_id.credit_hold_over_limit", readonly=False
    )
    credit_bureau_url = fields.Char(
        string="Credit Bureau URL", config_parameter="credit_control.bureau_url"
    )
    credit_bureau_username = fields.Char(
        config_parameter="credit_control.bureau_username",
    )
    credit_bureau_password = fields.Char(
        config_parameter="credit_control.bureau_password",
    )
    credit_bureau_timeout = fields.Integer(
        string="Credit Bureau Timeout (s)",
        config_parameter="credit_control.bureau_timeout",
        default=10,
    )
