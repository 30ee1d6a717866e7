from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestPortalTours(PortalCollectionsCommon):
    """A customer in a browser (headless Chromium): pays two invoices in
    one payment with Odoo's demo provider, disputes, promises, asks for a
    plan; the back office sees the results."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's demo provider, published for the invoices' company (the
        # test harness installs payment_demo beside the suite).
        cls.demo = cls._prepare_provider(
            "demo",
            company=cls.company,
            update_values={"state": "test", "is_published": True},
        )
        today = fields.Date.today()
        cls.first = cls._invoice(
            cls.customer,
            1000,
            today - timedelta(days=20),
            date=today - timedelta(days=50),
        )
        cls.second = cls._invoice(
            cls.customer,
            234.56,
            today - timedelta(days=5),
            date=today - timedelta(days=35),
        )

    def test_pay_two_invoices_in_one_payment(self):
        self.start_tour("/my/statement", "payment_portal_pay_two", login="lemoine")
        tx = self.env["payment.transaction"].search(
            [("invoice_ids", "in", self.first.ids)]
        )
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.invoice_ids, self.first | self.second)
        self.assertEqual(tx.amount, 1234.56)
        self.assertEqual(tx.state, "done")
        for invoice in self.first | self.second:
            self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_dispute_seen_by_the_collector(self):
        self.start_tour(
            self.first.access_url, "payment_portal_dispute", login="lemoine"
        )
        dispute = self.env["collection.dispute"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertRecordValues(
            dispute,
            [
                {
                    "amount": 120.0,
                    "state": "new",
                    "source": "portal",
                    "user_id": self.collector.id,
                    "description": "Two crates arrived broken",
                }
            ],
        )
        self.assertEqual(dispute.move_ids, self.first)
        self.start_tour(
            "/odoo/action-collections_management.collection_dispute_action",
            "payment_portal_dispute_backoffice",
            login="claire",
        )

    def test_promise_pauses_the_invoice(self):
        self.start_tour(
            self.first.access_url, "payment_portal_promise", login="lemoine"
        )
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.amount, 1000.0)
        self.assertEqual(
            promise.promise_date,
            fields.Date.today() + timedelta(days=self.policy.promise_max_days),
        )
        self.assertEqual(self.first.collection_commitment_state, "promise")
        self.assertFalse(self.first.collection_next_date)

    def test_plan_request(self):
        self.start_tour(self.first.access_url, "payment_portal_plan", login="lemoine")
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(plan), 1)
        self.assertEqual(plan.state, "to_approve")
        self.assertEqual(plan.instalment_count, 3)
        self.assertEqual(plan.move_ids, self.first)
