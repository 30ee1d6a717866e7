from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCashMatchingSettings(AccountTestInvoicingCommon):
    def test_conservative_default(self):
        self.assertEqual(self.env.company.cash_match_auto_threshold, 0.95)

    def test_threshold_set_from_settings(self):
        self.env["res.config.settings"].create(
            {"cash_match_auto_threshold": 0.9}
        ).execute()
        self.assertEqual(self.env.company.cash_match_auto_threshold, 0.9)

    def test_threshold_out_of_range_refused(self):
        with self.assertRaisesRegex(ValidationError, "between 0.5 and 1"):
            self.env.company.cash_match_auto_threshold = 0.2
        with self.assertRaisesRegex(ValidationError, "between 0.5 and 1"):
            self.env.company.cash_match_auto_threshold = 1.5

    def test_writeoff_account_defaults_to_the_charts_discount_loss_account(self):
        # the company of the test has the generic chart loaded
        company = self.env.company
        loss = company.account_journal_early_pay_discount_loss_account_id
        self.assertTrue(loss)
        self.assertEqual(company.cash_match_writeoff_account_id, loss)
        # what Settings show
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.cash_match_writeoff_account_id, loss)

    def test_writeoff_account_of_a_company_created_later(self):
        other = self.setup_other_company(name="Ardoise Lyon")["company"]
        loss = other.account_journal_early_pay_discount_loss_account_id
        self.assertTrue(loss)
        self.assertEqual(other.cash_match_writeoff_account_id, loss)

    def test_chosen_writeoff_account_stays(self):
        company = self.env.company
        chosen = self.company_data["default_account_expense"]
        self.env["res.config.settings"].create(
            {"cash_match_writeoff_account_id": chosen.id}
        ).execute()
        company.account_journal_early_pay_discount_loss_account_id = self.company_data[
            "default_account_revenue"
        ]
        self.assertEqual(company.cash_match_writeoff_account_id, chosen)
