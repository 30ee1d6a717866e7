from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditWorklist(CreditCommon):
    """A customer on credit hold is on its collector's worklist, and its
    risk score weighs in the priority."""

    def test_hold_puts_the_customer_on_the_worklist(self):
        partner = self.customer.with_company(self.company)
        partner.collector_id = self.credit_manager
        partner.write({"credit_hold": True, "credit_hold_reason": "Over limit"})
        Items = self.env["collection.worklist.item"]
        item = Items._refresh(self.company)
        self.assertEqual(item.partner_id, self.customer)
        self.assertEqual(item.reason, "over_limit")
        self.assertEqual(item.user_id, self.credit_manager)
        partner.credit_hold = False
        self.assertFalse(Items._refresh(self.company))  # lifted: off the list

    def test_risk_score_weighs(self):
        partner = self.customer.with_company(self.company)
        partner.write({"credit_hold": True, "credit_hold_reason": "Over limit"})
        self.assertEqual(partner._collection_worklist_risk(), {})  # never reviewed
        partner.write({"credit_review_date": "2026-03-01", "credit_score": 80.0})
        self.assertEqual(partner._collection_worklist_risk(), {partner.id: 0.8})
        self.company.write(
            {
                "collection_weight_amount": 0,
                "collection_weight_days": 0,
                "collection_weight_broken": 0,
                "collection_weight_late": 0,
                "collection_weight_risk": 100,
            }
        )
        item = self.env["collection.worklist.item"]._refresh(self.company)
        self.assertTrue(item.score_explanation.startswith("Risk 80.0"))
