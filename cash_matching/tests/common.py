from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CashMatchingCommon(AccountTestInvoicingCommon):
    """A company with a bank journal, two customers (one with a known bank
    account) and helpers to post invoices and receive bank transactions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= cls.env.ref("cash_matching.group_cash_match_reviewer")
        cls.bank = cls.company_data["default_journal_bank"]
        cls.receivable = cls.company_data["default_account_receivable"]
        cls.writeoff_account = cls.company_data["default_account_expense"]
        cls.company.cash_match_writeoff_account_id = cls.writeoff_account
        cls.dupont = cls.env["res.partner"].create(
            {
                "name": "Dupont Frères SARL",
                "bank_ids": [
                    Command.create({"acc_number": "FR76 3000 6000 0112 3456 7890 189"})
                ],
            }
        )
        cls.leroy = cls.env["res.partner"].create({"name": "Leroy Logistics Ltd"})
        cls.today = fields.Date.from_string("2026-11-16")

    @classmethod
    def _invoice(
        cls, partner, amount, day="2026-10-01", currency=None, term=None, **kw
    ):
        invoice = cls.init_invoice(
            "out_invoice",
            partner=partner,
            invoice_date=fields.Date.from_string(day),
            amounts=[amount],
            taxes=[],
            currency=currency,
            **kw,
        )
        if term:
            invoice.invoice_payment_term_id = term
        invoice.action_post()
        return invoice

    @classmethod
    def _refund(cls, partner, amount, day="2026-10-05"):
        refund = cls.init_invoice(
            "out_refund",
            partner=partner,
            invoice_date=fields.Date.from_string(day),
            amounts=[amount],
            taxes=[],
        )
        refund.action_post()
        return refund

    @classmethod
    def _discount_term(cls):
        """30 days, 2 % off when paid within 10 days."""
        return cls.env["account.payment.term"].create(
            {
                "name": "30 days, 2% within 10 days",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
            }
        )

    def _receive(self, amount, ref="", day=None, journal=None, **values):
        """A bank transaction received, as an import would create it."""
        journal = journal or self.bank
        return (
            self.env["account.bank.statement.line"]
            .with_company(journal.company_id)
            .create(
                {
                    "journal_id": journal.id,
                    "date": day or self.today,
                    "amount": amount,
                    "payment_ref": ref,
                    **values,
                }
            )
        )

    def _match(self, *lines):
        lines = self.env["account.bank.statement.line"].union(*lines)
        return lines._cash_match_run(lines)

    def _hand_wizard(self, line, *invoices):
        """The "Match by Hand" wizard of ``line``, opened as its button does,
        with the receivable items of ``invoices`` selected."""
        items = (
            self.env["account.move"]
            .union(*invoices)
            .line_ids.filtered(lambda aml: aml.account_id == self.receivable)
        )
        return (
            self.env["cash.match.manual"]
            .with_context(**line.action_cash_match_manual()["context"])
            .create({"move_line_ids": [Command.set(items.ids)]})
        )

    def _suspense(self, line):
        """The line of ``line``'s entry still on its journal's suspense
        account."""
        return line.move_id.line_ids.filtered(
            lambda aml: aml.account_id == line.journal_id.suspense_account_id
        )

    def assertPaid(self, invoice, residual=0.0):
        self.assertAlmostEqual(invoice.amount_residual, residual, places=2)
        if not residual:
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
