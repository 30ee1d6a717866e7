from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditTours(CreditCommon, HttpCase):
    """The credit manager (French, working in the French company) and the
    salesperson (English, US) in a browser, logged in as users of the
    demo's role setup; the server checks what their clicks did."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french(["credit_control"])
        cls.french_company = cls.setup_other_company(name="Imprimerie Dubois")[
            "company"
        ]
        both = cls.company | cls.french_company
        Users = cls.env["res.users"]
        cls.sam = Users._collections_create_role_user(
            "tour.sales",
            "salesperson",
            cls.company,
            both,
            name="Sam Carter",
            password="tour.sales",
            lang="en_US",
        )
        cls.elise = Users._collections_create_role_user(
            "tour.credit",
            "credit_manager",
            cls.french_company,
            both,
            name="Élise Martin",
            password="tour.credit",
            lang="fr_FR",
        )
        cls.customer.customer_rank = 1
        cls.atelier = cls.env["res.partner"].create(
            {"name": "Atelier Martin", "customer_rank": 1}
        )

    def _release(self, partner, amount):
        self._set_limit(partner, 100)
        order = self._order(amount, user=self.sam, partner=partner)
        self.env["credit.release.request.wizard"].with_user(self.sam).create(
            {"order_id": order.id, "reason": "Key account"}
        ).action_request()
        return order

    def test_credit_manager_decides_sets_a_hold_reads_a_score(self):
        approved = self._release(self.customer, 500)
        refused = self._release(self.atelier, 700)
        with mute_logger("odoo.http"):  # the reason-less rejection's UserError
            self.start_tour(
                "/odoo/action-credit_control.credit_release_action",
                "credit_control_decide_releases",
                login="tour.credit",
            )
        self.env.invalidate_all()
        self.assertEqual(approved.credit_release_ids.state, "approved")
        self.assertEqual(approved.credit_release_ids.decided_by_id, self.elise)
        self.assertEqual(approved.state, "sale")
        release = refused.credit_release_ids
        self.assertEqual(release.state, "rejected")
        self.assertEqual(release.decision_note, "Réglez d'abord les factures échues.")
        self.assertEqual(refused.credit_state, "rejected")
        told = refused.message_ids.filtered(
            lambda m: self.sam.partner_id in m.partner_ids
        )
        self.assertEqual(len(told), 1)
        # Sam reads English
        self.assertIn("Credit release refused by Élise Martin", told.body)
        self.assertIn("Réglez d'abord les factures échues.", told.body)

        # a customer of the French company, late, reviewed: a score to read
        customer = self.atelier.with_company(self.french_company)
        invoice = (
            self.env["account.move"]
            .with_company(self.french_company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.atelier.id,
                    "invoice_date": fields.Date.today() - timedelta(days=80),
                    "invoice_date_due": fields.Date.today() - timedelta(days=80),
                    "invoice_line_ids": [(0, 0, {"name": "Devis", "price_unit": 900})],
                }
            )
        )
        invoice.action_post()
        self.env["res.partner"]._credit_review_companies(self.french_company)
        self.assertTrue(customer.credit_score)
        self.start_tour(
            f"/odoo/res.partner/{self.atelier.id}",
            "credit_control_manual_hold",
            login="tour.credit",
        )
        self.assertTrue(customer.credit_hold)
        self.assertEqual(customer.credit_hold_reason, "Redressement judiciaire")
        self.assertFalse(self.atelier.with_company(self.company).credit_hold)

    def test_salesperson_finds_the_hold_is_refused_requests_a_release(self):
        self.customer.with_company(self.company).write(
            {"credit_hold": True, "credit_hold_reason": "Bankruptcy rumours"}
        )
        self.env["res.partner"].create({"name": "Pays on Time", "customer_rank": 1})
        order = self._order(450, user=self.sam)
        with mute_logger("odoo.http"):  # Confirm refused: a UserError
            self.start_tour(
                "/odoo/action-account.res_partner_action_customer",
                "credit_control_salesperson_release",
                login="tour.sales",
            )
        self.env.invalidate_all()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.credit_state, "waiting")
        release = order.credit_release_ids
        self.assertEqual(release.state, "requested")
        self.assertEqual(release.requested_by_id, self.sam)
        self.assertEqual(release.reason, "Key account, pays on delivery")
        tasks = self.env["mail.activity"].search(
            [("res_model", "=", "credit.release"), ("res_id", "=", release.id)]
        )
        self.assertIn(self.credit_manager, tasks.user_id)
