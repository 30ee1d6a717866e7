from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CreditCommon
from .fake_bureau import FakeBureau


@tagged("post_install", "-at_install")
class TestCreditBureau(CreditCommon):
    """The bureau connector against a local server speaking its protocol;
    no test reaches the internet."""

    def setUp(self):
        super().setUp()
        self.bureau = FakeBureau()
        self.bureau.start()
        self.addCleanup(self.bureau.stop)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("credit_control.bureau_url", self.bureau.url)
        params.set_param("credit_control.bureau_username", "user")
        params.set_param("credit_control.bureau_password", "secret")
        params.set_param("credit_control.bureau_timeout", "2")
        self.customer.write(
            {
                "country_id": self.env.ref("base.fr").id,
                "company_registry": "123456789",
            }
        )

    def test_report_read_and_shown(self):
        self.bureau.add_company(reg_no="123456789", rating="B", score=67, limit=15000)
        self.customer.action_credit_fetch_report()
        self.assertEqual(self.customer.credit_bureau_rating, "B")
        self.assertAlmostEqual(self.customer.credit_bureau_score, 66.67, places=2)
        self.assertEqual(self.customer.credit_bureau_limit, 15000)
        self.assertEqual(self.customer.credit_bureau_currency, "EUR")
        self.assertIn("rating B", self.customer.message_ids[0].body)

    @mute_logger("odoo.addons.credit_control.engine.bureau")
    def test_errors_are_clear_and_block_nothing(self):
        cases = [
            ("password", "wrong", "refused the credentials"),
            ("missing", None, "does not know Garage Leroy"),
            ("quota", None, "quota is used up"),
        ]
        self.bureau.add_company(reg_no="999")
        for case, value, message in cases:
            with self.subTest(case=case):
                self.env["ir.config_parameter"].sudo().set_param(
                    "credit_control.bureau_password",
                    value if case == "password" else "secret",
                )
                self.bureau.quota_exhausted = case == "quota"
                if case == "quota":
                    self.customer.company_registry = "999"
                with self.assertRaisesRegex(UserError, message):
                    self.customer.action_credit_fetch_report()
        self.assertFalse(self.customer.credit_bureau_date)
        # an order goes on without the bureau
        order = self._order(100)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    @mute_logger("odoo.addons.credit_control.engine.bureau")
    def test_timeout(self):
        self.bureau.add_company(reg_no="123456789")
        self.env["ir.config_parameter"].sudo().set_param(
            "credit_control.bureau_timeout", "0.2"
        )
        self.bureau.delay_next(1.0, times=5)
        with self.assertRaisesRegex(UserError, "did not answer in time"):
            self.customer.action_credit_fetch_report()

    def test_not_configured(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "credit_control.bureau_url", ""
        )
        with self.assertRaisesRegex(UserError, "No credit bureau is configured"):
            self.customer.action_credit_fetch_report()
