"""Predictions without a model.

Every invoice paid on its due date (:func:`due_date_baseline`), or after its
customer's median delay (:func:`median_baseline`): :class:`MedianBaseline`
stands in whenever no model is kept, its band the spread of the customer's
delays.

:class:`_Predictor` holds the single-invoice answers (expected delay and
date, chance of paying later than a day) that the baseline and
:class:`~.model.Model` share, both reading them from ``predict_many``.
"""

import bisect
import math
from datetime import date

import numpy as np

from .history import _dates, _ordinals

_NORMAL_90 = 1.2815515655446004  # standard normal quantile at 90 %


def due_date_baseline(invoice):
    """Predicted days late when every invoice is paid on its due date: 0."""
    return 0.0


def median_baseline(invoice, history):
    """The customer's median delay over its payments before the invoice
    date, 0 without any."""
    stats = history.customer_stats(
        [invoice.customer], [invoice.invoice_date.toordinal()]
    )
    return float(stats["median_delay"][0])


class _Predictor:
    """What the model and the baseline share: single-invoice answers read
    from :meth:`predict_many`."""

    def predict_days(self, invoice, history):
        """Expected days between due date and payment (negative: early)."""
        return float(self.predict_many([invoice], history)["days"][0])

    def expected_date(self, invoice, history):
        """The expected payment date (never before the invoice date)."""
        days = self.predict_many([invoice], history)["days"]
        return date.fromordinal(int(_dates([invoice], days)[0]))

    def predict_late(self, invoice, history, days_after_due=0, today=None):
        """The probability that ``invoice`` is paid more than
        ``days_after_due`` days after its due date; it does not increase
        with ``days_after_due``. With ``today``, the invoice is known to be
        unpaid at the end of that day (an overdue invoice's chances are
        then those of the days still ahead)."""
        return self._late(
            self._survival(invoice, history), invoice, days_after_due, today
        )

    @staticmethod
    def _late(survival, invoice, days_after_due, today):
        """:meth:`predict_late` from the invoice's survival function."""
        if today is None:
            return survival(days_after_due)
        elapsed = (today - invoice.due_date).days
        if days_after_due <= elapsed:
            return 1.0
        reached = survival(elapsed)
        if reached <= 1e-9:  # beyond what was ever seen: fade out slowly
            return math.exp(-(days_after_due - elapsed) / 30.0)
        return min(1.0, survival(days_after_due) / reached)

    def probabilities_after(self, invoices, history, days_after_due, today=None):
        """:meth:`predict_late` of many invoices at once: an array shaped as
        ``days_after_due`` (one row per invoice, one column per day count
        when it is two-dimensional)."""
        days = np.asarray(days_after_due, dtype=float)
        flat = days.reshape(len(invoices), -1)
        out = np.empty(flat.shape)
        for index, (inv, row) in enumerate(zip(invoices, flat, strict=True)):
            survival = self._survival(inv, history)  # once per invoice
            out[index] = [self._late(survival, inv, float(d), today) for d in row]
        return out.reshape(days.shape)


class MedianBaseline(_Predictor):
    """The prediction used without a model: the customer's median delay,
    the share of its payments later than a day as the probability of
    paying later than that day, and a band of its standard deviation."""

    company_currency = ""
    train_count = 0

    def predict_many(self, invoices, history):
        """Arrays over ``invoices``: ``days`` (expected delay), ``low`` and
        ``high`` (the band's delays), ``p_late`` (P(delay > 0))."""
        invoices = list(invoices)
        stats = history.customer_stats(
            [inv.customer for inv in invoices],
            _ordinals([inv.invoice_date for inv in invoices]),
        )
        days = stats["median_delay"]
        spread = _NORMAL_90 * stats["std_delay"]
        return {
            "days": days,
            "low": days - spread,
            "high": days + spread,
            "p_late": stats["late_share"],
        }

    def _survival(self, invoice, history):
        delays = history.delays_before(invoice.customer, invoice.invoice_date)
        if not delays:
            return lambda days: 1.0 if days < 0 else 0.0  # paid on the due date

        def survival(days):
            return (len(delays) - bisect.bisect_right(delays, days)) / len(delays)

        return survival


def _predictor(model):
    return MedianBaseline() if model is None else model
