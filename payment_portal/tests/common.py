import json
import re

from lxml import html

from odoo import Command, http
from odoo.tests import HttpCase

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.collections_management.tests.common import FrenchMixin


class PortalCollectionsCommon(FrenchMixin, AccountPaymentCommon, HttpCase):
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
        # the users of the demo's role setup: no test-only rights
        users = cls.env["res.users"]
        cls.collector = users._collections_create_role_user(
            "claire",
            "collector",
            cls.company,
            name="Claire Collector",
            email="claire@suite.example",
            password="claire",
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Fromagerie Lemoine", "email": "paie@lemoine.example"}
        )
        cls.customer.with_company(cls.company).collector_id = cls.collector
        cls.customer_user = users._collections_create_role_user(
            "lemoine",
            "portal",
            cls.company,
            name="Fromagerie Lemoine",
            password="lemoine-portal-1",
            partner_id=cls.customer.id,
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Garage Petit", "email": "garage@petit.example"}
        )
        cls.other_user = users._collections_create_role_user(
            "petit",
            "portal",
            cls.company,
            name="Garage Petit",
            password="petit-portal-1",
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

    # ------------------------------------------------------------------
    # A French customer, as the demo makes it
    # ------------------------------------------------------------------

    FRENCH_PASSWORD = "ardoise-portal-1"

    @classmethod
    def _setup_french_customer(cls):
        """French on the website, a French customer with its portal user
        (made by the suite's role setup, as in the demo), invoiced in
        euros; sets ``french``, ``french_user`` and ``eur``."""
        cls._load_french(
            ["portal", "account", "payment", "account_payment", "payment_portal"]
        )
        cls.env.ref("website.default_website").language_ids |= cls.env.ref(
            "base.lang_fr"
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2016-01-01", 1.0)])
        cls.french = cls.env["res.partner"].create(
            {
                "name": "Imprimerie Vasseur",
                "email": "compta@vasseur.example",
                "lang": "fr_FR",
            }
        )
        cls.french.with_company(cls.company).collector_id = cls.collector
        cls.french_user = cls.env["res.users"]._collections_create_role_user(
            "vasseur",
            "portal",
            cls.company,
            name="Imprimerie Vasseur",
            partner_id=cls.french.id,
            password=cls.FRENCH_PASSWORD,
            lang="fr_FR",
        )

    @classmethod
    def _instalment_term(cls):
        """Half 18 days after the invoice date, half 48 days after."""
        return cls.env["account.payment.term"].create(
            {
                "name": "Two instalments",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 18}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 48}
                    ),
                ],
            }
        )

    @classmethod
    def _eur_invoice(cls, partner, amount, date, term=None, due=None):
        move = cls.init_invoice(
            "out_invoice",
            partner=partner,
            invoice_date=date,
            amounts=[amount],
            taxes=[],
            company=cls.company,
            currency=cls.eur,
        )
        if term:
            move.invoice_payment_term_id = term
        if due:
            move.invoice_date_due = due
        move.action_post()
        return move

    def _login_french(self):
        self.authenticate("vasseur", self.FRENCH_PASSWORD)

    @staticmethod
    def _texts(page, css_class):
        """The text of each element of ``page`` with ``css_class``, its
        line breaks and runs of spaces made one space; non-breaking spaces
        are kept (French amounts use them)."""
        tree = html.fromstring(page)
        return [
            re.sub(r"[ \t\r\n]+", " ", element.text_content()).strip()
            for element in tree.xpath(
                f"//*[contains(concat(' ', normalize-space(@class), ' '), "
                f"' {css_class} ')]"
            )
        ]

    @staticmethod
    def _eur(text):
        """``text`` ("1 000,00") as Odoo shows euros in French: non-breaking
        spaces between thousands and before the symbol after the amount."""
        return text.replace(" ", "\u00a0") + "\u00a0€"
