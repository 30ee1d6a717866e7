import io
from datetime import timedelta

import xlsxwriter
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

from .collection_kpi_snapshot import (
    ACTIVITY_AMOUNTS,
    ACTIVITY_COUNTS,
    ACTIVITY_RATIOS,
    AMOUNTS,
    RATIOS,
)

# the spreadsheet's columns, after the name
COLUMNS = (
    *AMOUNTS,
    *RATIOS,
    *ACTIVITY_COUNTS,
    *ACTIVITY_AMOUNTS,
    *ACTIVITY_RATIOS,
    "forecast_accuracy",
)
MONEY = (*AMOUNTS, *ACTIVITY_AMOUNTS)

# The figures of the email's table, in order.
KEY_FIGURES = (
    "open_amount",
    "overdue_amount",
    "dso",
    "countback_dso",
    "best_dso",
    "add",
    "cei",
    "on_time_share",
    "collected",
    "promise_kept_rate",
    "open_rate",
    "forecast_accuracy",
)
TOP_CUSTOMERS = 50


class CollectionReportSchedule(models.Model):
    """Receivables figures emailed on a schedule: the key figures in the
    email, every figure in an XLSX attachment (company, collectors, the
    customers with most overdue)."""

    _name = "collection.report.schedule"
    _description = "Scheduled Receivables Report"
    _inherit = ["mail.thread"]
    _order = "next_date, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    frequency = fields.Selection(
        [("weekly", "Weekly"), ("monthly", "Monthly")],
        required=True,
        default="weekly",
    )
    next_date = fields.Date(
        string="Next Sending",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    recipient_ids = fields.Many2many("res.partner", string="Recipients", required=True)
    lang = fields.Selection(
        selection=lambda self: self.env["res.lang"].get_installed(),
        string="Language",
        default=lambda self: self.env.lang,
    )
    last_sent_date = fields.Date(readonly=True)

    @api.model
    def _cron_send(self, today=None, commit=True):
        """Send the reports due; a report is sent and its next date moved in
        one transaction, so that a crash sends it once, at the next run."""
        today = today or fields.Date.context_today(self)
        for schedule in self.search([("next_date", "<=", today)]):
            schedule._send(today)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _send(self, today):
        self.ensure_one()
        report = self.with_context(lang=self.lang or self.env.lang)
        company = self.company_id
        Snapshot = self.env["collection.kpi.snapshot"]
        day = Snapshot.search(
            [("company_id", "=", company.id), ("date", "<=", today)],
            order="date desc",
            limit=1,
        ).date
        if not day:
            Snapshot._snapshot(company, today)
            day = today
        rows = Snapshot.search([("company_id", "=", company.id), ("date", "=", day)])
        filename = report.env._(
            "Receivables %(company)s %(date)s.xlsx", company=company.name, date=day
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": filename,
                "raw": report._xlsx(rows),
                "mimetype": "application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.message_post(
            subject=report.env._(
                "%(report)s: receivables on %(date)s",
                report=report.name,
                date=format_date(report.env, day),
            ),
            body=report._body(rows.filtered(lambda r: r.level == "company"), day),
            partner_ids=self.recipient_ids.ids,
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        step = (
            timedelta(days=7) if self.frequency == "weekly" else relativedelta(months=1)
        )
        next_date = self.next_date
        while next_date <= today:  # a report missed for weeks is sent once
            next_date += step
        self.write({"next_date": next_date, "last_sent_date": today})

    def _labels(self):
        fields_ = self.env["collection.kpi.snapshot"]._fields
        return {name: fields_[name]._description_string(self.env) for name in COLUMNS}

    def _body(self, company_row, day):
        labels = self._labels()
        currency = self.company_id.currency_id
        cells = Markup("")
        for name in KEY_FIGURES:
            value = company_row[name] if company_row else False
            if name in MONEY:
                shown = format_amount(self.env, value or 0.0, currency)
            else:
                shown = "-" if value is False or value is None else f"{value:.1f}"
            cells += Markup(
                "<tr><td>%s</td><td style='text-align:right'>%s</td></tr>"
            ) % (
                labels[name],
                shown,
            )
        return Markup("<p>%s</p><table>%s</table>%s<p>%s</p>") % (
            self.env._(
                "The receivables figures of %(company)s on %(date)s:",
                company=self.company_id.name,
                date=format_date(self.env, day),
            ),
            cells,
            self._body_more(day),
            self.env._("Every figure, per collector and customer, is attached."),
        )

    def _body_more(self, day):
        """More of the email, after the key figures: for other add-ons."""
        return Markup("")

    def _xlsx(self, rows):
        """The workbook: one sheet per level; the customers with the most
        overdue first."""
        labels = self._labels()
        columns = COLUMNS
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        ratio = book.add_format({"num_format": "0.00"})
        sheets = [
            ("company", self.env._("Company"), None),
            ("collector", self.env._("Collectors"), None),
            ("customer", self.env._("Customers"), TOP_CUSTOMERS),
        ]
        if any(row.level == "team" for row in rows):
            sheets.insert(1, ("team", self.env._("Teams"), None))
        for level, title, limit in sheets:
            sheet = book.add_worksheet(title[:31])
            head = [self.env._("Name"), *(labels[name] for name in columns)]
            sheet.write_row(0, 0, head, bold)
            level_rows = rows.filtered(lambda r, lv=level: r.level == lv).sorted(
                lambda r: -r.overdue_amount
            )
            if limit:
                level_rows = level_rows[:limit]
            for index, row in enumerate(level_rows, start=1):
                name = {
                    "company": row.company_id.name,
                    "team": row.team_id.name,
                    "collector": row.user_id.name or self.env._("No collector"),
                    "customer": row.partner_id.display_name,
                }[level]
                sheet.write(index, 0, name)
                for col, field in enumerate(columns, start=1):
                    value = row[field]
                    if field in MONEY:
                        sheet.write_number(index, col, value or 0.0, money)
                    elif value is not False and value is not None:
                        sheet.write_number(index, col, value, ratio)
            sheet.set_column(0, 0, 30)
            sheet.set_column(1, len(columns), 14)
        self._xlsx_more(book, rows, {"bold": bold, "money": money, "ratio": ratio})
        book.close()
        return buffer.getvalue()

    def _xlsx_more(self, book, rows, formats):
        """More sheets in the workbook: for other add-ons."""
