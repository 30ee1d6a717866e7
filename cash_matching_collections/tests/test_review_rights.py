from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.cash_matching.tests.common import CashMatchingCommon

REVIEW_BUTTONS = {"action_accept", "action_reject"}
LINE_BUTTONS = {"action_cash_match", "action_cash_match_manual"}


@tagged("post_install", "-at_install")
class TestReviewRights(CashMatchingCommon):
    """Who reviews payments sees the buttons through our groups, as the
    demo's role setup gives them; a collector neither sees nor uses them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.env["res.users"]
        cls.manager = users._collections_create_role_user(
            "matching_manager", "collections_manager", cls.company
        )
        cls.reviewer = users._collections_create_role_user(
            "matching_reviewer", "payment_reviewer", cls.company
        )
        cls.collector = users._collections_create_role_user(
            "matching_collector", "collector", cls.company
        )

    def _buttons(self, user, model, view_xmlid, view_type="form"):
        """The names of the buttons of ``view_xmlid`` the web client shows
        ``user`` (the arch as ``get_views`` gives it to that user)."""
        views = (
            self.env[model]
            .with_user(user)
            .get_views([(self.env.ref(view_xmlid).id, view_type)])
        )
        arch = etree.fromstring(views["views"][view_type]["arch"])
        return {button.get("name") for button in arch.iter("button")}

    def _waiting_line(self, amount=720.0):
        """A transaction waiting for review, its proposal for ``invoice``."""
        invoice = self._invoice(self.leroy, amount, "2026-09-01")
        self._invoice(self.dupont, amount, "2026-09-02")
        line = self._receive(amount, "VIREMENT")
        self._match(line)
        self.assertEqual(line.cash_match_state, "review")
        proposal = line.cash_match_top_ids.filtered(
            lambda p: p.move_line_ids.move_id == invoice
        )
        return invoice, line, proposal

    def test_the_demo_administrator_reviews_payments(self):
        # admin is a collections manager by collections_management's data
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("cash_matching.group_cash_match_reviewer"))
        self.assertTrue(admin.has_group("account.group_account_basic"))

    def test_reviewers_see_the_buttons(self):
        for user in (self.manager, self.reviewer):
            with self.subTest(user=user.login):
                line_buttons = self._buttons(
                    user,
                    "account.bank.statement.line",
                    "cash_matching.account_bank_statement_line_view_form_cash_match",
                )
                self.assertLessEqual(
                    REVIEW_BUTTONS | LINE_BUTTONS | {"action_undo_reconciliation"},
                    line_buttons,
                )
                proposal_buttons = self._buttons(
                    user,
                    "cash.match.proposal",
                    "cash_matching.cash_match_proposal_view_form",
                )
                self.assertLessEqual(REVIEW_BUTTONS, proposal_buttons)
                menu = self.env.ref("cash_matching.menu_cash_match_review")
                visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
                self.assertIn(menu.id, visible)

    def test_manager_accepts_then_undoes(self):
        invoice, line, proposal = self._waiting_line()
        proposal.with_user(self.manager).action_accept()
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "accepted")
        self.assertEqual(proposal.decision_user_id, self.manager)
        self.assertPaid(invoice)
        line.with_user(self.manager).action_undo_reconciliation()
        self.assertFalse(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "review")
        self.assertEqual(proposal.state, "rejected")
        self.assertEqual(invoice.amount_residual, 720.0)
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_reviewer_rejects_and_matches_by_hand(self):
        invoice, line, proposal = self._waiting_line(310.0)
        proposal.with_user(self.reviewer).action_reject()
        self.assertEqual(proposal.state, "rejected")
        line = line.with_user(self.reviewer)
        items = invoice.line_ids.filtered(lambda aml: aml.account_id == self.receivable)
        wizard = (
            self.env["cash.match.manual"]
            .with_user(self.reviewer)
            .with_context(**line.action_cash_match_manual()["context"])
            .create({"move_line_ids": [Command.set(items.ids)]})
        )
        wizard.action_confirm()
        self.assertEqual(line.cash_match_state, "manual")
        self.assertPaid(invoice)

    def test_collector_is_not_offered_the_buttons_nor_allowed(self):
        line_buttons = self._buttons(
            self.collector,
            "account.bank.statement.line",
            "cash_matching.account_bank_statement_line_view_form_cash_match",
        )
        self.assertFalse(
            line_buttons
            & (REVIEW_BUTTONS | LINE_BUTTONS | {"action_undo_reconciliation"})
        )
        proposal_buttons = self._buttons(
            self.collector,
            "cash.match.proposal",
            "cash_matching.cash_match_proposal_view_form",
        )
        self.assertFalse(proposal_buttons & REVIEW_BUTTONS)
        menu = self.env.ref("cash_matching.menu_cash_match_review")
        visible = self.env["ir.ui.menu"].with_user(self.collector)._visible_menu_ids()
        self.assertNotIn(menu.id, visible)
        invoice, line, proposal = self._waiting_line(415.0)
        with self.assertRaises(AccessError):
            proposal.with_user(self.collector).action_accept()
        with self.assertRaises(AccessError):
            proposal.with_user(self.collector).action_reject()
        self.assertEqual(proposal.state, "proposed")
        self.assertFalse(line.is_reconciled)
        # nor undo a match made by a reviewer
        proposal.with_user(self.reviewer).action_accept()
        with self.assertRaises(AccessError):
            line.with_user(self.collector).action_undo_reconciliation()
        self.assertTrue(line.is_reconciled)
