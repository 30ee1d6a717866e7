import base64

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCollectionsCommon

# The smallest valid PDF and PNG headers are enough for the type check.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@tagged("post_install", "-at_install")
class TestPortalCommitments(PortalCollectionsCommon):
    """Dispute, promise and payment-plan requests from the invoice page:
    recorded through collections_management's services, for the customer's
    own open invoices only, once, and told to the collector."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-10"):
            cls.invoice = cls._invoice(cls.customer, 1000, "2026-02-01")
            cls.theirs = cls._invoice(cls.other, 98765, "2026-02-01")
        cls.reason = cls.env["collection.dispute.reason"].search(
            [("company_id", "in", (False, cls.company.id))], limit=1
        )

    def _post(self, invoice, action, data, files=None, csrf=True):
        data = dict(data)
        if csrf:
            data["csrf_token"] = self._csrf()
        return self.url_open(
            f"/my/invoices/{invoice.id}/{action}", data=data, files=files
        )

    def _records(self, model, partner=None):
        return (
            self.env[model]
            .sudo()
            .search([("partner_id", "=", (partner or self.customer).id)])
        )

    # ------------------------------------------------------------------
    # Promise
    # ------------------------------------------------------------------

    @freeze_time("2026-03-10")
    def test_promise_pauses_reminders_once_and_tells_the_collector(self):
        self._login()
        page = self.url_open(self.invoice.access_url).text
        self.assertIn("Promise to pay", page)
        data = {"promise_date": "2026-03-20", "amount": "1 000,00", "note": "Friday"}
        first = self._post(self.invoice, "promise", data)
        self.assertEqual(first.status_code, 200)
        self.assertIn("Promise recorded", first.text)
        again = self._post(self.invoice, "promise", data)  # sent twice
        self.assertEqual(again.status_code, 200)
        promise = self._records("collection.promise")
        self.assertEqual(len(promise), 1)
        self.assertRecordValues(
            promise,
            [
                {
                    "amount": 1000.0,
                    "source": "portal",
                    "state": "open",
                    "user_id": self.collector.id,
                    "note": "Friday",
                }
            ],
        )
        self.assertEqual(str(promise.promise_date), "2026-03-20")
        self.assertEqual(promise.move_ids, self.invoice)
        self.env.invalidate_all()  # written by the server's request
        self.assertEqual(self.invoice.collection_commitment_state, "promise")
        self.assertTrue(self.invoice.collection_pause_reason)
        told = promise.message_ids.filtered(
            lambda m: self.collector.partner_id in m.partner_ids
        )
        self.assertEqual(len(told), 1)
        self.assertEqual(told.author_id, self.customer)
        # the statement shows the promise beside the invoice
        self.assertIn("Payment promised", self.url_open("/my/statement").text)

    @freeze_time("2026-03-10")
    def test_promise_outside_policy_is_refused_with_its_reason(self):
        self._login()
        too_far = self._post(
            self.invoice, "promise", {"promise_date": "2026-06-30", "amount": "1000"}
        )
        self.assertEqual(too_far.status_code, 400)
        self.assertIn(
            f"at most {self.policy.promise_max_days} days from today", too_far.text
        )
        not_an_amount = self._post(
            self.invoice, "promise", {"promise_date": "2026-03-20", "amount": "1e9"}
        )
        self.assertEqual(not_an_amount.status_code, 400)
        self.assertIn("1e9 is not an amount", not_an_amount.text)
        no_date = self._post(
            self.invoice, "promise", {"promise_date": "20/03/2026", "amount": "10"}
        )
        self.assertEqual(no_date.status_code, 400)
        self.assertIn("Enter a date", no_date.text)
        self.assertFalse(self._records("collection.promise"))
        self.assertFalse(self.invoice.collection_commitment_state)

    @freeze_time("2026-03-10")
    def test_token_holder_promises_without_password(self):
        token = self.invoice._portal_ensure_token()
        response = self._post(
            self.invoice,
            "promise",
            {"promise_date": "2026-03-25", "amount": "1000", "access_token": token},
        )
        self.assertEqual(response.status_code, 200)
        promise = self._records("collection.promise")
        self.assertEqual(promise.source, "portal")
        self.assertEqual(promise.user_id, self.collector)
        wrong = self._post(
            self.invoice,
            "promise",
            {"promise_date": "2026-03-26", "amount": "900", "access_token": "x" * 36},
        )
        self.assertEqual(wrong.status_code, 404)
        self.assertEqual(len(self._records("collection.promise")), 1)

    # ------------------------------------------------------------------
    # Dispute
    # ------------------------------------------------------------------

    @freeze_time("2026-03-10")
    def test_dispute_with_documents(self):
        self._login()
        data = {
            "reason_id": str(self.reason.id),
            "amount": "250.50",
            "description": "Two crates arrived broken",
        }
        files = [
            ("attachments", ("delivery.pdf", PDF, "application/pdf")),
            ("attachments", ("photo.png", PNG, "image/png")),
        ]
        response = self._post(self.invoice, "dispute", data, files=files)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn("Dispute recorded", response.text)
        self._post(self.invoice, "dispute", data, files=files)  # sent twice
        dispute = self._records("collection.dispute")
        self.assertEqual(len(dispute), 1)
        self.assertRecordValues(
            dispute,
            [
                {
                    "amount": 250.5,
                    "reason_id": self.reason.id,
                    "source": "portal",
                    "state": "new",
                    "description": "Two crates arrived broken",
                }
            ],
        )
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "collection.dispute"), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(
            sorted(attachments.mapped("name")), ["delivery.pdf", "photo.png"]
        )
        self.assertEqual(
            attachments.filtered(lambda a: a.name == "photo.png").mimetype, "image/png"
        )
        self.env.invalidate_all()  # written by the server's request
        self.assertEqual(self.invoice.collection_commitment_state, "dispute")
        self.assertTrue(
            dispute.message_ids.filtered(
                lambda m: self.collector.partner_id in m.partner_ids
            )
        )

    @freeze_time("2026-03-10")
    def test_dispute_refuses_wrong_files_and_writes_nothing(self):
        self.company.collection_portal_upload_mb = 1
        self._login()
        data = {"reason_id": str(self.reason.id), "amount": "100"}
        big = self._post(
            self.invoice,
            "dispute",
            data,
            files=[
                (
                    "attachments",
                    ("scan.pdf", PDF + b"0" * (1024 * 1024), "application/pdf"),
                )
            ],
        )
        self.assertEqual(big.status_code, 400)
        self.assertIn("scan.pdf is larger than 1 MB", big.text)
        exe = self._post(
            self.invoice,
            "dispute",
            data,
            files=[("attachments", ("invoice.pdf", ELF, "application/pdf"))],
        )
        self.assertEqual(exe.status_code, 400)
        self.assertIn("invoice.pdf cannot be attached", exe.text)
        too_much = self._post(self.invoice, "dispute", dict(data, amount="1000.01"))
        self.assertEqual(too_much.status_code, 400)
        self.assertIn("is more than the", too_much.text)
        no_reason = self._post(self.invoice, "dispute", dict(data, reason_id="0"))
        self.assertEqual(no_reason.status_code, 400)
        self.assertFalse(self._records("collection.dispute"))
        self.assertFalse(
            self.env["ir.attachment"].search([("res_model", "=", "collection.dispute")])
        )

    # ------------------------------------------------------------------
    # Payment plan
    # ------------------------------------------------------------------

    @freeze_time("2026-03-10")
    def test_plan_request_waits_for_approval(self):
        self._login()
        response = self._post(
            self.invoice, "plan", {"instalment_count": "4", "first_date": "2026-04-01"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn("Payment plan requested", response.text)
        plan = self._records("collection.payment.plan")
        self.assertRecordValues(
            plan,
            [
                {
                    "state": "to_approve",
                    "instalment_count": 4,
                    "amount": 1000.0,
                    "source": "portal",
                    "user_id": self.collector.id,
                }
            ],
        )
        self.assertEqual(len(plan.line_ids), 4)
        self.assertEqual(str(plan.first_date), "2026-04-01")

    @freeze_time("2026-03-10")
    def test_plan_over_the_policy_limit_is_refused(self):
        self._login()
        count = self.policy.plan_max_instalments + 1
        response = self._post(self.invoice, "plan", {"instalment_count": str(count)})
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            f"from 1 to {self.policy.plan_max_instalments} instalments", response.text
        )
        self.assertFalse(self._records("collection.payment.plan"))

    # ------------------------------------------------------------------
    # Writing on the invoice
    # ------------------------------------------------------------------

    @freeze_time("2026-03-10")
    def test_message_on_invoice_reaches_the_collector(self):
        self.assertNotIn(self.collector.partner_id, self.invoice.message_partner_ids)
        self._login()
        _result, error = self._json(
            "/mail/message/post",
            {
                "thread_model": "account.move",
                "thread_id": self.invoice.id,
                "post_data": {
                    "body": "Is the discount applied?",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        self.assertFalse(error)
        message = self.invoice.message_ids.filtered(
            lambda m: "Is the discount applied?" in m.body
        )
        self.assertEqual(message.author_id, self.customer)
        self.assertIn(self.collector.partner_id, message.partner_ids)

    # ------------------------------------------------------------------
    # Someone else's invoice, forged requests
    # ------------------------------------------------------------------

    @freeze_time("2026-03-10")
    def test_other_customers_invoice_is_not_found(self):
        self._login()
        for action, data in (
            ("promise", {"promise_date": "2026-03-20", "amount": "10"}),
            ("dispute", {"reason_id": str(self.reason.id), "amount": "10"}),
            ("plan", {"instalment_count": "2"}),
        ):
            response = self._post(self.theirs, action, data)
            self.assertEqual(response.status_code, 404, action)
            self.assertNotIn("98,765", response.text)
        page = self.url_open(self.theirs.access_url, allow_redirects=False)
        self.assertNotEqual(page.status_code, 200)
        for model in (
            "collection.promise",
            "collection.dispute",
            "collection.payment.plan",
        ):
            self.assertFalse(self._records(model, self.other), model)

    @freeze_time("2026-03-10")
    @mute_logger("odoo.http")  # the refusal is logged as a warning
    def test_forms_without_csrf_are_refused(self):
        self._login()
        response = self._post(
            self.invoice,
            "promise",
            {"promise_date": "2026-03-20", "amount": "1000"},
            csrf=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._records("collection.promise"))
