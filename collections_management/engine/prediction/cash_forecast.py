"""When the open invoices will be paid.

:func:`open_expectation` gives an open invoice's expected date and chance of
being late from the model's prediction; :func:`forecast` spreads the open
invoices over the coming weeks (a :class:`Forecast`), with the model or,
without one, the median baseline.
"""

from datetime import timedelta

import numpy as np

from .baselines import _predictor
from .history import _dates


def open_expectation(invoice, days, p_late, today):
    """``(expected date, late probability)`` of an open ``invoice`` whose
    model predicts payment ``days`` after the due date with ``p_late``.

    An open invoice is never expected before ``today``. When the invoice
    is already past the predicted day, the wait still to come grows with
    how late it already is: half of the days already past due, at least a
    week and at most half a year (an invoice a year late is not paid next
    week). An invoice already past its due date is late whatever the model
    said: its late probability is 1.
    """
    expected = max(
        invoice.due_date + timedelta(days=round(float(days))), invoice.invoice_date
    )
    if invoice.due_date < today:
        p_late = 1.0
    if expected < today:
        past_due = (today - invoice.due_date).days
        expected = today + timedelta(days=min(max(past_due // 2, 7), 183))
    return expected, float(p_late)


class Forecast(list):
    """The weeks of a :func:`forecast`, a list of dicts, with what falls
    after them: ``beyond`` (expected), ``beyond_low``, ``beyond_high``, and
    ``total``, the open amount (sum of the weeks' expected + beyond)."""

    beyond = beyond_low = beyond_high = total = 0.0
    currency = ""


def forecast(
    open_invoices,
    model_or_none,
    history,
    today,
    weeks=13,
    company_currency=None,
    amounts=None,
):
    """Expected cash-in of the open invoices over ``weeks`` weeks, the
    first the one of ``today`` (weeks start on Monday).

    Each invoice's amount goes to the week of its expected paid date, the
    week of ``today`` when that date has passed. ``low`` and ``high`` are
    the smallest and largest of the week's amounts under three scenarios:
    the expected delays, the early ones (the model's 10 % residual
    quantile) and the late ones (90 %). Rows: ``week_start``, ``currency``
    (``company_currency``, else the model's), ``expected``, ``low``,
    ``high``; amounts after the last week are in the result's ``beyond``.
    ``amounts``, one per invoice, are what is spread (default: each
    invoice's amount), for example what is left to pay in its currency.
    """
    if amounts is None:
        amounts = [inv.amount for inv in open_invoices]
    kept = [
        (inv, amount)
        for inv, amount in zip(open_invoices, amounts, strict=True)
        if inv.paid_date is None
    ]
    invoices = [inv for inv, _amount in kept]
    currency = company_currency or getattr(model_or_none, "company_currency", "") or ""
    first = today - timedelta(days=today.weekday())
    result = Forecast(
        {"week_start": first + timedelta(weeks=w), "currency": currency}
        for w in range(weeks)
    )
    result.currency = currency
    amounts = np.array([amount for _inv, amount in kept], float)
    result.total = float(amounts.sum())
    scenarios = {}
    if invoices:
        predicted = _predictor(model_or_none).predict_many(invoices, history)
        for key in ("days", "low", "high"):
            paid_on = np.maximum(_dates(invoices, predicted[key]), today.toordinal())
            week = (paid_on - first.toordinal()) // 7
            scenarios[key] = np.bincount(
                np.minimum(week, weeks), weights=amounts, minlength=weeks + 1
            )
    else:
        scenarios = {key: np.zeros(weeks + 1) for key in ("days", "low", "high")}
    stacked = np.vstack([scenarios["days"], scenarios["low"], scenarios["high"]])
    low, high = stacked.min(axis=0), stacked.max(axis=0)
    for w, row in enumerate(result):
        row.update(
            expected=float(scenarios["days"][w]), low=float(low[w]), high=float(high[w])
        )
    result.beyond = float(scenarios["days"][weeks])
    result.beyond_low, result.beyond_high = float(low[weeks]), float(high[weeks])
    return result
