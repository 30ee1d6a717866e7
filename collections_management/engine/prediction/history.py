"""The invoices of a history, and what was known of a customer on a day.

What is learnt is the number of days between an invoice's due date and the
day it is paid ("delay", negative when paid early), from the invoice itself
and from its customer's payments known on its invoice date, never later
ones.

- :class:`Invoice` is one invoice of the history, paid or open.
- :class:`History` indexes all invoices once; :func:`features` and the
  models read a customer's past from it: the :data:`FEATURES` of an
  invoice, among them its customer's payment run (a usual day of the month
  or weekday, see :func:`_to_usual_days`).

Plain Python and numpy.
"""

import bisect
from dataclasses import dataclass
from datetime import date

import numpy as np

CHANNELS = ("email", "sms", "letter", "portal")  # any other one is "other"

FEATURES = (
    # The invoice itself.
    "log_amount",  # log(1 + amount in company currency)
    "term_days",  # due date - invoice date
    "is_company_currency",
    "invoice_month",
    "invoice_weekday",  # Monday 0
    "due_weekday",
    "due_day",  # day of the month
    "due_days_to_month_end",
    "disputed",
    "broken_promises_before",
    "channel_email",
    "channel_sms",
    "channel_letter",
    "channel_portal",
    "channel_other",
    # The customer's invoices paid strictly before the invoice date; delays
    # are paid date - due date in days.
    "paid_count",
    "mean_delay",
    "median_delay",
    "std_delay",
    "late_share",  # share paid after their due date
    "trend",  # mean delay of the last 3 payments - mean of the earlier ones
    "last_delay",
    "recent_mean_delay",  # of the last 3 payments
    "ewm_delay",  # exponentially weighted, recent payments weigh more
    "mean_days_to_pay",  # paid date - invoice date
    "term_adjusted_delay",  # mean_days_to_pay - this invoice's term_days
    "mean_reminders",
    "days_since_last_payment",  # -1 without payment
    "mean_paid_days_to_month_end",
    "std_paid_days_to_month_end",
    # The customer's payment run: many pay on one day of the month (the
    # last working day, the 10th...) or one weekday. The usual day is the
    # day of the month, or the days to the month end, its payments spread
    # least around; "to usual" is the signed number of days from the day
    # the invoice is expected by the customer's past delays to the nearest
    # such day (see _to_usual_days).
    "usual_day_spread",
    "to_usual_day",
    "usual_weekday_share",  # share of its payments made on its usual weekday
    "to_usual_weekday",
    "habit_delay",  # median_delay moved to the usual day when there is one
    # The customer's invoices issued strictly before the invoice date.
    "prior_invoices",
    "prior_disputed",
    "open_prior_invoices",  # issued before, not paid before
    "amount_vs_usual",  # log_amount - mean log_amount of prior invoices
)

RECENT = 3  # payments making the "recent" mean and the trend
EWM_WEIGHT = 0.3  # weight of the newest payment in ewm_delay
_SPAN = 4_000_000  # above any date ordinal: customer code * _SPAN + ordinal
_EPOCH = date(1970, 1, 1).toordinal()
# A customer pays in runs on a usual day of the month when its payments (at
# least RUN_MIN_PAYMENTS) spread at most RUN_MAX_SPREAD days around it, on a
# usual weekday when at least RUN_MIN_WEEKDAY_SHARE of them fall on it.
RUN_MIN_PAYMENTS = 3
RUN_MAX_SPREAD = 2.0
RUN_MIN_WEEKDAY_SHARE = 0.8
RUN_WINDOW = 20  # delays further than this from the median do not place the run
HALF_MONTH = 15


@dataclass(frozen=True)
class Invoice:
    """One customer invoice, paid or open.

    ``amount`` is in company currency and ``currency`` the invoice's own
    (empty: the company's). ``paid_date`` is None while the invoice is open.
    ``broken_promises_before`` counts the customer's promises to pay broken
    before the invoice date; ``reminders`` those the invoice needed, known
    once it is paid (it counts as history only for payments before a day).
    """

    id: object
    customer: object
    invoice_date: date
    due_date: date
    amount: float
    currency: str
    paid_date: date | None = None
    disputed: bool = False
    channel: str = ""
    broken_promises_before: int = 0
    reminders: int = 0

    @property
    def delay(self):
        """Days between due date and payment (negative: early), None when
        open."""
        if self.paid_date is None:
            return None
        return (self.paid_date - self.due_date).days


def _prefix(values):
    """Cumulative sums with a leading 0: sum of values[a:b] = p[b] - p[a]."""
    out = np.zeros(len(values) + 1)
    np.cumsum(values, out=out[1:])
    return out


def _month_fields(ordinals):
    """(month 1-12, day of month, days to month end) of date ordinals."""
    days = (np.asarray(ordinals, dtype=np.int64) - _EPOCH).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    month_end = (months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return month, day, (month_end - days).astype(np.int64)


def _ordinals(dates):
    return np.fromiter((d.toordinal() for d in dates), np.int64, len(dates))


class History:
    """All invoices of a company, indexed once per customer by invoice date
    and by payment date, so that what was known about a customer on any day
    is read with a binary search and prefix sums.

    Only payments strictly before a day count as paid history on that day;
    an invoice paid later is merely a "prior invoice" still open.
    """

    def __init__(self, invoices):
        invoices = list(invoices)
        self._codes = {}
        for inv in invoices:
            self._codes.setdefault(inv.customer, len(self._codes))
        customers = np.arange(len(self._codes) + 1)
        code = np.fromiter(
            (self._codes[inv.customer] for inv in invoices), np.int64, len(invoices)
        )
        issued = _ordinals([inv.invoice_date for inv in invoices])
        order = np.lexsort((issued, code))
        self._issued_key = code[order] * _SPAN + issued[order]
        self._issued_start = np.searchsorted(code[order], customers)
        disputed = np.array([bool(inv.disputed) for inv in invoices], float)
        log_amount = np.log1p(np.maximum([inv.amount for inv in invoices], 0.0))
        self._disputed_sum = _prefix(disputed[order])
        self._log_amount_sum = _prefix(log_amount[order])
        self._index_payments([inv for inv in invoices if inv.paid_date], customers)

    def _index_payments(self, paid, customers):
        code = np.fromiter((self._codes[i.customer] for i in paid), np.int64, len(paid))
        paid_on = _ordinals([inv.paid_date for inv in paid])
        due = _ordinals([inv.due_date for inv in paid])
        issued = _ordinals([inv.invoice_date for inv in paid])
        reminders = np.array([float(inv.reminders or 0) for inv in paid])
        order = np.lexsort((due, issued, paid_on, code))
        code, paid_on, due, issued = (
            code[order],
            paid_on[order],
            due[order],
            issued[order],
        )
        delay = (paid_on - due).astype(float)
        _month, day_of_month, month_end = _month_fields(paid_on)
        month_end = month_end.astype(float)
        day_of_month = day_of_month.astype(float)
        weekday = (paid_on - 1) % 7
        self._paid_key = code * _SPAN + paid_on
        self._paid_start = np.searchsorted(code, customers)
        self._paid_on = np.append(paid_on, 0)  # a sentinel: never empty
        self._delay = np.append(delay, 0.0)
        self._sums = {
            "delay": _prefix(delay),
            "delay2": _prefix(delay**2),
            "late": _prefix(delay > 0),
            "days_to_pay": _prefix((paid_on - issued).astype(float)),
            "reminders": _prefix(reminders[order]),
            "month_end": _prefix(month_end),
            "month_end2": _prefix(month_end**2),
            "month_day": _prefix(day_of_month),
            "month_day2": _prefix(day_of_month**2),
        }
        for number in range(7):
            self._sums[f"weekday{number}"] = _prefix(weekday == number)
        # Running median and weighted mean of each customer's delays, in
        # payment order: position j holds them over the customer's first
        # payments up to j.
        median = np.zeros(len(delay) + 1)
        middle = np.zeros(len(delay) + 1)
        ewm = np.zeros(len(delay) + 1)
        values = delay.tolist()
        for start, end in zip(self._paid_start[:-1], self._paid_start[1:], strict=True):
            seen, weighted = [], 0.0
            for j in range(start, end):
                bisect.insort(seen, values[j])
                half = len(seen) // 2
                median[j] = (
                    seen[half] if len(seen) % 2 else (seen[half - 1] + seen[half]) / 2
                )
                # the middle of the delays within RUN_WINDOW of the median
                low = bisect.bisect_left(seen, median[j] - RUN_WINDOW)
                high = bisect.bisect_right(seen, median[j] + RUN_WINDOW) - 1
                middle[j] = (seen[low] + seen[high]) / 2
                if j > start:
                    weighted += EWM_WEIGHT * (values[j] - weighted)
                else:
                    weighted = values[j]
                ewm[j] = weighted
        self._median, self._middle, self._ewm = median, middle, ewm

    def _code(self, customers):
        return np.fromiter(
            (self._codes.get(c, -1) for c in customers), np.int64, len(customers)
        )

    def delays_before(self, customer, day):
        """The delays (days) of the customer's invoices paid before ``day``,
        sorted."""
        code = self._codes.get(customer)
        if code is None:
            return []
        start = self._paid_start[code]
        end = np.searchsorted(self._paid_key, code * _SPAN + day.toordinal())
        return sorted(self._delay[start:end].tolist())

    def customer_stats(self, customers, days):
        """What was known of each customer on each day (date ordinals):
        a dict of arrays, one per history feature of :data:`FEATURES`, with
        ``mean_log_amount`` of the prior invoices (nan without any) and the
        statistics of its paying days that :func:`_to_usual_days` reads."""
        code = self._code(customers)
        days = np.asarray(days, dtype=np.int64)
        known = code >= 0
        code = np.where(known, code, 0)
        start = self._paid_start[code]
        count = np.searchsorted(self._paid_key, code * _SPAN + days) - start
        count = np.where(known, count, 0)
        end = start + count
        has = count > 0
        n = np.maximum(count, 1)
        last = np.where(has, end - 1, 0)
        s = self._sums

        def total(name, first=start, stop=end):
            return s[name][stop] - s[name][first]

        mean = np.where(has, total("delay") / n, 0.0)
        recent_n = np.minimum(count, RECENT)
        recent = np.where(
            has, total("delay", end - recent_n) / np.maximum(recent_n, 1), 0.0
        )
        earlier_n = count - RECENT
        earlier = total("delay", start, np.maximum(end - RECENT, start))
        trend = np.where(
            earlier_n > 0, recent - earlier / np.maximum(earlier_n, 1), 0.0
        )
        month_end = np.where(has, total("month_end") / n, 0.0)

        def spread(name, mean):
            square = np.where(has, total(name + "2") / n, 0.0)
            return np.sqrt(np.maximum(square - mean**2, 0.0))

        month_day = np.where(has, total("month_day") / n, 0.0)
        weekdays = np.stack([total(f"weekday{d}") for d in range(7)])
        out = {
            "paid_count": count.astype(float),
            "mean_delay": mean,
            "median_delay": np.where(has, self._median[last], 0.0),
            "middle_delay": np.where(has, self._middle[last], 0.0),
            "std_delay": np.sqrt(
                np.maximum(np.where(has, total("delay2") / n, 0.0) - mean**2, 0.0)
            ),
            "late_share": np.where(has, total("late") / n, 0.0),
            "trend": trend,
            "last_delay": np.where(has, self._delay[last], 0.0),
            "recent_mean_delay": recent,
            "ewm_delay": np.where(has, self._ewm[last], 0.0),
            "mean_days_to_pay": np.where(has, total("days_to_pay") / n, 0.0),
            "mean_reminders": np.where(has, total("reminders") / n, 0.0),
            "days_since_last_payment": np.where(
                has, days - self._paid_on[last], -1
            ).astype(float),
            "mean_paid_days_to_month_end": month_end,
            "std_paid_days_to_month_end": spread("month_end", month_end),
            "mean_paid_month_day": month_day,
            "std_paid_month_day": spread("month_day", month_day),
            "usual_weekday": weekdays.argmax(axis=0).astype(float),
            "usual_weekday_share": np.where(has, weekdays.max(axis=0) / n, 0.0),
        }
        first = self._issued_start[code]
        prior = np.searchsorted(self._issued_key, code * _SPAN + days) - first
        prior = np.where(known, prior, 0)
        out["prior_invoices"] = prior.astype(float)
        out["prior_disputed"] = (
            self._disputed_sum[first + prior] - self._disputed_sum[first]
        )
        out["open_prior_invoices"] = np.maximum(prior - count, 0).astype(float)
        amount_sum = self._log_amount_sum[first + prior] - self._log_amount_sum[first]
        out["mean_log_amount"] = np.where(
            prior > 0, amount_sum / np.maximum(prior, 1), np.nan
        )
        return out

    def matrix(self, invoices, company_currency):
        """The :data:`FEATURES` of each invoice as the rows of a float array."""
        invoices = list(invoices)
        n = len(invoices)
        issued = _ordinals([inv.invoice_date for inv in invoices])
        due = _ordinals([inv.due_date for inv in invoices])
        month, _day, _end = _month_fields(issued)
        _month, due_day, due_end = _month_fields(due)
        columns = self.customer_stats([inv.customer for inv in invoices], issued)
        log_amount = np.log1p(np.maximum([inv.amount for inv in invoices], 0.0))
        usual = columns.pop("mean_log_amount")
        columns.update(
            log_amount=log_amount,
            term_days=(due - issued).astype(float),
            is_company_currency=np.array(
                [inv.currency in ("", None, company_currency) for inv in invoices],
                float,
            ),
            invoice_month=month.astype(float),
            invoice_weekday=((issued - 1) % 7).astype(float),
            due_weekday=((due - 1) % 7).astype(float),
            due_day=due_day.astype(float),
            due_days_to_month_end=due_end.astype(float),
            disputed=np.array([bool(inv.disputed) for inv in invoices], float),
            broken_promises_before=np.array(
                [float(inv.broken_promises_before or 0) for inv in invoices]
            ),
            amount_vs_usual=np.where(np.isnan(usual), 0.0, log_amount - usual),
        )
        columns.update(_to_usual_days(issued, due, columns))
        columns["term_adjusted_delay"] = np.where(
            columns["paid_count"] > 0,
            columns["mean_days_to_pay"] - columns["term_days"],
            0.0,
        )
        channels = [(inv.channel or "").strip().lower() for inv in invoices]
        for name in CHANNELS:
            columns[f"channel_{name}"] = np.array([c == name for c in channels], float)
        columns["channel_other"] = np.array(
            [c not in CHANNELS for c in channels], float
        )
        out = np.empty((n, len(FEATURES)))
        for i, name in enumerate(FEATURES):
            out[:, i] = columns[name]
        return out


def _nearest(offset, period):
    """``offset`` days wrapped to the nearest repetition of a ``period``:
    between -period/2 (excluded) and period/2."""
    half = (period - 1) // 2
    return (offset + half) % period - half


def _to_usual_days(issued, due, columns):
    """The payment-run features of :data:`FEATURES`, from the customer
    statistics in ``columns`` (which loses its helper statistics) and the
    due dates (ordinals): where the invoice would be paid after its usual
    delay, and how far that day is from the customer's usual paying day of
    the month and weekday."""
    # A customer paying in monthly runs pays each invoice in the run of a
    # window of a month after its due date: the window's middle, not the
    # median of its delays, places the run.
    # An invoice is not paid before it is received: its window starts at
    # its date at the earliest.
    expected = np.maximum(
        due + _round_days(columns.pop("middle_delay")), issued + HALF_MONTH
    )
    _month, day, to_end = _month_fields(expected)
    length = day + to_end  # days in the expected day's month
    by_day = columns.pop("std_paid_month_day")
    by_end = columns["std_paid_days_to_month_end"]
    to_day = _nearest(_round_days(columns.pop("mean_paid_month_day")) - day, length)
    to_month_end = _nearest(
        to_end - _round_days(columns["mean_paid_days_to_month_end"]), length
    )
    has = columns["paid_count"] > 0
    weekday = (due + _round_days(columns["median_delay"]) - 1) % 7
    to_weekday = _nearest(columns.pop("usual_weekday").astype(np.int64) - weekday, 7)
    out = {
        "usual_day_spread": np.where(has, np.minimum(by_day, by_end), 31.0),
        "to_usual_day": np.where(
            has, np.where(by_day < by_end, to_day, to_month_end), 0
        ).astype(float),
        "to_usual_weekday": np.where(has, to_weekday, 0).astype(float),
    }
    regular = (columns["paid_count"] >= RUN_MIN_PAYMENTS) & (
        out["usual_day_spread"] <= RUN_MAX_SPREAD
    )
    weekly = (columns["paid_count"] >= RUN_MIN_PAYMENTS) & (
        columns["usual_weekday_share"] >= RUN_MIN_WEEKDAY_SHARE
    )
    out["habit_delay"] = np.where(
        regular,
        expected - due + out["to_usual_day"],
        columns["median_delay"] + np.where(weekly, out["to_usual_weekday"], 0.0),
    )
    return out


def features(invoice, history, company_currency=None):
    """The :data:`FEATURES` of ``invoice`` as a dict of floats: from the
    invoice itself, and from the invoices of its customer in ``history``
    (a :class:`History`) issued, or paid, strictly before its invoice date.
    An invoice whose currency is empty or ``company_currency`` counts as in
    company currency (``is_company_currency``)."""
    row = history.matrix([invoice], company_currency)[0]
    return dict(zip(FEATURES, row.tolist(), strict=True))


def _round_days(days):
    return np.floor(np.asarray(days, dtype=float) + 0.5).astype(np.int64)


def _dates(invoices, days):
    """Paid dates for predicted delays: due date + rounded days, never
    before the invoice date (as date ordinals)."""
    due = _ordinals([inv.due_date for inv in invoices])
    issued = _ordinals([inv.invoice_date for inv in invoices])
    return np.maximum(due + _round_days(days), issued)
