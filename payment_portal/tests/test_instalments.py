import io
import re
from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.tests import tagged
from odoo.tools.pdf import PdfReader

from .common import PortalCollectionsCommon


@tagged("post_install", "-at_install")
class TestInstalmentAgeing(PortalCollectionsCommon):
    """An invoice paid in two instalments, the first 10 days late: the
    balance card, the statement, its PDF and the invoice page all tell the
    French customer that 1 000,00 € is overdue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_french_customer()
        # 2 000 € invoiced on 10 February: 1 000 € due on 28 February (10
        # days late on 10 March), 1 000 € on 30 March (not yet due).
        cls.invoice = cls._eur_invoice(
            cls.french, 2000, "2026-02-10", term=cls._instalment_term()
        )

    def test_the_invoice_has_two_instalments(self):
        receivable = self.invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(
            sorted(receivable.mapped("date_maturity")),
            [date(2026, 2, 28), date(2026, 3, 30)],
        )

    @freeze_time("2026-03-10")
    def test_statement_shows_the_late_instalment(self):
        self._login_french()
        page = self.url_open("/my/statement").text
        self.assertEqual(
            self._texts(page, "o_collections_overdue_amount"),
            [self._eur("1 000,00")],
        )
        self.assertEqual(
            self._texts(page, "o_collections_balance_amount"),
            [self._eur("2 000,00")],
        )
        # the ageing columns: one instalment 1-30 days late, one not yet due
        rows = dict(
            zip(
                self._texts(page, "o_collections_bucket_label"),
                self._texts(page, "o_collections_bucket_amount"),
                strict=True,
            )
        )
        self.assertEqual(rows["Non échu"], self._eur("1 000,00"))
        self.assertEqual(rows["1 à 30 jours"], self._eur("1 000,00"))
        # the invoice's line: 10 days late, of which 1 000,00 € overdue
        self.assertEqual(self._texts(page, "o_collections_days_late"), ["10"])
        self.assertEqual(
            self._texts(page, "o_collections_overdue_part"),
            ["En retard : " + self._eur("1 000,00")],
        )
        # and under the filter "En retard"
        overdue = self.url_open("/my/statement?filter=overdue").text
        self.assertIn(self.invoice.name, overdue)

    @freeze_time("2026-03-10")
    def test_balance_card_shows_the_late_instalment(self):
        self._login_french()
        page = self.url_open("/my").text
        self.assertEqual(
            self._texts(page, "o_collections_overdue"), [self._eur("1 000,00")]
        )
        self.assertEqual(
            self._texts(page, "o_collections_due"), [self._eur("2 000,00")]
        )

    @freeze_time("2026-03-10")
    def test_invoice_page_and_pdf_agree(self):
        self._login_french()
        invoice_page = self.url_open(self.invoice.get_portal_url()).text
        # Odoo's own instalment box on the invoice page
        self.assertIn(
            "En retard",
            html.fromstring(invoice_page)
            .xpath("//h5[@name='installment_title']")[0]
            .text_content(),
        )
        pdf = self.url_open("/my/statement/pdf").content
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        text = re.sub(r"\s+", " ", text)  # line breaks, non-breaking spaces
        self.assertRegex(text, r"Dont en retard ?1 000,00 ?€", text)
