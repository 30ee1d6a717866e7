from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.collections_management.tests.common import FrenchMixin


class CreditCommon(FrenchMixin, AccountTestInvoicingCommon):
    """A company with its shipped risk profiles, a customer of the Medium
    profile, a salesperson and two credit managers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        # the company holds orders over any limit, as setup/demo's companies
        # (without it, Odoo's own limit of a customer is a warning)
        cls.company.credit_hold_over_limit = True
        cls.env.user.groups_id |= cls.env.ref(
            "collections_management.group_collections_manager"
        ) | cls.env.ref("credit_control.group_credit_manager")
        cls.profiles = {
            p.score_band: p
            for p in cls.env["credit.risk.profile"].search(
                [("company_id", "=", cls.company.id)]
            )
        }
        cls.customer = cls.env["res.partner"].create(
            {"name": "Garage Leroy", "email": "compta@leroy.example"}
        )
        cls.customer.with_company(cls.company).credit_risk_profile_id = cls.profiles[
            "medium"
        ]  # 20,000 limit, 15 days of overdue tolerated
        cls.salesperson = new_test_user(
            cls.env,
            login="sally",
            name="Sally Sales",
            email="sally@suite.example",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
            company_id=cls.company.id,
        )
        cls.credit_manager = new_test_user(
            cls.env,
            login="carl",
            name="Carl Credit",
            email="carl@suite.example",
            groups="credit_control.group_credit_manager",
            company_id=cls.company.id,
        )
        cls.credit_manager_2 = new_test_user(
            cls.env,
            login="cora",
            name="Cora Credit",
            email="cora@suite.example",
            groups="credit_control.group_credit_manager",
            company_id=cls.company.id,
        )

    @classmethod
    def _set_limit(cls, partner, limit):
        partner = partner.with_company(cls.company)
        partner.use_partner_credit_limit = True
        partner.credit_limit = limit

    @classmethod
    def _invoice(cls, amount, due_date, partner=None, post=True, currency=None):
        invoice = cls.init_invoice(
            "out_invoice",
            partner=partner or cls.customer,
            invoice_date=due_date,
            amounts=[amount],
            taxes=[],
            currency=currency,
            post=False,
        )
        invoice.invoice_date_due = due_date
        if post:
            invoice.action_post()
        return invoice

    def _order(self, amount, user=None, partner=None, currency=None):
        values = {
            "partner_id": (partner or self.customer).id,
            "company_id": self.company.id,
            "order_line": [
                (
                    0,
                    0,
                    {
                        "product_id": self.product_a.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": [(6, 0, [])],
                    },
                )
            ],
        }
        if currency:
            values["pricelist_id"] = (
                self.env["product.pricelist"]
                .create({"name": currency.name, "currency_id": currency.id})
                .id
            )
        return self.env["sale.order"].with_user(user or self.salesperson).create(values)
