from odoo import fields, models
from odoo.exceptions import UserError


class CreditReleaseRequestWizard(models.TransientModel):
    _name = "credit.release.request.wizard"
    _description = "Request a Credit Release"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    credit_warning = fields.Text(related="order_id.credit_warning")
    reason = fields.Text(required=True, help="Why the order should go ahead.")

    def action_request(self):
        self.ensure_one()
        if not self.order_id._credit_problems()[0]:
            raise UserError(
                self.env._("Nothing stops this order any more: confirm it.")
            )
        # sudo: salespeople create releases only through this request, whose
        # decision is the credit managers'
        release = (
            self.env["credit.release"]
            .sudo()
            ._request(self.order_id, self.reason, source_user=self.env.user)
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.release",
            "res_id": release.id,
            "view_mode": "form",
            "target": "current",
        }
