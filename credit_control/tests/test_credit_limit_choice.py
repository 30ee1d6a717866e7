from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestCreditLimitChoice(CreditCommon):
    """Odoo's Sales Credit Limit of a customer stays Odoo's warning until
    someone chooses a hold: the company (any limit) or the customer's risk
    profile (its customers)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.credit_hold_over_limit = False  # CreditCommon chose it
        # a customer of no risk profile, with Odoo's own limit on its form
        cls.plain = cls.env["res.partner"].create({"name": "Quincaillerie Blanc"})
        cls._set_limit(cls.plain, 1000)
        cls._invoice(800, date(2026, 4, 1), partner=cls.plain)

    def test_odoo_limit_without_the_choice_is_a_warning(self):
        new = self.env["res.company"].create({"name": "Nouvelle Société"})
        self.assertFalse(new.credit_hold_over_limit)  # Odoo's warning by default
        order = self._order(300, user=self.salesperson, partner=self.plain)
        self.assertFalse(order.credit_warning)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_state)
        self.assertFalse(order.credit_release_ids)

    def test_odoo_limit_holds_when_the_company_chooses_it(self):
        self.company.credit_hold_over_limit = True
        order = self._order(300, user=self.salesperson, partner=self.plain)
        self.assertIn("Over the credit limit by $\xa0100.00", order.credit_warning)
        with self.assertRaisesRegex(UserError, "cannot be confirmed: Over the credit"):
            order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_a_profile_chooses_for_its_customers(self):
        medium = self.profiles["medium"]
        self.assertTrue(medium.hold_over_limit)  # the shipped profiles hold
        self.plain.with_company(self.company).credit_risk_profile_id = medium
        held = self._order(300, user=self.salesperson, partner=self.plain)
        with self.assertRaisesRegex(UserError, "cannot be confirmed: Over the credit"):
            held.with_user(self.salesperson).action_confirm()
        # a profile that only warns: the order over the limit goes through
        medium.hold_over_limit = False
        held.invalidate_recordset(["credit_warning"])
        self.assertFalse(held.credit_warning)
        held.with_user(self.salesperson).action_confirm()
        self.assertEqual(held.state, "sale")

    def test_a_manual_hold_holds_whatever_the_choice(self):
        self.plain.with_company(self.company).credit_hold = True
        order = self._order(10, user=self.salesperson, partner=self.plain)
        with self.assertRaises(UserError):
            order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")
