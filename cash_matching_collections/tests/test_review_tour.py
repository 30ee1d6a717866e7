from odoo.tests import HttpCase, tagged

from odoo.addons.cash_matching.tests.common import CashMatchingCommon


@tagged("post_install", "-at_install")
class TestReviewTour(CashMatchingCommon, HttpCase):
    """A collections manager, as the demo's role setup makes one, accepts a
    payment proposal in the browser, then undoes it."""

    def test_manager_accepts_then_undoes_in_the_browser(self):
        manager = self.env["res.users"]._collections_create_role_user(
            "tour.matching.manager",
            "collections_manager",
            self.company,
            password="tour.matching.manager",
            name="Tour Matching Manager",
        )
        atelier = self.env["res.partner"].create({"name": "Atelier Tour"})
        invoice = self._invoice(atelier, 1450.0, "2026-09-01")
        other = self._invoice(self.dupont, 1450.0, "2026-09-02")
        # the amount alone: both invoices fit, the payment waits for review
        line = self._receive(1450.0, "VIREMENT TOUR")
        self._match(line)
        self.assertEqual(line.cash_match_state, "review")
        proposal = line.cash_match_top_ids.filtered(
            lambda p: p.move_line_ids.move_id == invoice
        )
        self.assertTrue(proposal)
        action = (
            "/odoo/action-cash_matching."
            "account_bank_statement_line_action_cash_match_review"
        )

        self.start_tour(action, "cash_matching_accept", login=manager.login)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "accepted")
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.decision_user_id, manager)
        self.assertPaid(invoice)
        self.assertEqual(other.payment_state, "not_paid")

        self.start_tour(
            f"{action}/{line.id}", "cash_matching_undo", login=manager.login
        )
        self.assertFalse(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "review")
        self.assertEqual(proposal.state, "rejected")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.amount_residual, 1450.0)
