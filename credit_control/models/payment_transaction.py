from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """An order paid online whose customer's credit stops it waits for
        credit approval instead of failing the payment's processing."""
        return super(
            PaymentTransaction, self.with_context(credit_hold_on_refusal=True)
        )._check_amount_and_confirm_order()
