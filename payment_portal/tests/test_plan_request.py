from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestPlanRequest(PortalCollectionsCommon):
    """A payment plan asked on the portal: its first instalment in a week,
    its approval with the collector when within the collector's limit, and
    "In a payment plan" only once approved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-10"):
            cls.invoice = cls._invoice(cls.customer, 1000, "2026-02-01")
        cls.manager = cls.env["res.users"]._collections_create_role_user(
            "manon",
            "collections_manager",
            cls.company,
            name="Manon Manager",
            email="manon@suite.example",
        )

    def _ask_plan(self):
        self._login()
        page = self.url_open(self.invoice.access_url).text
        # the form offers the first instalment in a week
        self.assertEqual(
            self._attribute(page, 'id="collections_plan_first"[^>]*value'),
            "2026-03-17",
        )
        response = self.url_open(
            f"/my/invoices/{self.invoice.id}/plan",
            data={"csrf_token": self._csrf(), "instalment_count": "2"},
        )
        self.assertIn("Payment plan requested", response.text)
        return self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )

    def _approvers(self, plan):
        return plan.activity_ids.user_id

    @freeze_time("2026-03-10")
    def test_within_the_limit_the_collector_approves(self):
        self.assertLess(1000, self.company.collection_plan_approval_limit)
        plan = self._ask_plan()
        self.assertEqual(plan.state, "to_approve")
        self.assertEqual(plan.first_date, date(2026, 3, 17))
        self.assertEqual(self._approvers(plan), self.collector)
        # requested, not yet a plan
        page = self.url_open("/my/statement").text
        self.assertEqual(
            self._texts(page, "o_collections_badge"), ["Payment plan requested"]
        )
        plan.with_user(self.collector).action_approve()
        self.assertEqual(plan.state, "active")
        page = self.url_open("/my/statement").text
        self.assertEqual(
            self._texts(page, "o_collections_badge"), ["In a payment plan"]
        )

    @freeze_time("2026-03-10")
    def test_over_the_limit_the_managers_approve(self):
        self.company.collection_plan_approval_limit = 500
        plan = self._ask_plan()
        self.assertEqual(plan.state, "to_approve")
        self.assertIn(self.manager, self._approvers(plan))
        self.assertNotIn(self.collector, self._approvers(plan))
