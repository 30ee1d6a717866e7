import io
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CreditCommon

DAY = date(2026, 3, 10)


@tagged("post_install", "-at_install")
@freeze_time(DAY)
class TestHoldReport(CreditCommon):
    def test_sales_team_report_lists_the_customers_on_hold(self):
        """The sales team's weekly report: the customers on hold, why, and
        how they pay."""
        from openpyxl import load_workbook  # noqa: PLC0415 - only this test

        held = self.customer.with_company(self.company)
        held.write({"credit_hold": True, "credit_hold_reason": "Bankruptcy rumours"})
        self._invoice(1200, date(2026, 2, 8))  # 30 days late on the day
        other = self.env["res.partner"].create({"name": "Fromagerie Paul"})
        self._invoice(500, date(2026, 2, 8), partner=other)  # late, not on hold
        self.env["collection.kpi.snapshot"]._snapshot(self.company, DAY)
        sales_team = self.env["res.partner"].create(
            {"name": "Équipe commerciale", "email": "ventes@suite.example"}
        )
        schedule = self.env["collection.report.schedule"].create(
            {
                "name": "Sales weekly",
                "frequency": "weekly",
                "next_date": DAY,
                "recipient_ids": [Command.set(sales_team.ids)],
                "lang": "en_US",
                "include_holds": True,
            }
        )
        self.env["collection.report.schedule"]._cron_send(DAY, commit=False)
        message = schedule.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(message.partner_ids, sales_team)
        self.assertIn("Customers on credit hold: 1", message.body)
        book = load_workbook(io.BytesIO(message.attachment_ids.raw))
        sheet = book["Customers on Hold"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        header, lines = rows[0], rows[1:]
        self.assertEqual(len(lines), 1)  # Fromagerie Paul is not on hold
        line = dict(zip(header, lines[0], strict=True))
        self.assertEqual(line["Customer"], "Garage Leroy")
        self.assertIn("Bankruptcy rumours", line["Why"])
        self.assertEqual(line["Credit Limit"], 20000)  # the Medium profile's
        self.assertEqual(line["Exposure"], 1200)
        self.assertEqual(line["Overdue"], 1200)
        # DSO - best possible DSO = 1200 / 1200 x 90 - 0 / 1200 x 90
        self.assertEqual(line["Average Days Delinquent"], 90.0)

    def test_no_holds_sheet_unless_asked(self):
        from openpyxl import load_workbook  # noqa: PLC0415 - only this test

        schedule = self.env["collection.report.schedule"].create(
            {
                "name": "Management monthly",
                "frequency": "monthly",
                "next_date": DAY,
                "recipient_ids": [Command.set(self.customer.ids)],
            }
        )
        self.env["collection.report.schedule"]._cron_send(DAY, commit=False)
        message = schedule.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertNotIn("credit hold", message.body)
        book = load_workbook(io.BytesIO(message.attachment_ids.raw))
        self.assertNotIn("Customers on Hold", book.sheetnames)
