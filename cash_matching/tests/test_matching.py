from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models import account_bank_statement_line
from .common import CashMatchingCommon


@tagged("post_install", "-at_install")
class TestAutomaticReconciliation(CashMatchingCommon):
    def test_invoice_number_and_amount_reconcile_at_once(self):
        invoice = self._invoice(self.leroy, 1200.0)
        line = self._receive(1200.0, f"Payment {invoice.name} thank you")
        counts = self._match(line)
        self.assertEqual(counts["auto"], 1)
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)
        self.assertEqual(line.partner_id, self.leroy)
        proposal = line.cash_match_proposal_ids.filtered(
            lambda p: p.state == "accepted"
        )
        self.assertEqual(proposal.decided_by, "auto")
        self.assertGreaterEqual(proposal.confidence, 0.95)
        self.assertIn(invoice.name, proposal.explanation)
        # the receivable line of the transaction is what paid the invoice
        receivable = line.move_id.line_ids.filtered(
            lambda aml: aml.account_id == self.receivable
        )
        self.assertEqual(receivable.balance, -1200.0)
        self.assertTrue(receivable.reconciled)

    def test_typo_in_the_reference_still_matches(self):
        invoice = self._invoice(self.leroy, 830.5)
        mangled = invoice.name.replace("/", " ").lower()  # "inv 2026 00001"
        line = self._receive(830.5, f"facture {mangled}")
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)

    def test_known_bank_account_pays_several_invoices(self):
        first = self._invoice(self.dupont, 400.0, "2026-09-01")
        second = self._invoice(self.dupont, 250.0, "2026-09-15")
        self._invoice(self.dupont, 999.0, "2026-10-20")  # not paid by this one
        line = self._receive(
            650.0,
            "VIR SEPA DUPONT",
            partner_name="DUPONT FRERES",
            account_number="FR7630006000011234567890189",
        )
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(first)
        self.assertPaid(second)

    def test_partial_payment_leaves_the_rest_open(self):
        invoice = self._invoice(self.leroy, 1000.0)
        line = self._receive(400.0, f"{invoice.name} first instalment")
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertTrue(line.is_reconciled)
        self.assertPaid(invoice, residual=600.0)
        self.assertEqual(invoice.payment_state, "partial")

    def test_bank_fee_is_written_off(self):
        invoice = self._invoice(self.leroy, 500.0)
        line = self._receive(497.5, invoice.name)
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)
        writeoff = line.move_id.line_ids.filtered(
            lambda aml: aml.account_id == self.writeoff_account
        )
        self.assertEqual(writeoff.balance, 2.5)

    def test_difference_above_tolerance_is_not_written_off(self):
        invoice = self._invoice(self.leroy, 500.0)
        line = self._receive(480.0, invoice.name)  # 20 short: above 5 and 1 %
        self._match(line)
        # a partial payment, never a write-off of 20
        self.assertFalse(
            line.move_id.line_ids.filtered(
                lambda aml: aml.account_id == self.writeoff_account
            )
        )
        self.assertTrue(line.is_reconciled)
        self.assertPaid(invoice, residual=20.0)

    def test_early_payment_discount(self):
        term = self._discount_term()
        invoice = self._invoice(self.leroy, 1000.0, "2026-11-10", term=term)
        line = self._receive(
            980.0, invoice.name, day=fields.Date.from_string("2026-11-15")
        )
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)
        discount = line.move_id.line_ids.filtered(
            lambda aml: (
                aml.account_id
                == self.company.account_journal_early_pay_discount_loss_account_id
            )
        )
        self.assertEqual(discount.balance, 20.0)

    def test_invoice_minus_credit_note(self):
        invoice = self._invoice(self.dupont, 900.0)
        refund = self._refund(self.dupont, 150.0)
        line = self._receive(
            750.0, "settlement", account_number="FR76 3000 6000 0112 3456 7890 189"
        )
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)
        self.assertEqual(refund.amount_residual, 0.0)

    def test_foreign_currency_invoice_paid_at_the_banks_rate(self):
        gold = self.setup_other_currency(
            "EUR", rates=[("2026-01-01", 0.5), ("2026-11-01", 0.4)]
        )
        invoice = self._invoice(self.leroy, 800.0, currency=gold)  # 800 EUR
        self.assertEqual(invoice.amount_total_signed, 1600.0)  # booked at 0.5
        line = self._receive(
            2000.0, invoice.name, foreign_currency_id=gold.id, amount_currency=800.0
        )
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)
        self.assertEqual(invoice.amount_residual, 0.0)
        # the 400 gained on the rate is an exchange difference, not a debt
        receivable = invoice.line_ids.filtered(
            lambda aml: aml.account_id == self.receivable
        )
        self.assertTrue(receivable.reconciled)
        exchange = (
            receivable.matched_credit_ids.exchange_move_id
            | receivable.full_reconcile_id.exchange_move_id
        )
        self.assertEqual(sum(exchange.line_ids.mapped("debit")), 400.0)

    def test_undo_of_one_line_keeps_the_exchange_difference_of_another(self):
        # reconciled in the same run: each exchange difference stays with the
        # payment that made it, so that undoing one leaves the other paid
        gold = self.setup_other_currency(
            "EUR", rates=[("2026-01-01", 0.5), ("2026-11-01", 0.4)]
        )
        local_invoice = self._invoice(self.dupont, 300.0)
        foreign_invoice = self._invoice(self.leroy, 800.0, currency=gold)
        local_line = self._receive(300.0, local_invoice.name)
        foreign_line = self._receive(
            2000.0,
            foreign_invoice.name,
            foreign_currency_id=gold.id,
            amount_currency=800.0,
        )
        self._match(local_line, foreign_line)
        self.assertEqual(local_line.cash_match_state, "auto")
        self.assertEqual(foreign_line.cash_match_state, "auto")
        exchange = self.env["account.move"].search(
            [("journal_id", "=", self.company.currency_exchange_journal_id.id)]
        )
        self.assertEqual(sum(exchange.line_ids.mapped("debit")), 400.0)

        local_line.action_undo_reconciliation()
        self.assertEqual(local_invoice.amount_residual, 300.0)
        self.assertFalse(exchange.reversal_move_ids)
        self.assertPaid(foreign_invoice)
        self.assertTrue(foreign_line.is_reconciled)

        foreign_line.action_undo_reconciliation()
        self.assertEqual(exchange.reversal_move_ids.state, "posted")
        self.assertEqual(foreign_invoice.amount_residual, 800.0)
        self.assertEqual(foreign_invoice.payment_state, "not_paid")
        self.assertFalse(foreign_line.is_reconciled)

    def test_instalment_paid_exactly(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30 % now, 70 % in 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 70.0, "nb_days": 60}
                    ),
                ],
            }
        )
        invoice = self._invoice(self.leroy, 1000.0, term=term)
        first, second = invoice.line_ids.filtered(
            lambda aml: aml.account_id == self.receivable
        ).sorted("date_maturity")
        # the customer pays the second instalment, quoting the invoice
        line = self._receive(700.0, f"{invoice.name} 2/2")
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertTrue(second.reconciled)
        self.assertFalse(first.reconciled)
        self.assertPaid(invoice, residual=300.0)

    def test_one_failure_does_not_hold_back_the_others(self):
        # lines of one run are reconciled together; the one that cannot be
        # (a bank fee with no write-off account) waits alone, with the reason
        self.company.write(
            {
                "cash_match_writeoff_account_id": False,
                "account_journal_early_pay_discount_loss_account_id": False,
            }
        )
        fee_invoice = self._invoice(self.leroy, 500.0)
        clean_invoice = self._invoice(self.dupont, 300.0)
        fee_line = self._receive(497.5, fee_invoice.name)
        clean_line = self._receive(300.0, clean_invoice.name)
        counts = self._match(fee_line, clean_line)
        self.assertEqual((counts["auto"], counts["review"]), (1, 1))
        self.assertEqual(clean_line.cash_match_state, "auto")
        self.assertPaid(clean_invoice)
        self.assertEqual(fee_line.cash_match_state, "review")
        self.assertFalse(fee_line.is_reconciled)
        self.assertIn("write-off account", fee_line.cash_match_message)
        self.assertPaid(fee_invoice, residual=500.0)
        # its proposals wait for the reviewer, the best one first
        self.assertEqual(
            fee_line.cash_match_top_ids[:1].move_line_ids.move_id, fee_invoice
        )

    def test_cron_writes_problems_in_the_companys_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["cash_matching"], ["fr_FR"], overwrite=True
        )
        self.company.partner_id.lang = "fr_FR"
        self.company.write(
            {
                "cash_match_writeoff_account_id": False,
                "account_journal_early_pay_discount_loss_account_id": False,
            }
        )
        fee_invoice = self._invoice(self.leroy, 500.0)
        fee_line = self._receive(497.5, fee_invoice.name)
        # the cron's user reads English
        self.env["account.bank.statement.line"].with_context(
            lang="en_US"
        )._cron_cash_match(commit=False)
        self.assertEqual(fee_line.cash_match_state, "review")
        self.assertIn("Définissez un compte d'écart", fee_line.cash_match_message)
        # a user matching again reads it in their own language
        fee_line.with_context(lang="en_US").action_cash_match()
        self.assertIn("Set a write-off account", fee_line.cash_match_message)

    def test_undo_restores_everything(self):
        invoice = self._invoice(self.leroy, 300.0)
        line = self._receive(300.0, invoice.name)
        self._match(line)
        self.assertPaid(invoice)
        self.assertEqual(line.partner_id, self.leroy)  # found by the matching
        line.action_undo_reconciliation()
        self.assertFalse(line.is_reconciled)
        self.assertEqual(invoice.amount_residual, 300.0)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(line.cash_match_state, "review")
        # the customer found goes too: matching again starts from the bank's
        # data, not from the undone guess
        self.assertFalse(line.partner_id)
        self.assertFalse(line.move_id.partner_id)
        self.assertFalse(line.move_id.line_ids.partner_id)
        self.assertEqual(
            line.cash_match_proposal_ids.filtered(lambda p: p.decided_by).state,
            "rejected",
        )
        suspense = self._suspense(line)
        self.assertEqual(suspense.balance, -300.0)

    def test_undo_keeps_the_customer_the_bank_named(self):
        invoice = self._invoice(self.leroy, 300.0)
        line = self._receive(300.0, invoice.name, partner_id=self.leroy.id)
        self._match(line)
        self.assertPaid(invoice)
        line.action_undo_reconciliation()
        self.assertEqual(invoice.amount_residual, 300.0)
        self.assertEqual(line.partner_id, self.leroy)
        self.assertEqual(line.move_id.line_ids.partner_id, self.leroy)

    def test_unexpected_errors_keep_their_line_in_review(self):
        # neither a bug in the matching of one line nor one in its
        # reconciliation stops the run: later runs would stop on it again
        broken_match = self._invoice(self.leroy, 150.0)
        broken_apply = self._invoice(self.leroy, 250.0)
        fine = self._invoice(self.dupont, 350.0)
        lines = [
            self._receive(150.0, broken_match.name),
            self._receive(250.0, broken_apply.name),
            self._receive(350.0, fine.name),
        ]
        model = type(lines[0])
        bank_line, counterparts = (
            model._cash_match_bank_line,
            model._cash_match_counterparts,
        )

        def failing_bank_line(line):
            if line == lines[0]:
                raise TypeError("no amount")
            return bank_line(line)

        def failing_counterparts(line, proposal):
            if line == lines[1]:
                raise KeyError("no account")
            return counterparts(line, proposal)

        with (
            patch.object(model, "_cash_match_bank_line", failing_bank_line),
            patch.object(model, "_cash_match_counterparts", failing_counterparts),
            self.assertLogs(account_bank_statement_line._logger.name) as logs,
        ):
            counts = self._match(*lines)
        self.assertEqual((counts["auto"], counts["review"]), (1, 2))
        self.assertPaid(fine)
        self.assertEqual(broken_match.amount_residual, 150.0)
        self.assertEqual(broken_apply.amount_residual, 250.0)
        self.assertEqual(
            [line.cash_match_state for line in lines], ["review", "review", "auto"]
        )
        self.assertIn("no amount", lines[0].cash_match_message)
        self.assertIn("no account", lines[1].cash_match_message)
        self.assertEqual(
            [record.levelname for record in logs.records], ["WARNING", "ERROR"]
        )

    def test_undo_of_several_invoices_and_a_fee(self):
        first = self._invoice(self.dupont, 400.0, "2026-09-01")
        second = self._invoice(self.dupont, 250.0, "2026-09-15")
        line = self._receive(
            647.5,
            f"{first.name} {second.name}",
            account_number="FR7630006000011234567890189",
        )
        self._match(line)
        self.assertEqual(line.cash_match_state, "auto")
        self.assertEqual(len(line.move_id.line_ids), 4)  # bank, 2 invoices, fee
        line.action_undo_reconciliation()
        self.assertEqual(first.amount_residual, 400.0)
        self.assertEqual(second.amount_residual, 250.0)
        self.assertEqual(
            line.move_id.line_ids.mapped("account_id"),
            self.bank.default_account_id | self.bank.suspense_account_id,
        )
        self.assertFalse(
            self.env["account.move.line"].search(
                [("account_id", "=", self.writeoff_account.id)]
            )
        )
        # matched again (the Match button), it pays the same invoices again
        line.action_cash_match()
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(first)
        self.assertPaid(second)


@tagged("post_install", "-at_install")
class TestReviewQueue(CashMatchingCommon):
    def test_amount_alone_waits_for_review_with_proposals(self):
        first = self._invoice(self.leroy, 720.0, "2026-09-01")
        self._invoice(self.dupont, 720.0, "2026-09-02")
        line = self._receive(720.0, "VIREMENT")
        counts = self._match(line)
        self.assertEqual(counts["review"], 1)
        self.assertFalse(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "review")
        top = line.cash_match_top_ids
        self.assertTrue(1 <= len(top) <= 3)
        self.assertTrue(all(p.confidence < 0.95 for p in top))
        choice = top.filtered(lambda p: p.move_line_ids.move_id == first)
        choice.action_accept()
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "accepted")
        self.assertPaid(first)
        self.assertEqual(choice.decided_by, "user")
        self.assertTrue(choice.features)  # kept for learning

    def test_reject_keeps_the_line_waiting(self):
        self._invoice(self.leroy, 55.0)
        line = self._receive(55.0, "")
        self._match(line)
        proposal = line.cash_match_top_ids[:1]
        proposal.action_reject()
        self.assertEqual(proposal.state, "rejected")
        self.assertNotIn(proposal, line.cash_match_top_ids)
        self.assertFalse(line.is_reconciled)

    def test_match_by_hand(self):
        invoice = self._invoice(self.leroy, 210.0)
        other = self._invoice(self.leroy, 90.0)
        line = self._receive(300.0, "no reference at all")
        self._match(line)
        wizard = self._hand_wizard(line, invoice, other)
        wizard.action_confirm()
        self.assertTrue(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "manual")
        self.assertPaid(invoice)
        self.assertPaid(other)

    def test_match_by_hand_of_an_overpayment(self):
        invoice = self._invoice(self.leroy, 210.0)
        line = self._receive(250.0, "no reference at all")
        self._match(line)
        wizard = self._hand_wizard(line, invoice)
        self.assertEqual(wizard.total_selected, 210.0)
        wizard.action_confirm()
        self.assertPaid(invoice)
        self.assertEqual(line.cash_match_state, "manual")
        # the 40 paid too much wait on the suspense account, said on the line
        self.assertFalse(line.is_reconciled)
        suspense = self._suspense(line)
        self.assertEqual(suspense.balance, -40.0)
        self.assertIn("40.00", line.cash_match_message)
        with self.assertRaises(UserError):
            line.action_cash_match()
        # it is undone like a reconciled line
        line.action_undo_reconciliation()
        self.assertEqual(invoice.amount_residual, 210.0)
        self.assertEqual(line.cash_match_state, "review")
        self.assertFalse(line.cash_match_message)
        suspense = self._suspense(line)
        self.assertEqual(suspense.balance, -250.0)

    def test_match_by_hand_in_a_foreign_currency_journal(self):
        gold = self.setup_other_currency(
            "EUR", rates=[("2026-01-01", 0.5), ("2026-11-01", 0.4)]
        )
        journal = self.env["account.journal"].create(
            {"name": "Gold Bank", "type": "bank", "code": "GBK", "currency_id": gold.id}
        )
        invoice = self._invoice(self.leroy, 800.0, currency=gold)  # 1,600 booked
        line = self._receive(800.0, "no reference at all", journal=journal)
        self._match(line)
        wizard = self._hand_wizard(line, invoice)
        wizard.action_confirm()
        self.assertTrue(line.is_reconciled)
        self.assertPaid(invoice)
        # 2,000 received for 1,600: the exchange difference has its own
        # entry, which is not a second entry of the bank transaction
        exchange = self.env["account.move"].search(
            [("journal_id", "=", self.company.currency_exchange_journal_id.id)]
        )
        self.assertEqual(sum(exchange.line_ids.mapped("debit")), 400.0)
        self.assertFalse(exchange.statement_line_id)
        self.assertEqual(line.move_id.statement_line_id, line)

    def test_decided_proposal_cannot_be_decided_again(self):
        invoice = self._invoice(self.leroy, 55.0)
        line = self._receive(55.0, "")
        self._match(line)
        proposal = line.cash_match_top_ids[:1]
        proposal.action_accept()
        self.assertPaid(invoice)
        with self.assertRaises(UserError):
            proposal.action_reject()
        with self.assertRaises(UserError):
            proposal.action_accept()
        self.assertEqual(proposal.state, "accepted")
        self.assertTrue(line.is_reconciled)

    def test_explanation_shows_names_as_written(self):
        brasserie = self.env["res.partner"].create({"name": "Brasserie O'Brien & Fils"})
        self._invoice(brasserie, 120.0)
        line = self._receive(120.0, "", partner_name="Brasserie O'Brien & Fils")
        self._match(line)
        explanation = str(line.cash_match_proposal_ids[:1].explanation)
        # escaped once: the browser shows the apostrophe and the ampersand
        self.assertIn("O&#39;Brien &amp; Fils", explanation)
        self.assertNotIn("&amp;#39;", explanation)
        self.assertNotIn("&amp;amp;", explanation)

    def test_unmatched_line_does_not_block_the_run(self):
        invoice = self._invoice(self.leroy, 410.0)
        stranger = self._receive(77.77, "GIFT FROM AUNT", partner_name="Jane Nobody")
        good = self._receive(410.0, invoice.name)
        counts = self._match(stranger, good)
        self.assertEqual(counts["auto"], 1)
        self.assertEqual(stranger.cash_match_state, "review")
        self.assertFalse(stranger.is_reconciled)
        self.assertPaid(invoice)

    def test_cron_takes_new_lines_once(self):
        invoice = self._invoice(self.leroy, 120.0)
        line = self._receive(120.0, invoice.name)
        self.assertEqual(line.cash_match_state, "new")
        self.env["account.bank.statement.line"]._cron_cash_match(commit=False)
        self.assertEqual(line.cash_match_state, "auto")
        accepted = line.cash_match_proposal_ids
        # a second run neither re-proposes nor touches it
        self.env["account.bank.statement.line"]._cron_cash_match(commit=False)
        self.assertEqual(line.cash_match_proposal_ids, accepted)

    def test_cron_reads_the_open_items_once_per_run(self):
        # one line per batch: later batches match with the open items read by
        # the first, less what earlier batches took
        first = self._invoice(self.leroy, 120.0)
        second = self._invoice(self.dupont, 75.0)
        lines = [self._receive(120.0, first.name), self._receive(75.0, second.name)]
        duplicate = self._receive(120.0, first.name)
        model = self.registry["account.bank.statement.line"]
        with (
            patch.object(account_bank_statement_line, "CRON_BATCH", 1),
            patch.object(
                model,
                "_cash_match_book",
                autospec=True,
                side_effect=model._cash_match_book,
            ) as book,
        ):
            self.env["account.bank.statement.line"]._cron_cash_match(commit=False)
        self.assertEqual(book.call_count, 1)
        self.assertEqual([line.cash_match_state for line in lines], ["auto", "auto"])
        self.assertPaid(first)
        self.assertPaid(second)
        # the same payment sent twice: the invoice is no longer open for it
        self.assertEqual(duplicate.cash_match_state, "review")
        self.assertFalse(duplicate.is_reconciled)
        self.assertNotIn(first, duplicate.cash_match_proposal_ids.move_line_ids.move_id)

    def test_items_of_a_failed_line_stay_open_for_the_next_batches(self):
        # the first line pays with a bank fee and no write-off account: it
        # waits for review, and the invoice is still there for the next one
        self.company.write(
            {
                "cash_match_writeoff_account_id": False,
                "account_journal_early_pay_discount_loss_account_id": False,
            }
        )
        invoice = self._invoice(self.leroy, 500.0)
        fee_line = self._receive(497.5, invoice.name)
        full_line = self._receive(500.0, invoice.name)
        with patch.object(account_bank_statement_line, "CRON_BATCH", 1):
            self.env["account.bank.statement.line"]._cron_cash_match(commit=False)
        self.assertEqual(fee_line.cash_match_state, "review")
        self.assertIn("write-off account", fee_line.cash_match_message)
        self.assertEqual(full_line.cash_match_state, "auto")
        self.assertPaid(invoice)

    def _proposed_then_paid(self, amount, paid=None):
        """An invoice proposed (for review) to a line of ``amount``, then a
        payment registered on it by hand: in full, or ``paid``."""
        invoice = self._invoice(self.leroy, amount)
        self._invoice(self.dupont, amount)
        line = self._receive(amount, "")
        self._match(line)
        proposal = line.cash_match_top_ids.filtered(
            lambda p: p.move_line_ids.move_id == invoice
        )
        self.assertEqual(proposal.kind, "full")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": paid} if paid else {})._create_payments()
        return invoice, line, proposal

    def test_partly_paid_meanwhile_is_refused_cleanly(self):
        invoice, line, proposal = self._proposed_then_paid(500.0, paid=200.0)
        self.assertPaid(invoice, residual=300.0)
        with self.assertRaisesRegex(UserError, "partly paid or credited meanwhile"):
            proposal.action_accept()
        self.assertFalse(line.is_reconciled)
        self.assertEqual(line.cash_match_state, "review")
        self.assertPaid(invoice, residual=300.0)

    def test_paid_meanwhile_is_refused_cleanly(self):
        _invoice, line, proposal = self._proposed_then_paid(66.0)
        with self.assertRaisesRegex(UserError, "was paid meanwhile"):
            proposal.action_accept()
        self.assertFalse(line.is_reconciled)


@tagged("post_install", "-at_install")
class TestIsolation(CashMatchingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.setup_other_company(name="Ardoise Lyon")
        cls.other_company = cls.other["company"]

    def test_other_company_invoices_are_never_proposed(self):
        invoice = self._invoice(self.leroy, 500.0, company=self.other_company)
        self.assertEqual(invoice.company_id, self.other_company)
        own = self._invoice(self.dupont, 500.0)
        line = self._receive(500.0, invoice.name)
        self._match(line)
        proposed = line.cash_match_proposal_ids.move_line_ids
        self.assertTrue(proposed & own.line_ids)  # the matching did propose
        self.assertFalse(
            proposed.filtered(lambda aml: aml.company_id == self.other_company)
        )

    def test_other_company_line_is_reconciled_in_its_own_books(self):
        # the run starts from the main company (the cron's, the user's) and
        # reconciles each line in its own company
        invoice = self._invoice(self.leroy, 640.0, company=self.other_company)
        line = self._receive(
            640.0, invoice.name, journal=self.other["default_journal_bank"]
        )
        self.assertEqual(self.env.company, self.company)
        counts = self._match(line)
        self.assertEqual((counts["auto"], counts["review"]), (1, 0))
        self.assertEqual(line.cash_match_state, "auto")
        self.assertPaid(invoice)
        receivable = line.move_id.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.company_id, self.other_company)
        self.assertEqual(receivable.account_id.company_ids, self.other_company)
        self.assertEqual(receivable.balance, -640.0)
        self.assertEqual(line.partner_id, self.leroy)

    def test_proposals_follow_the_users_companies(self):
        line = self._receive(500.0, "x", journal=self.other["default_journal_bank"])
        self._invoice(self.leroy, 500.0, company=self.other_company)
        self._match(line)
        self.assertTrue(line.cash_match_proposal_ids)
        user = new_test_user(
            self.env,
            login="bookkeeper_main",
            groups="account.group_account_basic,base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        visible = self.env["cash.match.proposal"].with_user(user).search([])
        self.assertFalse(visible & line.cash_match_proposal_ids)
        # while the proposals of the user's company are there
        own_line = self._receive(75.0, "y")
        self._invoice(self.leroy, 75.0)
        self._match(own_line)
        self.assertTrue(own_line.cash_match_proposal_ids)
        visible = self.env["cash.match.proposal"].with_user(user).search([])
        self.assertEqual(
            visible & (own_line.cash_match_proposal_ids | line.cash_match_proposal_ids),
            own_line.cash_match_proposal_ids,
        )

    def test_portal_user_sees_no_proposal(self):
        self._invoice(self.leroy, 66.0)
        line = self._receive(66.0, "")
        self._match(line)
        self.assertTrue(line.cash_match_proposal_ids)
        customer = new_test_user(
            self.env,
            login="leroy_portal",
            groups="base.group_portal",
            partner_id=self.leroy.id,
        )
        with self.assertRaises(AccessError):
            line.cash_match_proposal_ids.with_user(customer).read(["confidence"])
        with self.assertRaises(AccessError):
            self.env["cash.match.proposal"].with_user(customer).search([])

    def test_billing_user_reads_but_cannot_accept(self):
        self._invoice(self.leroy, 88.0)
        line = self._receive(88.0, "")
        self._match(line)
        user = new_test_user(
            self.env,
            login="billing_only",
            groups="account.group_account_invoice,base.group_user",
            company_id=self.company.id,
        )
        proposal = line.cash_match_top_ids[:1].with_user(user)
        self.assertTrue(proposal.confidence)
        with self.assertRaises(AccessError):
            proposal.action_reject()
        with self.assertRaises(AccessError):
            proposal.action_accept()
        self.assertEqual(proposal.state, "proposed")
        self.assertFalse(line.is_reconciled)
