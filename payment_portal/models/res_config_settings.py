from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_portal_partial_payment = fields.Boolean(
        related="company_id.collection_portal_partial_payment", readonly=False
    )
    collection_portal_link_days = fields.Integer(
        related="company_id.collection_portal_link_days", readonly=False
    )
    collection_portal_upload_mb = fields.Integer(
        related="company_id.collection_portal_upload_mb", readonly=False
    )
