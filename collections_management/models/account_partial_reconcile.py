from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._collection_payments_changed()
        return partials

    def unlink(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id
        res = super().unlink()
        moves._collection_commitments_refresh()
        return res

    def _collection_payments_changed(self):
        (
            self.debit_move_id | self.credit_move_id
        ).move_id._collection_commitments_refresh()
