import importlib
import sys
from pathlib import Path

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestCompanyProviders(PortalCollectionsCommon):
    """A customer of the French company pays online with the French
    company's provider; without one, the payment page says how to pay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_french_customer()
        cls.ardoise = cls.setup_other_company(
            name="Ardoise & Fils SAS", currency_id=cls.eur.id
        )["company"]
        cls.ardoise.country_id = cls.env.ref("base.fr")
        cls.hotel = cls.env["res.partner"].create(
            {"name": "Hôtel du Parc", "email": "compta@parc.example", "lang": "fr_FR"}
        )
        cls.env["res.users"]._collections_create_role_user(
            "parc",
            "portal",
            cls.ardoise,
            name="Hôtel du Parc",
            partner_id=cls.hotel.id,
            password="parc-portal-1",
            lang="fr_FR",
        )
        invoice = cls.init_invoice(
            "out_invoice",
            partner=cls.hotel,
            invoice_date="2026-02-01",
            amounts=[640],
            taxes=[],
            company=cls.ardoise,
        )
        invoice.invoice_date_due = "2026-03-01"
        invoice.action_post()
        cls.invoice = invoice

    def _pay_page(self):
        self.authenticate("parc", "parc-portal-1")
        response = self.url_open(f"/my/statement/pay?invoice_ids={self.invoice.id}")
        self.assertEqual(response.status_code, 200)
        return response.text

    @freeze_time("2026-03-10")
    def test_no_provider_in_the_company_says_how_to_pay(self):
        page = self._pay_page()
        self.assertNotIn('name="o_payment_radio"', page)
        self.assertEqual(
            self._texts(page, "o_collections_no_payment_method"),
            [
                "Le paiement en ligne n'est pas disponible chez Ardoise & Fils SAS. "
                "Payez par virement avec les coordonnées bancaires de vos factures, "
                "ou écrivez-nous depuis votre relevé."
            ],
        )

    @freeze_time("2026-03-10")
    def test_the_companys_provider_is_offered(self):
        self._prepare_provider(
            "demo", company=self.ardoise, update_values={"is_published": True}
        )
        page = self._pay_page()
        self.assertIn('data-payment-method-code="demo"', page)
        self.assertFalse(self._texts(page, "o_collections_no_payment_method"))

    @freeze_time("2026-03-10")
    def test_the_demo_enables_a_provider_in_each_company(self):
        """``setup/demo`` (its generator's provider step) makes every
        company's customers able to pay online."""
        setup = Path(__file__).resolve().parents[2] / "setup"
        if not (setup / "suite" / "generator.py").exists():
            self.skipTest("the repository's setup/ is not beside the add-on")
        sys.path.insert(0, str(setup))
        try:
            generator = importlib.import_module("suite.generator")
        finally:
            sys.path.remove(str(setup))
        providers = generator._payment_providers(
            self.env, {"us": self.company, "fr": self.ardoise}
        )
        self.assertEqual(providers.company_id, self.company | self.ardoise)
        self.assertEqual(set(providers.mapped("state")), {"test"})
        page = self._pay_page()
        self.assertIn('data-payment-method-code="demo"', page)
