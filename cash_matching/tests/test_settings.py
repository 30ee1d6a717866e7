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
