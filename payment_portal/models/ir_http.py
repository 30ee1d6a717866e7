from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        # The invoice page's chatter is Discuss's (mail) component: without
        # mail's translations the portal says "The conversation is empty."
        # to a French customer.
        return [*super()._get_translation_frontend_modules_name(), "mail"]
