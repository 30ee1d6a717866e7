from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _collection_collector(self):
        """Who answers the customer about this invoice: the customer's
        collector, else the invoice's salesperson, else a collections
        manager of the company."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.company_id)
        if partner.collector_id:
            return partner.collector_id
        if self.invoice_user_id and not self.invoice_user_id.share:
            return self.invoice_user_id
        managers = (
            self.env.ref("collections_management.group_collections_manager")
            .sudo()
            .users.filtered(  # sudo: group members, to pick a contact
                lambda u: (
                    self.company_id in u.company_ids
                    and not u.share
                    and u != self.env.ref("base.user_root")
                )
            )
        )
        return managers.sorted("id")[:1]

    def message_post(self, **kwargs):
        # A customer writing on its invoice from the portal writes to its
        # collector, who may not follow the invoice.
        if (
            len(self) == 1
            and self.env.user.share
            and self.move_type == "out_invoice"
            and kwargs.get("message_type", "notification") == "comment"
        ):
            collector = self._collection_collector()
            if collector:
                kwargs["partner_ids"] = list(
                    {*(kwargs.get("partner_ids") or []), collector.partner_id.id}
                )
        return super().message_post(**kwargs)
