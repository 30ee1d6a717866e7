from freezegun import freeze_time

from odoo.tests import tagged

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestPartialDispute(PortalCollectionsCommon):
    """A customer disputes 120 of a 1 000 invoice on the portal: the other
    880 may still be promised, planned or disputed, and only the 880 is
    offered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-10"):
            cls.invoice = cls._invoice(cls.customer, 1000, "2026-02-01")
        cls.reason = cls.env["collection.dispute.reason"].search(
            [("company_id", "in", (False, cls.company.id))], limit=1
        )

    def _post(self, action, data):
        return self.url_open(
            f"/my/invoices/{self.invoice.id}/{action}",
            data=dict(data, csrf_token=self._csrf()),
        )

    def _dispute_120(self):
        data = {
            "reason_id": self.reason.id,
            "amount": "120",
            "description": "Broken",
            "disputed": "0",  # as the form says when nothing is in dispute
        }
        response = self._post("dispute", data)
        self.assertIn("Dispute recorded", response.text)
        self._post("dispute", data)  # the same form sent twice
        dispute = self.env["collection.dispute"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(dispute.amount, 120.0)

    def _form_value(self, page, input_id):
        return self._attribute(page, rf'id="{input_id}"[^>]*value')

    @freeze_time("2026-03-10")
    def test_the_rest_is_still_offered_after_a_partial_dispute(self):
        self._login()
        self._dispute_120()
        page = self.url_open(self.invoice.access_url).text
        self.assertIn("Disputed: $\u00a0120.00", page)
        for button in (
            "o_collections_promise_btn",
            "o_collections_plan_btn",
            "o_collections_dispute_btn",
        ):
            self.assertTrue(button in page, f"{button} not offered")
        # the forms offer the 880 not in dispute
        self.assertEqual(self._form_value(page, "collections_promise_amount"), "880.00")
        self.assertEqual(self._form_value(page, "collections_dispute_amount"), "880.00")

    @freeze_time("2026-03-10")
    def test_promise_the_rest(self):
        self._login()
        self._dispute_120()
        too_much = self._post(
            "promise", {"promise_date": "2026-03-20", "amount": "1000"}
        )
        self.assertEqual(too_much.status_code, 400)
        self.assertIn("not in dispute", too_much.text)
        response = self._post("promise", {"promise_date": "2026-03-20"})
        self.assertIn("Promise recorded", response.text)
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(promise.amount, 880.0)
        # promised and disputed: nothing more to offer, both are shown
        page = self.url_open(self.invoice.access_url).text
        self.assertNotIn("o_collections_promise_btn", page)
        self.assertIn("Payment promised", page)
        self.assertIn("Disputed: $\u00a0120.00", page)

    @freeze_time("2026-03-10")
    def test_plan_the_rest(self):
        self._login()
        self._dispute_120()
        response = self._post(
            "plan", {"instalment_count": "2", "first_date": "2026-03-20"}
        )
        self.assertIn("Payment plan requested", response.text)
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(plan.amount, 880.0)
        self.assertEqual(plan.line_ids.mapped("amount"), [440.0, 440.0])

    @freeze_time("2026-03-10")
    def test_dispute_more_adds_to_the_open_dispute_once(self):
        self._login()
        self._dispute_120()
        dispute = self.env["collection.dispute"].search(
            [("partner_id", "=", self.customer.id)]
        )
        page = self.url_open(self.invoice.access_url).text
        shown = self._attribute(page, 'name="disputed" value')
        data = {
            "reason_id": self.reason.id,
            "amount": "80",
            "description": "And a missing crate",
            "disputed": shown,
        }
        self.assertIn("Dispute recorded", self._post("dispute", data).text)
        self._post("dispute", data)  # the same form sent twice
        dispute.invalidate_recordset()
        self.assertEqual(
            self.env["collection.dispute"].search(
                [("partner_id", "=", self.customer.id)]
            ),
            dispute,
        )
        self.assertEqual(dispute.amount, 200.0)
        told = dispute.message_ids.filtered(
            lambda m: "And a missing crate" in (m.body or "")
        )
        self.assertEqual(len(told), 1)
        self.assertIn(self.collector.partner_id, told.partner_ids)
        # the whole invoice in dispute: nothing more is offered
        rest = self._post(
            "dispute",
            {
                "reason_id": self.reason.id,
                "amount": "800",
                "disputed": "200.0",
            },
        )
        self.assertIn("Dispute recorded", rest.text)
        page = self.url_open(self.invoice.access_url).text
        self.assertNotIn("o_collections_dispute_btn", page)
        self.assertIn("Disputed", page)
