from odoo import models
from odoo.tools import format_amount


class CollectionPaymentPlan(models.Model):
    _inherit = "collection.payment.plan"

    def action_submit(self):
        """A plan a customer asks for on the portal waits for its collector
        when the collector may approve it (within the company's collector
        approval limit): the collector gets the approval task. A larger
        plan goes to the collections managers, as any plan the submitting
        user may not approve."""
        for_collector = self.filtered(
            lambda p: (
                p.source == "portal"
                and p.state == "draft"
                and p.user_id
                and not p.user_id.share
                and p._can_approve(p.user_id)
            )
        )
        for plan in for_collector:
            plan.state = "to_approve"
            # the summary in the language of the collector who gets it
            plan._task(
                lambda env, p=plan: env._(
                    "Approve the payment plan of %(total)s asked on the portal",
                    total=format_amount(env, p.amount, p.currency_id),
                ),
                user=plan.user_id,
            )
        return super(CollectionPaymentPlan, self - for_collector).action_submit()
