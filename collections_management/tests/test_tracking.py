from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestTracking(CollectionsCommon, HttpCase):
    """The view-and-pay link and the open pixel of reminder emails."""

    def _reminder(self):
        self.invoice = self._invoice(800, "2026-01-01", "2026-02-20")
        self.env["collection.run"]._run_company(self.company)
        return self.env["collection.communication"].search(
            [("partner_id", "=", self.customer.id)]
        )

    def test_click_opens_the_invoice_and_is_recorded(self):
        comm = self._reminder()
        response = self.url_open(comm._portal_url(), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"/my/invoices/{self.invoice.id}", response.headers["Location"])
        self.assertIn("access_token=", response.headers["Location"])
        self.assertTrue(comm.clicked_date)
        self.assertTrue(comm.opened_date)
        # counted for the team dashboard's rates
        self.assertEqual((comm.opened_count, comm.clicked_count), (1, 1))

    def test_open_pixel(self):
        comm = self._reminder()
        response = self.url_open(comm._pixel_url())
        self.assertEqual(response.headers["Content-Type"], "image/gif")
        self.assertTrue(comm.opened_date)
        self.assertFalse(comm.clicked_date)
        self.assertEqual((comm.opened_count, comm.clicked_count), (1, 0))

    def test_tampered_token_gets_a_clean_page(self):
        comm = self._reminder()
        response = self.url_open(f"/collections/r/{comm.id}/{'0' * 32}")
        self.assertEqual(response.status_code, 404)
        self.assertIn("This link is no longer valid", response.text)
        self.assertNotIn(self.invoice.name, response.text)
        self.assertFalse(comm.clicked_date)
        response = self.url_open(f"/collections/r/{comm.id + 999}/{'0' * 32}")
        self.assertEqual(response.status_code, 404)
