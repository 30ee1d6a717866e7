from odoo import models


class CollectionCommitmentSource(models.AbstractModel):
    """Where a collector records what a customer says: the customer's form
    and its invoices' forms both offer to record a promise, open a dispute or
    propose a payment plan. The actions are written here once; each model
    says which customer and invoices the new record is about."""

    _name = "collection.commitment.source"
    _description = "Collections Commitment Source"

    def _collection_commitment_target(self):
        """``(customer, invoices)`` of a promise, dispute or plan recorded
        from ``self`` (``invoices`` None for all the customer's open ones);
        raise ``UserError`` when ``self`` offers none."""
        raise NotImplementedError

    def _collection_open(self, model, name):
        """The form of a new ``model`` record (promise, dispute, plan) on
        what ``self`` is about, titled ``name``."""
        partner, invoices = self._collection_commitment_target()
        records = self.env[model]
        return records._open_form(records._default_values(partner, invoices), name)

    def action_collection_promise(self):
        return self._collection_open("collection.promise", self.env._("Promise to Pay"))

    def action_collection_dispute(self):
        return self._collection_open("collection.dispute", self.env._("Open a Dispute"))

    def action_collection_plan(self):
        return self._collection_open(
            "collection.payment.plan", self.env._("Propose a Payment Plan")
        )
