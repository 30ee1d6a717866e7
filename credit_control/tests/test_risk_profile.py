from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestRiskProfile(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.groups_id |= cls.env.ref("credit_control.group_credit_manager")
        cls.profiles = cls.env["credit.risk.profile"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.salesperson = new_test_user(
            cls.env,
            login="sally.sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="carl.credit",
            groups="credit_control.group_credit_manager",
            company_id=cls.company.id,
        )

    def test_shipped_profiles(self):
        self.assertEqual(
            self.profiles.mapped("name"), ["Low", "Medium", "High", "Blocked"]
        )
        self.assertEqual(self.profiles.mapped("credit_limit"), [50000, 20000, 5000, 0])
        self.assertEqual(self.profiles.mapped("max_overdue_days"), [30, 15, 0, 0])

    def test_new_company_gets_profiles(self):
        company = self.env["res.company"].create({"name": "Succursale Lille"})
        profiles = self.env["credit.risk.profile"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(len(profiles), 4)

    def test_negative_limit_refused(self):
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.profiles[0].credit_limit = -1
        with self.assertRaisesRegex(ValidationError, "at least one day"):
            self.profiles[1].review_interval_days = 0

    def test_salesperson_reads_credit_manager_edits(self):
        low = self.profiles[0]
        self.assertEqual(low.with_user(self.salesperson).credit_limit, 50000)
        with self.assertRaises(AccessError):
            low.with_user(self.salesperson).credit_limit = 90000
        low.with_user(self.credit_manager).credit_limit = 60000
        self.assertEqual(low.credit_limit, 60000)

    def test_profile_is_per_company(self):
        """A customer shared by two companies has a profile in each."""
        other = self.env["res.company"].create({"name": "Branch Boston"})
        other_high = self.env["credit.risk.profile"].search(
            [("company_id", "=", other.id), ("name", "=", "High")]
        )
        partner = self.env["res.partner"].create({"name": "Atelier Durand"})
        partner.with_company(self.company).credit_risk_profile_id = self.profiles[0]
        partner.with_company(other).credit_risk_profile_id = other_high
        self.assertEqual(
            partner.with_company(self.company).credit_risk_profile_id.name, "Low"
        )
        self.assertEqual(partner.with_company(other).credit_risk_profile_id, other_high)
        self.assertEqual(self.profiles[0].partner_count, 1)

    def test_other_company_profiles_hidden(self):
        other = self.env["res.company"].create({"name": "Branch Denver"})
        visible = self.env["credit.risk.profile"].with_user(self.salesperson).search([])
        self.assertEqual(visible, self.profiles)
        self.assertNotIn(other, visible.company_id)
