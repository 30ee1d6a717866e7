from odoo import fields
from odoo.tests import tagged

from odoo.addons.cash_matching.tests.common import CashMatchingCommon


@tagged("post_install", "-at_install")
class TestExplanationLanguage(CashMatchingCommon):
    """Why a payment matches reads in the language of whoever opens it,
    whoever ran the matching."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["cash_matching"], ["fr_FR"], overwrite=True
        )
        cls.french = cls.env["res.users"]._collections_create_role_user(
            "relecteur.fr", "payment_reviewer", cls.company, lang="fr_FR"
        )

    def _read_as(self, proposal, user):
        # as the web client reads: the user's rights, the user's language
        return str(proposal.with_user(user).with_context(lang=user.lang).explanation)

    def test_amounts_in_the_readers_format(self):
        self._invoice(self.leroy, 6532.32, "2026-09-01")
        self._invoice(self.dupont, 6532.32, "2026-09-02")
        line = self._receive(6532.32, "VIREMENT")
        self._match(line)  # by the English administrator
        proposal = line.cash_match_top_ids[:1]
        self.assertEqual(self.company.currency_id.name, "USD")
        french = self._read_as(proposal, self.french)
        self.assertIn("Le montant correspond exactement au solde restant dû", french)
        self.assertIn("$\xa06\xa0532,32", french)  # USD: symbol first
        self.assertNotIn("6,532.32", french)
        self.assertNotIn("The amount", french)
        self.assertNotIn("100%", french)
        english = self._read_as(proposal, self.env.user)
        self.assertIn("The amount is exactly what", english)
        self.assertIn("6,532.32", english)

    def test_discount_date_difference_and_reading_in_french(self):
        term = self._discount_term()
        invoice = self._invoice(self.leroy, 1000.0, "2026-11-10", term=term)
        # "INV 2026 00001": the reference read through a cut / typo
        line = self._receive(
            980.0,
            invoice.name.replace("/", " ").lower(),
            day=fields.Date.from_string("2026-11-15"),
        )
        self._match(line)
        proposal = line.cash_match_proposal_ids.filtered(
            lambda p: p.kind == "discount"
        )[:1]
        french = self._read_as(proposal, self.french)
        self.assertIn("20/11/2026", french)
        self.assertIn("$\xa020,00", french)
        self.assertIn("(100\xa0%)", french)
        self.assertNotIn("2026-11-20", french)
        self.assertNotIn("20.00", french)
