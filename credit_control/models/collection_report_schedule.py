from markupsafe import Markup

from odoo import fields, models


class CollectionReportSchedule(models.Model):
    _inherit = "collection.report.schedule"

    include_holds = fields.Boolean(
        string="Customers on Hold",
        help="Add the customers on credit hold and how they pay (overdue, "
        "days late, promises kept): for the sales team.",
    )

    def _held_customers(self):
        """The company's customers on credit hold, set by hand or by the
        last check of their credit."""
        company = self.company_id
        return (
            self.env["res.partner"]
            .with_company(company)
            .search(
                [
                    ("parent_id", "=", False),
                    "|",
                    ("credit_hold", "=", True),
                    ("credit_hold_causes", "not in", (False, "")),
                ],
                order="name",
            )
        )

    def _body_more(self, day):
        more = super()._body_more(day)
        if not self.include_holds:
            return more
        held = self._held_customers()
        return more + Markup("<p>%s</p>") % self.env._(
            "Customers on credit hold: %(count)s (see the sheet Customers on Hold).",
            count=len(held),
        )

    def _xlsx_more(self, book, rows, formats):
        super()._xlsx_more(book, rows, formats)
        if not self.include_holds:
            return
        held = self._held_customers().with_company(self.company_id)
        by_customer = {
            row.partner_id.id: row for row in rows if row.level == "customer"
        }
        behaviour = ("overdue_amount", "add", "promise_kept_rate", "open_rate")
        labels = self._labels()
        head = [
            self.env._("Customer"),
            self.env._("Why"),
            self.env._("Credit Limit"),
            self.env._("Exposure"),
            *(labels[name] for name in behaviour),
        ]
        sheet = book.add_worksheet(self.env._("Customers on Hold")[:31])
        sheet.write_row(0, 0, head, formats["bold"])
        for index, partner in enumerate(held, start=1):
            sheet.write(index, 0, partner.display_name)
            sheet.write(index, 1, partner.credit_hold_summary or "")
            sheet.write_number(
                index, 2, partner.credit_effective_limit or 0.0, formats["money"]
            )
            sheet.write_number(
                index, 3, partner.credit_exposure or 0.0, formats["money"]
            )
            row = by_customer.get(partner.id)
            for col, name in enumerate(behaviour, start=4):
                value = row[name] if row else None
                if name == "overdue_amount":
                    sheet.write_number(index, col, value or 0.0, formats["money"])
                elif value is not None and value is not False:
                    sheet.write_number(index, col, value, formats["ratio"])
        sheet.set_column(0, 1, 30)
        sheet.set_column(2, len(head), 14)
