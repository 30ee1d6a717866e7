from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestCreditHold(CreditCommon):
    def test_exposure_in_several_currencies_and_companies(self):
        eur = self.setup_other_currency("EUR")  # 2 EUR for 1 USD in 2026
        self._invoice(1000, date(2026, 4, 1))  # 1,000 USD open
        self._invoice(600, date(2026, 4, 1), currency=eur)  # 300 USD
        self._invoice(200, date(2026, 4, 1), post=False)  # draft: 200 USD
        paid = self._invoice(500, date(2026, 4, 1))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({})._create_payments()
        self._order(400).action_confirm()  # confirmed, not invoiced
        self._order(800, currency=eur).action_confirm()  # 400 USD
        self._order(999)  # a quotation counts for nothing
        other = self.setup_other_company()["company"]
        self.env["account.move"].with_company(other).create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-03-01",
                "invoice_line_ids": [(0, 0, {"name": "x", "price_unit": 5000})],
            }
        ).action_post()
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.credit_exposure, 1000 + 300 + 200 + 400 + 400)
        self.assertEqual(partner.credit_effective_limit, 20000)
        self.assertEqual(partner.credit_available, 20000 - 2300)
        self.company.credit_include_draft_invoices = False
        partner.invalidate_recordset(["credit_exposure"])
        self.assertEqual(partner.credit_exposure, 2100)

    def test_banner_and_refusal_over_the_limit(self):
        self._set_limit(self.customer, 1000)
        self._invoice(800, date(2026, 4, 1))
        with Form(self.env["sale.order"].with_user(self.salesperson)) as form:
            form.partner_id = self.customer
            with form.order_line.new() as line:
                line.product_id = self.product_a
                line.price_unit = 300
                line.tax_id.clear()
            # the warning is there before the order is even saved
            self.assertIn("Over the credit limit by $\xa0100.00", form.credit_warning)
            self.assertIn("exposure $\xa01,100.00 with this order", form.credit_warning)
        order = form.record
        with self.assertRaisesRegex(UserError, "cannot be confirmed: Over the credit"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.credit_state)
        small = self._order(200)
        self.assertFalse(small.credit_warning)
        small.action_confirm()
        self.assertEqual(small.state, "sale")

    def test_overdue_beyond_tolerance_sets_and_lifts_itself(self):
        late = self._invoice(300, date(2026, 2, 20))  # 18 days late, 15 tolerated
        order = self._order(100)
        self.assertIn(
            "Overdue invoices: $\xa0300.00, the oldest 18 days late",
            order.credit_warning,
        )
        partner = self.customer.with_company(self.company)
        partner._credit_refresh_holds(self.company)
        self.assertIn("Credit hold in", partner.message_ids[0].body)
        order.with_context(credit_hold_on_refusal=True).action_confirm()
        self.assertEqual(order.credit_state, "waiting")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=late.ids
        ).create({})._create_payments()
        order.invalidate_recordset(["credit_warning"])
        self.assertFalse(order.credit_warning)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_state)
        self.assertEqual(order.credit_release_ids.state, "cancelled")
        self.assertFalse(order.credit_release_ids.activity_ids)
        partner._credit_refresh_holds(self.company)
        self.assertIn("Credit hold lifted", partner.message_ids[0].body)

    def test_manual_hold_and_dunning_level_hold(self):
        partner = self.customer.with_company(self.company)
        partner.write({"credit_hold": True, "credit_hold_reason": "Bankruptcy rumours"})
        self.assertIn(
            "On credit hold: Bankruptcy rumours", self._order(10).credit_warning
        )
        partner.credit_hold = False
        invoice = self._invoice(100, date(2026, 3, 9))
        level = (
            self.env["collection.policy"]
            .search([("company_id", "=", self.company.id), ("is_default", "=", True)])
            .level_ids.sorted("trigger_days")[-1]
        )
        level.is_credit_hold = True
        invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).collection_level_id = level
        self.assertIn(
            "A reminder level that puts the customer on hold",
            self._order(10).credit_warning,
        )

    def test_release_for_the_order(self):
        self._set_limit(self.customer, 100)
        order = self._order(500)
        action = order.with_user(self.salesperson).action_credit_request_release()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.salesperson)
            .with_context(**action["context"])
            .create({"reason": "Key account, pays by transfer on delivery"})
        )
        wizard.action_request()
        release = order.credit_release_ids.sudo()
        self.assertEqual(release.state, "requested")
        self.assertEqual(release.requested_by_id, self.salesperson)
        self.assertEqual(release.order_amount, 500)
        self.assertEqual(release.credit_limit, 100)
        self.assertEqual(order.credit_state, "waiting")
        self.assertEqual(
            set(release.activity_ids.user_id.ids)
            & {self.credit_manager.id, self.credit_manager_2.id},
            {self.credit_manager.id, self.credit_manager_2.id},
        )
        self.assertIn("$\xa0500.00", release.activity_ids[0].summary)
        with self.assertRaises(UserError):
            release.with_user(self.salesperson).action_approve()
        release.with_user(self.credit_manager).action_approve()
        self.assertEqual(release.state, "approved")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_state, "approved")
        self.assertFalse(release.activity_ids)
        # the next order of the customer is stopped again
        with self.assertRaises(UserError):
            self._order(50).action_confirm()

    def test_release_for_the_customer_for_some_days_and_rejection(self):
        self._set_limit(self.customer, 100)
        order = self._order(500, user=self.credit_manager)
        release = self.env["credit.release"]._request(
            order, "Season start", source_user=self.credit_manager
        )
        with self.assertRaisesRegex(UserError, "another credit manager"):
            release.with_user(self.credit_manager).action_approve()
        release.write({"scope": "customer", "days": 7})
        release.with_user(self.credit_manager_2).action_approve()
        self.assertEqual(release.date_until, date(2026, 3, 16))
        self.assertEqual(order.state, "sale")
        second = self._order(300)
        self.assertFalse(second.credit_warning)
        second.action_confirm()
        with freeze_time("2026-03-17"):
            third = self._order(300)
            self.assertTrue(third.credit_warning)
            refused = self.env["credit.release"]._request(
                third, "Please", source_user=self.salesperson
            )
            refused.decision_note = "Pay the open invoices first."
            refused.with_user(self.credit_manager).action_reject()
            self.assertEqual(third.credit_state, "rejected")
            self.assertEqual(third.state, "draft")
            note = third.message_ids[0]
            self.assertIn("Pay the open invoices first.", note.body)
            self.assertIn(self.salesperson.partner_id, note.partner_ids)

    def test_customer_confirmation_waits_for_credit_approval(self):
        """Signed on the portal or paid online: no error for the customer,
        the order waits visibly and the credit managers are asked."""
        self._set_limit(self.customer, 100)
        portal_user = new_test_user(
            self.env,
            login="leroy.portal",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        order = self._order(500)
        order.with_user(portal_user).sudo().action_confirm()  # as the portal does
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_state, "waiting")
        release = order.credit_release_ids.sudo()
        self.assertEqual(release.state, "requested")
        self.assertIn(self.credit_manager, release.activity_ids.user_id)
        self.assertIn("waiting for credit approval", order.message_ids[0].body)
        # an online payment confirms the order through the same check
        paid_online = self._order(600)
        paid_online.with_context(credit_hold_on_refusal=True).action_confirm()
        self.assertEqual(paid_online.credit_state, "waiting")
        self.assertEqual(paid_online.state, "draft")

    def test_salesperson_cannot_touch_holds_or_releases(self):
        partner = self.customer.with_company(self.company).with_user(self.salesperson)
        with self.assertRaises(AccessError):
            self.env["credit.release"].with_user(self.salesperson).create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "reason": "x",
                }
            )
        # but reads the customer's credit figures
        self._invoice(700, date(2026, 4, 1))
        partner.invalidate_recordset(["credit_exposure"])
        self.assertEqual(partner.credit_exposure, 700)
        self.assertEqual(partner.credit_available, 20000 - 700)

    def test_review_scores_downgrades_and_switches_the_dunning_policy(self):
        strict = self.env["collection.policy"].create(
            {"name": "Strict", "company_id": self.company.id}
        )
        self.profiles["high"].collection_policy_id = strict
        partner = self.customer.with_company(self.company)
        standard = partner._collection_policy(self.company)
        # a year of invoices paid 45 days late, and one 90 days overdue
        for month in range(1, 11):
            invoice = self._invoice(1000, date(2025, month, 1))
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {"payment_date": date(2025, month, 1) + timedelta(days=45)}
            )._create_payments()
        self._invoice(2000, date(2025, 12, 10))
        self.env["res.partner"]._credit_review_companies(self.company)
        self.assertGreater(partner.credit_score, 60)
        self.assertEqual(partner.credit_risk_profile_id, self.profiles["high"])
        self.assertEqual(partner._collection_policy(self.company), strict)
        log = partner.message_ids.filtered(lambda m: "Risk profile" in (m.body or ""))
        self.assertIn(f"dunning policy {standard.name} → Strict", log[0].body)
        self.assertIn("risk score", log[0].body)
        tasks = partner.activity_ids.filtered(lambda a: "downgraded" in a.summary)
        self.assertIn(self.credit_manager, tasks.user_id)
        self.assertIn("Average days late", partner.credit_score_breakdown)
        # reviewed today: the next review adds no task
        self.env["res.partner"]._credit_review_companies(self.company)
        self.assertEqual(partner.activity_ids, tasks)
