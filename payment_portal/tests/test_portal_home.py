from freezegun import freeze_time

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestPortalHome(AccountTestInvoicingCommon, HttpCase):
    """The portal home page shows a customer what it owes, and only that."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Fromagerie Lemoine", "email": "paie@lemoine.example"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="lemoine",
            password="lemoine-portal-1",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.other = cls.env["res.partner"].create({"name": "Garage Petit"})

    def _invoice(self, partner, amount, due, move_type="out_invoice"):
        move = self.init_invoice(
            move_type,
            partner=partner,
            invoice_date="2026-01-02",
            amounts=[amount],
            taxes=[],
        )
        move.invoice_date_due = due
        move.action_post()
        return move

    @freeze_time("2026-03-10")
    def test_balance_card(self):
        self._invoice(self.customer, 1000, "2026-02-01")  # overdue
        self._invoice(self.customer, 450, "2026-04-01")  # not yet due
        self._invoice(self.customer, 150, "2026-04-01", "out_refund")
        self._invoice(self.other, 98765, "2026-01-15")  # someone else's
        self.authenticate("lemoine", "lemoine-portal-1")
        page = self.url_open("/my/home").text
        self.assertIn("Your balance", page)
        self.assertIn("1,300.00", page)  # 1000 + 450 - 150
        self.assertIn("1,000.00", page)  # overdue
        self.assertNotIn("98,765.00", page)  # not theirs

    @freeze_time("2026-03-10")
    def test_no_card_when_nothing_due(self):
        self.authenticate("lemoine", "lemoine-portal-1")
        page = self.url_open("/my/home").text
        self.assertNotIn("Your balance", page)
