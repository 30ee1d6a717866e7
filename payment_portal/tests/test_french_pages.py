import re

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PortalCollectionsCommon

# An amount written the English way: "4,132.36", "4132.36 €", "4,132.36 EUR".
ENGLISH_AMOUNT = re.compile(r"\d,\d{3}\.\d{2}|\d\.\d{2}\s*(?:€|EUR)")


@tagged("post_install", "-at_install")
class TestFrenchPages(PortalCollectionsCommon):
    """A French customer reads every portal page in French, amounts as
    French writes them ("4 132,36 €")."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_french_customer()
        cls.invoice = cls._eur_invoice(
            cls.french, 4132.36, "2026-01-10", due="2026-02-01"
        )

    def _assert_french_amounts(self, page):
        text = " ".join(self._texts(page, "o_portal_wrap") or [page])
        self.assertFalse(ENGLISH_AMOUNT.findall(text), "amounts written in English")

    @freeze_time("2026-03-10")
    def test_statement(self):
        self._login_french()
        page = self.url_open("/my/statement").text
        self.assertEqual(
            self._texts(page, "o_collections_balance_amount"),
            [self._eur("4 132,36")],
        )
        self.assertIn("Écrivez-nous", page)
        self.assertIn("Payer les factures choisies", page)
        self._assert_french_amounts(page)

    @freeze_time("2026-03-10")
    def test_statement_title_is_elided(self):
        self._login_french()
        page = self.url_open("/my/statement").text
        self.assertEqual(
            self._texts(page, "o_collections_statement_title"),
            ["Relevé d'Imprimerie Vasseur"],  # not "Relevé de Imprimerie"
        )

    @freeze_time("2026-03-10")
    def test_invoice_page_and_its_forms(self):
        self._login_french()
        page = self.url_open(self.invoice.access_url).text
        self.assertIn("Promettre de payer", page)
        self.assertIn("Contester", page)
        # the amounts proposed in the forms, as a French customer types them
        self.assertEqual(
            self._attribute(page, 'id="collections_promise_amount"[^>]*value'),
            "4132,36",
        )
        self.assertEqual(
            self._attribute(page, 'id="collections_dispute_amount"[^>]*value'),
            "4132,36",
        )
        self._assert_french_amounts(page)

    @freeze_time("2026-03-10")
    def test_promise_answer_in_french_and_told_to_the_collector_in_english(self):
        self._login_french()
        response = self.url_open(
            f"/my/invoices/{self.invoice.id}/promise",
            data={
                "csrf_token": self._csrf(),
                "promise_date": "2026-03-20",
                "amount": "4132,36",
            },
        )
        self.assertIn(
            "Merci : nous attendons "
            + self._eur("4 132,36")
            + " au plus tard le 20/03/2026 pour "
            + self.invoice.name
            + ", et n'enverrons aucune relance d'ici là.",
            self._texts(response.text, "o_collections_result")[0],
        )
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.french.id)]
        )
        told = promise.message_ids.filtered(
            lambda m: self.collector.partner_id in m.partner_ids
        )
        # the collector reads English: the line is written in English
        self.assertIn("from the customer portal", told.body)

    @freeze_time("2026-03-10")
    def test_message_answer(self):
        self._login_french()
        response = self.url_open(
            "/my/statement/message",
            data={"csrf_token": self._csrf(), "message": "Une question"},
        )
        self.assertIn("Message envoyé", response.text)
        self.assertIn("Votre message a été transmis", response.text)

    def test_the_invoice_chatter_speaks_french(self):
        """The portal's chatter (Discuss's component) gets mail's French."""
        response = self.url_open("/website/translations/any?lang=fr_FR")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(
            "La conversation est vide." in response.text,
            "mail's French is not sent to the portal",
        )
