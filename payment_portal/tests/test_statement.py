import io

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfReader

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestStatement(PortalCollectionsCommon):
    """The statement page: a customer's open items, aged, in its currency,
    and nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-10"):
            cls.late = cls._invoice(cls.customer, 1000, "2026-01-24")  # 45 days
            cls.soon = cls._invoice(cls.customer, 450, "2026-04-01")
            cls.refund = cls._invoice(cls.customer, 150, "2026-03-01", "out_refund")
            cls.paid = cls._invoice(cls.customer, 70, "2026-01-20")
            cls.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=cls.paid.ids
            ).create({"payment_date": "2026-02-01"})._create_payments()
            cls.theirs = cls._invoice(cls.other, 98765, "2026-01-15")

    @freeze_time("2026-03-10")
    def test_statement_shows_own_open_items_aged(self):
        self._login()
        page = self.url_open("/my/statement").text
        for move in self.late | self.soon | self.refund:
            self.assertIn(move.name, page)
        self.assertNotIn(self.paid.name, page)  # paid: not on the statement
        self.assertNotIn(self.theirs.name, page)
        self.assertNotIn("98,765", page)
        self.assertIn(self._money(1300), page)  # balance: 1000 + 450 - 150
        self.assertIn(self._money(1000), page)  # overdue, 31-60 days column
        self.assertIn(self._money(450), page)  # not yet due
        self.assertIn(self._money(-150), page)  # the credit note, deducted

    @freeze_time("2026-03-10")
    def test_reminder_link_opens_the_statement_and_counts_the_click(self):
        also_late = self._invoice(self.customer, 200, "2026-01-24")
        self.env["collection.run"]._run_company(
            self.company, today=fields.Date.to_date("2026-03-10")
        )
        comm = self.env["collection.communication"].search(
            [("partner_id", "=", self.customer.id), ("channel", "=", "email")]
        )
        self.assertEqual(len(comm), 1)
        self.assertEqual(comm._due_lines().move_id, self.late | also_late)
        self.assertTrue(comm._landing_url().startswith("/my/statement?token="))
        page = self.url_open(comm._portal_url())  # anonymous, from the email
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.late.name, page.text)
        self.assertIn(also_late.name, page.text)
        self.assertNotIn(self.theirs.name, page.text)
        comm.invalidate_recordset()
        self.assertTrue(comm.clicked_date)

    @freeze_time("2026-03-10")
    def test_filter_overdue(self):
        self._login()
        page = self.url_open("/my/statement?filter=overdue").text
        self.assertIn(self.late.name, page)
        self.assertNotIn(self.soon.name, page)
        self.assertNotIn(self.refund.name, page)

    @freeze_time("2026-03-10")
    def test_anonymous_visitor_goes_to_login(self):
        response = self.url_open("/my/statement", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_token_link_opens_statement_without_password(self):
        with freeze_time("2026-03-10"):
            url = self.customer._collection_statement_url()
            page = self.url_open(url).text
            self.assertIn(self.late.name, page)
            self.assertNotIn(self.theirs.name, page)
        with freeze_time("2026-04-10"):  # 31 days on: the 30-day link expired
            response = self.url_open(url)
            self.assertEqual(response.status_code, 403)
            self.assertIn("This link is no longer valid", response.text)
            self.assertNotIn(self.late.name, response.text)

    @freeze_time("2026-03-10")
    def test_tampered_token_is_refused_and_leaks_nothing(self):
        token = self.customer._collection_statement_token()
        for bad in (
            token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
            "garbage",
            "x" * 80,
        ):
            response = self.url_open(f"/my/statement?token={bad}")
            self.assertEqual(response.status_code, 403, bad)
            self.assertIn("This link is no longer valid", response.text)
            self.assertNotIn("1,300.00", response.text)
        # a token of another customer opens only that customer's statement
        page = self.url_open(self.other._collection_statement_url()).text
        self.assertIn(self.theirs.name, page)
        self.assertNotIn(self.late.name, page)

    @freeze_time("2026-03-10")
    def test_statement_pdf(self):
        self._login()
        response = self.url_open("/my/statement/pdf")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        text = self._pdf_text(response.content)
        self.assertIn(self.late.name, text)
        self.assertIn(self.refund.name, text)
        self.assertNotIn(self.theirs.name, text)
        self.assertIn("1,300.00", text)

    @staticmethod
    def _pdf_text(content):
        reader = PdfReader(io.BytesIO(content))
        return "".join(page.extract_text() for page in reader.pages)

    @freeze_time("2026-03-10")
    def test_message_reaches_the_collector(self):
        self._login()
        response = self.url_open(
            "/my/statement/message",
            data={"csrf_token": self._csrf(), "message": "Invoice copy please"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Message sent", response.text)
        message = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.customer.id),
                ("message_type", "=", "comment"),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertIn("Invoice copy please", message.body)
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(message.partner_ids, self.collector.partner_id)

    @freeze_time("2026-03-10")
    @mute_logger("odoo.http")  # the refusal is logged as a warning
    def test_message_without_csrf_is_refused(self):
        self._login()
        response = self.url_open("/my/statement/message", data={"message": "Forged"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["mail.message"].search([("body", "ilike", "Forged")]))

    @freeze_time("2026-03-10")
    def test_empty_message_is_refused(self):
        self._login()
        response = self.url_open(
            "/my/statement/message", data={"csrf_token": self._csrf(), "message": "  "}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Write a message first.", response.text)

    @freeze_time("2026-03-10")
    def test_french_customer_link_reads_french(self):
        self._load_french(["payment_portal"])
        self.env.ref("website.default_website").language_ids |= self.env.ref(
            "base.lang_fr"
        )
        self.customer.lang = "fr_FR"
        page = self.url_open(self.customer._collection_statement_url()).text
        self.assertIn(self.late.name, page)
        self.assertIn("Relevé de Fromagerie Lemoine", page)
        self.assertIn("Reste à payer", page)
        self.assertIn("Écrivez-nous", page)
