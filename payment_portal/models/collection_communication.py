from odoo import models


class CollectionCommunication(models.Model):
    _inherit = "collection.communication"

    def _landing_url(self):
        """A reminder about several invoices lands on the customer's
        statement, opened by a signed link that needs no password."""
        self.ensure_one()
        moves = self._due_lines().move_id
        if len(moves) == 1:
            return super()._landing_url()
        return self.partner_id.with_company(self.company_id)._collection_statement_url()
