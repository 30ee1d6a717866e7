"""Reading a history from a CSV file.

:func:`read_history_csv` turns a CSV file (the backtest screen's upload,
``setup/bench prediction --history``) into :class:`~.history.Invoice` rows,
or raises :class:`HistoryError` naming the line of the first bad row, in
words a caller can translate.
"""

import csv
import io
import math
import re
from datetime import date

from .history import Invoice

CSV_COLUMNS = (
    "invoice_number",
    "customer",
    "invoice_date",
    "due_date",
    "amount",
    "currency",
    "paid_date",
    "disputed",
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


class HistoryError(ValueError):
    """A history file that cannot be read. ``str()`` is the English
    message; ``code`` and ``params`` let a caller say it in the user's
    language (the message is ``TEMPLATE % params``)."""

    def __init__(self, code, template, **params):
        super().__init__(template % params)
        self.code, self.template, self.params = code, template, params


def _parse_date(text, column, line):
    text = text.strip()
    iso, us = _ISO.match(text), _US.match(text)
    parts = None
    if iso:
        parts = (int(iso[1]), int(iso[2]), int(iso[3]))
    elif us:
        parts = (int(us[3]), int(us[1]), int(us[2]))
    if parts:
        try:
            return date(*parts)
        except ValueError:
            parts = None  # 2/30/2026, 31/01/2026: no such day
    raise HistoryError(
        "date",
        "Line %(line)s: %(column)s %(value)r is not a date; write it YYYY-MM-DD "
        "or M/D/YYYY.",
        line=line,
        column=column,
        value=text,
    )


def _parse_row(values, line, company_currency):
    def cell(name):
        return values[name].strip()

    for name in ("invoice_number", "customer"):
        if not cell(name):
            raise HistoryError(
                "empty_cell",
                "Line %(line)s: %(column)s is empty; fill it in.",
                line=line,
                column=name,
            )
    try:
        amount = float(cell("amount").replace(" ", ""))
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount) or amount < 0:
        raise HistoryError(
            "amount",
            "Line %(line)s: amount %(value)r is not a positive number; write it "
            "like 1234.56.",
            line=line,
            value=cell("amount"),
        )
    disputed = cell("disputed").lower()
    if disputed not in _YES | _NO:
        raise HistoryError(
            "disputed",
            "Line %(line)s: disputed %(value)r is not yes or no; write yes, no, "
            "true, false, 1 or 0.",
            line=line,
            value=cell("disputed"),
        )
    invoice_date = _parse_date(cell("invoice_date"), "invoice_date", line)
    due_date = _parse_date(cell("due_date"), "due_date", line)
    if due_date < invoice_date:
        raise HistoryError(
            "date_order",
            "Line %(line)s: due_date %(due)s is before invoice_date %(issued)s; "
            "check the order of the columns.",
            line=line,
            due=due_date.isoformat(),
            issued=invoice_date.isoformat(),
        )
    paid = cell("paid_date")
    return Invoice(
        id=cell("invoice_number"),
        customer=cell("customer"),
        invoice_date=invoice_date,
        due_date=due_date,
        amount=amount,
        currency=cell("currency").upper() or company_currency,
        paid_date=_parse_date(paid, "paid_date", line) if paid else None,
        disputed=disputed in _YES,
    )


def read_history_csv(file_obj, company_currency):
    """The invoices of a CSV file (text or bytes, UTF-8) with the header
    ``invoice_number,customer,invoice_date,due_date,amount,currency,
    paid_date,disputed``: dates YYYY-MM-DD or M/D/YYYY, an empty currency
    for the company's, an empty paid_date for an open invoice, disputed
    yes/no (true/false, 1/0, empty: no). Other columns are ignored.
    Raises :class:`HistoryError` naming the line of the first bad row."""
    text = file_obj.read()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise HistoryError(
                "encoding",
                "The file is not UTF-8 text (byte %(position)s); save it as CSV UTF-8.",
                position=error.start + 1,
            ) from None
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise HistoryError(
            "empty", "The file is empty; it needs a header line and invoices."
        )
    header = [name.strip().lower() for name in header]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise HistoryError(
            "header",
            "Line 1: the header lacks %(missing)s; it must name %(columns)s.",
            missing=", ".join(missing),
            columns=",".join(CSV_COLUMNS),
        )
    invoices, seen = [], {}
    for row in reader:
        line = reader.line_num
        if not any(value.strip() for value in row):
            continue
        if len(row) < len(header):
            raise HistoryError(
                "row_length",
                "Line %(line)s: %(count)s values where the header names "
                "%(expected)s; check the separators (commas) and quotes.",
                line=line,
                count=len(row),
                expected=len(header),
            )
        invoice = _parse_row(
            dict(zip(header, row, strict=False)), line, company_currency
        )
        if invoice.id in seen:
            raise HistoryError(
                "duplicate",
                "Line %(line)s: invoice %(invoice)s is already on line %(first)s; "
                "keep one line per invoice.",
                line=line,
                invoice=invoice.id,
                first=seen[invoice.id],
            )
        seen[invoice.id] = line
        invoices.append(invoice)
    return invoices
