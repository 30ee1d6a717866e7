from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_portal_partial_payment = fields.Boolean(
        string="Partial Online Payments",
        help="Customers may pay less than the invoices they select on their statement.",
    )
    collection_portal_link_days = fields.Integer(
        string="Statement Link Validity (days)",
        default=30,
        help="How long the statement link of a reminder email opens the "
        "statement without a password.",
    )
    collection_portal_upload_mb = fields.Integer(
        string="Largest Attachment (MB)",
        default=10,
        help="The largest file a customer may attach to a dispute.",
    )

    @api.constrains("collection_portal_link_days", "collection_portal_upload_mb")
    def _check_collection_portal_settings(self):
        for company in self:
            if company.collection_portal_link_days < 1:
                raise ValidationError(
                    self.env._("A statement link must stay valid at least one day.")
                )
            if not 1 <= company.collection_portal_upload_mb <= 50:
                raise ValidationError(
                    self.env._("The largest attachment must be from 1 to 50 MB.")
                )
