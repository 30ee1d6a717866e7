from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestStatementPayment(PortalCollectionsCommon):
    """Paying several invoices in one online payment: the invoices and the
    amount are the server's, and the payment is reconciled with them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-10"):
            cls.first = cls._invoice(cls.customer, 1000, "2026-02-01")
            cls.second = cls._invoice(cls.customer, 234.56, "2026-03-01")
            cls.third = cls._invoice(cls.customer, 99, "2026-04-01")
            cls.theirs = cls._invoice(cls.other, 98765, "2026-02-01")

    def _pay_page(self, invoices, amount=None, token=None):
        params = "&".join(f"invoice_ids={invoice.id}" for invoice in invoices)
        if amount is not None:
            params += f"&amount={amount}"
        if token:
            params += f"&token={token}"
        return self.url_open(f"/my/statement/pay?{params}")

    def _transaction(self, access_token, **tampered):
        params = {
            "provider_id": self.provider.id,
            "payment_method_id": self.payment_method_id,
            "token_id": None,
            "amount": 1.0,  # what a forged request would say: ignored
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "https://evil.example/",
            "is_validation": False,
            "access_token": access_token,
            "csrf_token": self._csrf(),
            **tampered,
        }
        _result, error = self._json("/my/statement/transaction", params)
        if error:
            return error
        return self.env["payment.transaction"].search(
            [("partner_id", "=", self.customer.id)], order="id desc", limit=1
        )

    @freeze_time("2026-03-10")
    def test_pay_two_invoices_in_one_payment(self):
        self._login()
        page = self._pay_page(self.first | self.second)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self._money(1234.56), page.text)
        access_token = self._attribute(page.text, "data-access-token")
        self.assertTrue(access_token)
        tx = self._transaction(access_token)
        self.assertEqual(tx.amount, 1234.56)
        self.assertEqual(tx.invoice_ids, self.first | self.second)
        self.assertEqual(tx.currency_id, self.currency)
        self.assertEqual(tx.landing_route, "/my/statement?paid=1")
        tx._set_done()
        tx._post_process()
        for invoice in self.first | self.second:
            self.assertEqual(invoice.amount_residual, 0.0, invoice.name)
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.third.amount_residual, 99.0)
        # where the payment flow returns: the payment is confirmed
        page = self.url_open(tx.landing_route).text
        self.assertEqual(
            self._texts(page, "o_collections_payment_notice"),
            [
                "Thank you: your payment of $\u00a01,234.56 for "
                f"{self.first.name}, {self.second.name} was received."
            ],
        )
        self.assertNotIn(
            self.first.name, self._texts(page, "o_collections_statement_table")[0]
        )
        self.assertIn(self.third.name, page)
        # nothing said on the statement opened later without the flag
        page = self.url_open("/my/statement").text
        self.assertFalse(self._texts(page, "o_collections_payment_notice"))

    @freeze_time("2026-03-10")
    def test_a_payment_still_pending_is_said_to_be_processed(self):
        self._login()
        page = self._pay_page(self.second)
        tx = self._transaction(self._attribute(page.text, "data-access-token"))
        tx._set_pending()
        page = self.url_open(tx.landing_route).text
        self.assertIn(
            "is being processed",
            self._texts(page, "o_collections_payment_notice")[0],
        )
        # another customer landing there is told nothing of it
        self._login("petit", "petit-portal-1")
        page = self.url_open(tx.landing_route).text
        self.assertFalse(self._texts(page, "o_collections_payment_notice"))

    @freeze_time("2026-03-10")
    def test_partial_amount_only_when_the_company_allows_it(self):
        self._login()
        refused = self._pay_page(self.first | self.second, amount="300")
        self.assertEqual(refused.status_code, 400)
        self.assertIn("Partial payments are not accepted online", refused.text)
        self.company.collection_portal_partial_payment = True
        page = self._pay_page(self.first | self.second, amount="300,00")
        self.assertEqual(page.status_code, 200)
        tx = self._transaction(self._attribute(page.text, "data-access-token"))
        self.assertEqual(tx.amount, 300.0)
        tx._set_done()
        tx._post_process()
        # the oldest due is settled first, as Odoo reconciles
        self.assertEqual(self.first.amount_residual, 700.0)
        self.assertEqual(self.second.amount_residual, 234.56)
        too_much = self._pay_page(self.first, amount="700.01")  # 700 left
        self.assertEqual(too_much.status_code, 400)
        self.assertIn("more than the $\xa0700.00 due", too_much.text)

    @freeze_time("2026-03-10")
    def test_other_customers_invoice_cannot_be_paid_nor_seen(self):
        self._login()
        for invoices in (self.theirs, self.first | self.theirs):
            response = self._pay_page(invoices)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("98,765", response.text)
            self.assertNotIn(self.theirs.name, response.text)

    @freeze_time("2026-03-10")
    @mute_logger("odoo.http")  # the refusal is logged as a warning
    def test_forged_or_stale_payment_page_is_refused(self):
        self._login()
        page = self._pay_page(self.first)
        access_token = self._attribute(page.text, "data-access-token")
        forged = self._transaction(access_token[:-3] + "AAA")
        self.assertIn("This payment page has expired", forged)
        # paid meanwhile (by transfer): the page no longer charges it
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.first.ids
        ).create({"payment_date": "2026-03-10"})._create_payments()
        stale = self._transaction(access_token)
        self.assertIn("The invoices changed", stale)
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )

    @freeze_time("2026-03-10")
    def test_statement_token_holder_pays_without_password(self):
        token = self.customer._collection_statement_token()
        page = self._pay_page(self.second, token=token)
        self.assertEqual(page.status_code, 200)
        tx = self._transaction(self._attribute(page.text, "data-access-token"))
        self.assertEqual(tx.amount, 234.56)
        self.assertEqual(tx.partner_id, self.customer)
        self.assertEqual(tx.landing_route, f"/my/statement?token={token}&paid=1")
        # the token opens its customer's invoices only
        other = self._pay_page(self.theirs, token=token)
        self.assertEqual(other.status_code, 404)
        self.assertNotIn("98,765", other.text)
