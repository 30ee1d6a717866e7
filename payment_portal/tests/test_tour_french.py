from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestFrenchCustomerTour(PortalCollectionsCommon):
    """A French customer's day on the portal, in a browser, in French
    (tour ``payment_portal_french_customer``); then what the collector
    finds in Odoo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_french_customer()
        cls._prepare_provider(
            "demo",
            company=cls.company,
            update_values={"state": "test", "is_published": True},
        )
        today = fields.Date.today()

        def invoice(amount, due):
            return cls._eur_invoice(
                cls.french, amount, today - timedelta(days=30), due=due
            )

        # 2 000 € in two instalments: the first 10 days late
        cls.instalments = cls._eur_invoice(
            cls.french,
            2000,
            today - timedelta(days=28),
            term=cls._instalment_term(),
        )
        cls.paid_a = invoice(321, today - timedelta(days=20))
        cls.paid_b = invoice(154, today - timedelta(days=5))
        cls.disputed = invoice(987, today - timedelta(days=15))
        cls.planned = invoice(654, today - timedelta(days=3))

    def _told_the_collector(self, record):
        return record.message_ids.filtered(
            lambda m: self.collector.partner_id in m.partner_ids
        )

    def test_french_customer_day(self):
        self.start_tour(
            "/my/statement", "payment_portal_french_customer", login="vasseur"
        )
        today = fields.Date.today()
        tx = self.env["payment.transaction"].search(
            [("invoice_ids", "in", self.paid_a.ids)]
        )
        self.assertEqual(tx.invoice_ids, self.paid_a | self.paid_b)
        self.assertEqual(tx.amount, 475.0)
        self.assertEqual(tx.currency_id, self.eur)
        self.assertEqual(tx.state, "done")
        for paid in self.paid_a | self.paid_b:
            self.assertIn(paid.payment_state, ("paid", "in_payment"))
        dispute = self.env["collection.dispute"].search(
            [("partner_id", "=", self.french.id)]
        )
        self.assertRecordValues(
            dispute,
            [{"amount": 200.0, "source": "portal", "state": "new"}],
        )
        self.assertEqual(dispute.move_ids, self.disputed)
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.french.id)]
        )
        self.assertRecordValues(
            promise, [{"amount": 787.0, "source": "portal", "state": "open"}]
        )
        self.assertEqual(promise.move_ids, self.disputed)
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.french.id)]
        )
        self.assertRecordValues(
            plan,
            [
                {
                    "state": "to_approve",
                    "instalment_count": 3,
                    "amount": 654.0,
                    "first_date": today + timedelta(days=7),
                }
            ],
        )
        self.assertEqual(plan.move_ids, self.planned)
        # the collector is told of each, and approves the plan
        for record in (dispute, promise, plan):
            self.assertTrue(self._told_the_collector(record), record.display_name)
        self.assertEqual(plan.activity_ids.user_id, self.collector)
        self.assertEqual(self.instalments.payment_state, "not_paid")


@tagged("post_install", "-at_install")
class TestFrenchCustomerTourPhone(TestFrenchCustomerTour):
    """The same day on a phone."""

    browser_size = "375x667"
    touch_enabled = True

    # Odoo runs no inherited test method: this class says it runs its own.
    allow_inherited_tests_method = True
