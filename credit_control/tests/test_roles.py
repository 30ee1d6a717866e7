from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CreditCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestCreditRoles(CreditCommon):
    """The credit manager's and the salesperson's day, with the groups the
    demo's role setup gives them (US company, and a French one)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_french(["credit_control"])
        cls.french_company = cls.setup_other_company(name="Imprimerie Dubois")[
            "company"
        ]
        cls.french_company.partner_id.lang = "fr_FR"
        Users = cls.env["res.users"]
        both = cls.company | cls.french_company
        # as setup/demo: a US salesperson, a French credit manager, both
        # allowed in the two companies
        cls.sales = Users._collections_create_role_user(
            "sales.role",
            "salesperson",
            cls.company,
            both,
            name="Sam Carter",
            lang="en_US",
        )
        cls.elise = Users._collections_create_role_user(
            "credit.role",
            "credit_manager",
            cls.french_company,
            both,
            name="Élise Martin",
            lang="fr_FR",
        )

    def _requested_release(self, amount=500, user=None):
        self._set_limit(self.customer, 100)
        order = self._order(amount, user=user or self.sales)
        wizard = (
            self.env["credit.release.request.wizard"]
            .with_user(user or self.sales)
            .create({"order_id": order.id, "reason": "Key account"})
        )
        wizard.action_request()
        return order, order.credit_release_ids.sudo()

    # ------------------------------------------------------------------
    # Defect 6: the credit manager sets a manual hold on the customer form
    # ------------------------------------------------------------------

    def test_credit_manager_sets_a_manual_hold_on_the_form(self):
        customer = self.customer.with_company(self.company)
        with Form(customer.with_user(self.elise)) as form:
            form.credit_hold = True
            form.credit_hold_reason = "Redressement judiciaire"
        self.assertTrue(customer.credit_hold)
        self.assertEqual(customer.credit_hold_reason, "Redressement judiciaire")
        self.assertIn(
            "Redressement judiciaire", self._order(10, user=self.sales).credit_warning
        )
        # the hold is the company's: the French company is not touched
        self.assertFalse(self.customer.with_company(self.french_company).credit_hold)
        # the salesperson neither sees the checkbox nor can write it
        form = Form(customer.with_user(self.sales))
        with self.assertRaises(AssertionError):
            form.credit_hold = False
        with self.assertRaises(AccessError):
            customer.with_user(self.sales).credit_hold = False
        # nor can a salesperson who may edit contacts (Odoo gives every new
        # user "Contact Creation"; CRM gives salespeople contact edition)
        editor = new_test_user(
            self.env,
            login="sales.editor",
            groups="sales_team.group_sale_salesman,base.group_partner_manager",
            company_id=self.company.id,
        )
        with self.assertRaisesRegex(AccessError, "Only a credit manager"):
            customer.with_user(editor).write({"credit_hold": False})
        customer.with_user(editor).write({"phone": "+1 555 0100"})
        self.assertTrue(customer.credit_hold)

    # ------------------------------------------------------------------
    # Defect 15: releases of every allowed company; a rejection says why
    # ------------------------------------------------------------------

    def test_release_of_the_us_company_reaches_the_french_credit_manager(self):
        order, release = self._requested_release()
        self.assertEqual(release.company_id, self.company)
        # Élise works in the French company only, as the web client says
        french_only = self.env(
            user=self.elise, context={"allowed_company_ids": self.french_company.ids}
        )
        self.assertEqual(
            french_only["credit.release"].search([("state", "=", "requested")]),
            release,
        )
        groups = french_only["res.users"]._get_activity_groups()
        counts = {group["model"]: group["total_count"] for group in groups}
        self.assertEqual(counts.get("credit.release"), 1)
        # she decides on it from there: the order is confirmed in its company
        french_only["credit.release"].browse(release.id).action_approve()
        self.assertEqual(release.state, "approved")
        self.assertEqual(order.state, "sale")
        # a credit manager of the French company only sees nothing of it
        french_manager = self.env["res.users"]._collections_create_role_user(
            "credit.fr.only", "credit_manager", self.french_company
        )
        self.assertFalse(
            self.env["credit.release"]
            .with_user(french_manager)
            .search([("id", "=", release.id)])
        )

    def test_rejection_needs_a_reason_told_in_the_requesters_language(self):
        order, release = self._requested_release()
        as_elise = release.with_user(self.elise).with_context(
            lang="fr_FR", allowed_company_ids=self.french_company.ids
        )
        with self.assertRaisesRegex(UserError, "pourquoi le déblocage est refusé"):
            as_elise.action_reject()
        self.assertEqual(release.state, "requested")
        as_elise.decision_note = "Payer d'abord les factures échues."
        as_elise.action_reject()
        self.assertEqual(release.state, "rejected")
        self.assertEqual(order.credit_state, "rejected")
        note = order.message_ids[0]
        self.assertIn(self.sales.partner_id, note.partner_ids)
        # Sam reads English, whoever wrote the decision
        self.assertIn("Credit release refused by Élise Martin", note.body)
        self.assertIn("Payer d'abord les factures échues.", note.body)
        # and reads it on the release too
        self.assertEqual(
            release.with_user(self.sales).decision_note,
            "Payer d'abord les factures échues.",
        )

    # ------------------------------------------------------------------
    # Defect 8: hold reasons and amounts in the reader's language
    # ------------------------------------------------------------------

    def test_french_reader_reads_the_hold_in_french(self):
        self._invoice(1000, date(2026, 4, 1))
        order, release = self._requested_release(amount=150)
        # requested by an English salesperson, read by a French manager
        french = self.env(
            user=self.elise,
            context={"lang": "fr_FR", "allowed_company_ids": self.company.ids},
        )
        causes = french["credit.release"].browse(release.id).causes
        self.assertIn("Limite de crédit dépassée de $\xa01\xa0050,00", causes)
        self.assertNotIn("Over the credit limit", causes)
        summary = french["res.partner"].browse(self.customer.id).credit_hold_summary
        self.assertIn("Limite de crédit dépassée de $\xa0900,00", summary)
        warning = french["sale.order"].browse(order.id).credit_warning
        self.assertIn("encours de $\xa01\xa0150,00 avec cette commande", warning)
        # the manager's task reads French; the requester's note English
        task = release.activity_ids.filtered(lambda a: a.user_id == self.elise)
        self.assertEqual(
            task.summary,
            f"Déblocage de crédit de la commande {order.name} : $\xa0150,00",
        )
        self.assertIn(
            "Limite de crédit dépassée de $&nbsp;1&nbsp;050,00", str(task.note)
        )
        self.assertIn("Over the credit limit", order.message_ids[0].body)
        english = release.with_user(self.sales).with_context(lang="en_US")
        self.assertIn("Over the credit limit by $\xa01,050.00", english.causes)

    # ------------------------------------------------------------------
    # Defect 7: the salesperson's "Credit Hold" filter on customers
    # ------------------------------------------------------------------

    def test_salesperson_filters_the_customers_on_hold(self):
        Partner = self.env["res.partner"]
        held_by_hand = Partner.create({"name": "Held by Hand"})
        held_by_hand.with_company(self.company).write(
            {"credit_hold": True, "credit_hold_reason": "Bankruptcy rumours"}
        )
        self._invoice(300, date(2026, 2, 1))  # 37 days late, 15 tolerated
        fine = Partner.create({"name": "Pays on Time"})
        self._invoice(300, date(2026, 4, 1), partner=fine)
        (self.customer | fine).with_company(self.company)._credit_refresh_holds(
            self.company
        )
        sales_env = self.env(user=self.sales, context={"lang": "en_US"})
        arch = sales_env["res.partner"].get_views([(False, "search")])["views"][
            "search"
        ]["arch"]
        node = etree.fromstring(arch).find(".//filter[@name='credit_on_hold']")
        self.assertIsNotNone(node, "the salesperson has no Credit Hold filter")
        self.assertEqual(node.get("string"), "Credit Hold")
        found = sales_env["res.partner"].search(
            safe_eval(node.get("domain"), {"uid": self.sales.id})
        )
        self.assertIn(held_by_hand, found)
        self.assertIn(self.customer, found)  # overdue beyond its profile
        self.assertNotIn(fine, found)
        # and opens the customer, whose credit figures read Odoo's own
        # (accounting) credit limit for it
        self._set_limit(self.customer, 5000)
        self.env.invalidate_all()
        form = Form(sales_env["res.partner"].browse(self.customer.id))
        self.assertEqual(form.credit_effective_limit, 5000)
        self.assertIn("Overdue invoices", form.credit_hold_summary)

    # ------------------------------------------------------------------
    # Defect 18: the score breakdown in points, with its total
    # ------------------------------------------------------------------

    def test_score_breakdown_reads_points_and_their_total(self):
        self._invoice(2000, date(2025, 12, 10))  # 90 days overdue
        self.env["res.partner"]._credit_review_companies(self.company)
        partner = self.customer.with_company(self.company)
        self.assertTrue(
            partner.credit_score,
            (partner.credit_review_date, partner.credit_score_details),
        )
        french = partner.with_user(self.elise).with_context(
            lang="fr_FR", allowed_company_ids=self.company.ids
        )
        breakdown = str(french.credit_score_breakdown)
        score = f"{partner.credit_score:.1f}".replace(".", ",")
        self.assertIn(f"{score} points sur 100", breakdown)
        self.assertRegex(
            breakdown, r"Ancienneté de la plus ancienne facture échue.*\d+,\d points"
        )
        english = str(partner.with_context(lang="en_US").credit_score_breakdown)
        self.assertIn(f"{partner.credit_score:.1f} points out of 100", english)
        self.assertIn("Points of Risk", english)
