import json
import re

from odoo import http
from odoo.tests import HttpCase, new_test_user

from odoo.addons.account_payment.tests.common import AccountPaymentCommon


class PortalCollectionsCommon(AccountPaymentCommon, HttpCase):
    """Two customers with their portal users, a collector for the first,
    and the shipped default dunning policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.env.user.groups_id |= cls.env.ref(
            "collections_management.group_collections_manager"
        )
        cls.policy = cls.env["collection.policy"].search(
            [("company_id", "=", cls.company.id), ("is_default", "=", True)]
        )
        cls.collector = new_test_user(
            cls.env,
            login="claire",
            name="Claire Collector",
            email="claire@suite.example",
            groups="account.group_account_invoice,"
            "collections_management.group_collections_user",
            company_id=cls.company.id,
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Fromagerie Lemoine", "email": "paie@lemoine.example"}
        )
        cls.customer.with_company(cls.company).collector_id = cls.collector
        cls.customer_user = new_test_user(
            cls.env,
            login="lemoine",
            name="Fromagerie Lemoine",
            password="lemoine-portal-1",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Garage Petit", "email": "garage@petit.example"}
        )
        cls.other_user = new_test_user(
            cls.env,
            login="petit",
            name="Garage Petit",
            password="petit-portal-1",
            groups="base.group_portal",
            partner_id=cls.other.id,
        )

    @classmethod
    def _invoice(cls, partner, amount, due, move_type="out_invoice", date="2026-01-02"):
        move = cls.init_invoice(
            move_type,
            partner=partner,
            invoice_date=date,
            amounts=[amount],
            taxes=[],
            company=cls.company,
        )
        move.invoice_date_due = due
        move.action_post()
        return move

    def _csrf(self):
        if not getattr(self, "session", None):
            self.authenticate(None, None)  # an anonymous visitor's session
        return http.Request.csrf_token(self)

    def _json(self, route, params):
        """The JSON-RPC answer: ``(result, error message)``."""
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "id": 0, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        answer = response.json()
        error = answer.get("error")
        return answer.get("result"), error and error["data"]["message"]

    @staticmethod
    def _money(amount):
        """How the page shows an amount of the company currency."""
        text = f"{abs(amount):,.2f}"
        if amount < 0:
            text = "-\ufeff" + text
        return f'<span class="oe_currency_value">{text}</span>'

    def _login(self, login="lemoine", password="lemoine-portal-1"):
        self.authenticate(login, password)

    @staticmethod
    def _attribute(page, name):
        match = re.search(rf'{name}="([^"]*)"', page)
        return match and match.group(1)
