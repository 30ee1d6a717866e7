"""Predict when each open invoice will really be paid (issue #9).

Plain Python and numpy; scikit-learn is imported by :func:`fit` only. What
is learnt is the number of days between an invoice's due date and the day
it is paid ("delay", negative when paid early), from the invoice itself and
from its customer's payments known on its invoice date, never later ones.

- :class:`Invoice` is one invoice of the history, paid or open.
- :class:`History` indexes all invoices once; :func:`features` and the
  models read a customer's past from it.
- :func:`fit` learns a :class:`Model`: gradient-boosted trees exported to
  plain JSON (no pickle: nothing a user stores can run code) and evaluated
  with numpy, with a SHA-256 checksum verified on load.
- :func:`train_and_evaluate` learns on the older invoices, measures on the
  newer ones against the customer's median delay, and keeps the model only
  when it is better; :class:`MedianBaseline` stands in otherwise.
- :func:`forecast` spreads the open invoices over the coming weeks.
"""

import bisect
import csv
import hashlib
import io
import json
import math
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

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
MIN_HISTORY = 200  # paid invoices below which no model is learnt
MIN_TRAIN = 50  # paid invoices fit() needs at the very least
BAND = (0.1, 0.9)  # quantiles of the forecast's low and high scenarios
_Z_LEVELS = tuple(i / 200 for i in range(201))  # quantiles of the residuals kept
_NORMAL_90 = 1.2815515655446004  # standard normal quantile at 90 %
_SPAN = 4_000_000  # above any date ordinal: customer code * _SPAN + ordinal
_EPOCH = date(1970, 1, 1).toordinal()
MODEL_VERSION = 2
# A customer pays in runs on a usual day of the month when its payments (at
# least RUN_MIN_PAYMENTS) spread at most RUN_MAX_SPREAD days around it, on a
# usual weekday when at least RUN_MIN_WEEKDAY_SHARE of them fall on it.
RUN_MIN_PAYMENTS = 3
RUN_MAX_SPREAD = 2.0
RUN_MIN_WEEKDAY_SHARE = 0.8
RUN_WINDOW = 20  # delays further than this from the median do not place the run
HALF_MONTH = 15
FIT_THREADS = 1  # OpenMP threads of scikit-learn while learning

# Why train_and_evaluate keeps or refuses the model.
TOO_LITTLE_HISTORY = "too_little_history"
BASELINE_BETTER = "baseline_better"
MODEL = "model"


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


def time_split(invoices, holdout_share=0.2):
    """``(train, holdout)``: the newest ``holdout_share`` of the invoices by
    invoice date are the holdout, all of them issued after every invoice of
    train (invoices of the boundary day go to the holdout)."""
    if not 0 <= holdout_share < 1:
        raise ValueError("holdout_share must be at least 0 and below 1.")
    ordered = sorted(invoices, key=lambda inv: inv.invoice_date)
    cut = len(ordered) - round(len(ordered) * holdout_share)
    if cut >= len(ordered):
        return ordered, []
    cutoff = ordered[cut].invoice_date
    train = [inv for inv in ordered if inv.invoice_date < cutoff]
    return train, ordered[len(train) :]


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


def _round_days(days):
    return np.floor(np.asarray(days, dtype=float) + 0.5).astype(np.int64)


def _dates(invoices, days):
    """Paid dates for predicted delays: due date + rounded days, never
    before the invoice date (as date ordinals)."""
    due = _ordinals([inv.due_date for inv in invoices])
    issued = _ordinals([inv.invoice_date for inv in invoices])
    return np.maximum(due + _round_days(days), issued)


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


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _checksum(payload):
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


class _Ensemble:
    """Boosted trees from their JSON form, evaluated with numpy: all trees
    of a row at once, leaves pointing to themselves."""

    def __init__(self, data, n_features):
        self.base = float(data["base"])
        feature, threshold, left, right, value, roots = [], [], [], [], [], []
        for tree in data["trees"]:
            size = len(tree["feature"])
            if not size or any(
                len(tree[key]) != size
                for key in ("threshold", "left", "right", "value")
            ):
                raise ValueError("The model holds a malformed tree.")
            offset = len(feature)
            roots.append(offset)
            for i in range(size):
                f = int(tree["feature"][i])
                if f >= n_features or not (
                    f < 0
                    or (0 <= tree["left"][i] < size and 0 <= tree["right"][i] < size)
                ):
                    raise ValueError("The model holds a malformed tree.")
                leaf = f < 0
                feature.append(0 if leaf else f)
                threshold.append(math.inf if leaf else float(tree["threshold"][i]))
                left.append(offset + (i if leaf else int(tree["left"][i])))
                right.append(offset + (i if leaf else int(tree["right"][i])))
                value.append(float(tree["value"][i]))
        self.depth = int(data["depth"])
        if not 0 <= self.depth <= 64:
            raise ValueError("The model holds a malformed tree.")
        self.feature = np.array(feature, np.int64)
        self.threshold = np.array(threshold)
        self.left = np.array(left, np.int64)
        self.right = np.array(right, np.int64)
        self.value = np.array(value)
        self.roots = np.array(roots, np.int64)

    def raw(self, X, chunk=2048):
        out = np.full(len(X), self.base)
        if not len(self.roots):
            return out
        for first in range(0, len(X), chunk):
            rows = X[first : first + chunk]
            index = np.arange(len(rows))[:, None]
            node = np.broadcast_to(self.roots, (len(rows), len(self.roots)))
            for _ in range(self.depth):
                go_left = rows[index, self.feature[node]] <= self.threshold[node]
                node = np.where(go_left, self.left[node], self.right[node])
            out[first : first + chunk] += self.value[node].sum(axis=1)
        return out


def _export(estimator, X, predict):
    """A fitted scikit-learn histogram gradient boosting model as JSON-able
    trees (numeric features only; missing values never occur here).

    The exported trees must give scikit-learn's own answers on the first
    rows of ``X``: this guards against a change of the fitted attributes
    read here, which are not public."""
    trees, depth = [], 0
    for iteration in estimator._predictors:
        nodes = iteration[0].nodes
        leaf = nodes["is_leaf"].astype(bool)
        threshold = np.where(leaf, 0.0, nodes["num_threshold"])
        threshold = np.clip(threshold, -1e300, 1e300)  # JSON has no infinity
        trees.append(
            {
                "feature": np.where(leaf, -1, nodes["feature_idx"]).tolist(),
                "threshold": threshold.tolist(),
                "left": nodes["left"].astype(np.int64).tolist(),
                "right": nodes["right"].astype(np.int64).tolist(),
                "value": np.where(leaf, nodes["value"], 0.0).tolist(),
            }
        )
        depth = max(depth, int(nodes["depth"].max()))
    base = float(np.asarray(estimator._baseline_prediction).ravel()[0])
    exported = {"base": base, "depth": depth, "trees": trees}
    sample = X[:1000]
    mine = _Ensemble(exported, X.shape[1]).raw(sample)
    if not np.allclose(mine, predict(sample), rtol=1e-7, atol=1e-7):
        raise RuntimeError(
            "The exported trees differ from scikit-learn's predictions: this "
            "version of scikit-learn is not supported."
        )
    return exported


class Model(_Predictor):
    """A learnt payment-date model: plain JSON numbers, evaluated with
    numpy. ``to_json()`` and ``from_json()`` store and load it."""

    def __init__(self, payload):
        if payload.get("version") != MODEL_VERSION:
            raise ValueError(
                f"This model has version {payload.get('version')!r}; "
                f"version {MODEL_VERSION} is expected. Train the model again."
            )
        if list(payload.get("features", ())) != list(FEATURES):
            raise ValueError(
                "This model was learnt on other features. Train the model again."
            )
        self.payload = payload
        self.company_currency = payload["company_currency"]
        self.train_count = payload["train_count"]
        self.offset = FEATURES.index(payload["offset_feature"])
        self.regressor = _Ensemble(payload["regressor"], len(FEATURES))
        self.classifier = _Ensemble(payload["classifier"], len(FEATURES))
        self.scale = _Ensemble(payload["scale"], len(FEATURES))
        self.z_levels = np.array(payload["z_levels"], float)
        z = np.array(payload["z_quantiles"], float)
        if len(z) != len(self.z_levels) or len(z) < 2:
            raise ValueError("The model's residual quantiles are malformed.")
        # strictly increasing, as interpolation wants it
        self.z_quantiles = np.maximum.accumulate(z) + np.arange(len(z)) * 1e-9
        self.band = (self._z_at(BAND[0]), self._z_at(BAND[1]))

    def to_json(self):
        """The model as canonical JSON text, with the SHA-256 checksum of
        its content in ``checksum``."""
        return _canonical({**self.payload, "checksum": _checksum(self.payload)})

    @classmethod
    def from_json(cls, text):
        """The model stored by :meth:`to_json`; ValueError when the text is
        not a model or its checksum does not match its content."""
        try:
            payload = json.loads(text)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"This is not a stored prediction model: {error}"
            ) from None
        if not isinstance(payload, dict):
            raise ValueError("This is not a stored prediction model.")
        checksum = payload.pop("checksum", None)
        if checksum != _checksum(payload):
            raise ValueError(
                "checksum mismatch: the stored model was altered; train it again."
            )
        try:
            return cls(payload)
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(
                f"This stored prediction model is incomplete: {error}"
            ) from None

    def _z_at(self, level):
        return float(np.interp(level, self.z_levels, self.z_quantiles))

    def _parts(self, X):
        days = X[:, self.offset] + self.regressor.raw(X)
        spread = np.maximum(self.scale.raw(X), 1.0)
        p_late = 1.0 / (1.0 + np.exp(-np.clip(self.classifier.raw(X), -50, 50)))
        return days, spread, p_late

    def predict_many(self, invoices, history):
        """Arrays over ``invoices``: ``days`` (expected delay), ``low`` and
        ``high`` (delays at the band's quantiles), ``p_late``
        (P(delay > 0))."""
        X = history.matrix(invoices, self.company_currency)
        days, spread, p_late = self._parts(X)
        return {
            "days": days,
            "low": days + spread * self.band[0],
            "high": days + spread * self.band[1],
            "p_late": p_late,
        }

    def probabilities_after(self, invoices, history, days_after_due, today=None):
        invoices = list(invoices)
        days = np.asarray(days_after_due, dtype=float)
        if not invoices:
            return np.zeros(days.shape)
        d = days.reshape(len(invoices), -1)
        X = history.matrix(invoices, self.company_currency)
        _days, spread, p_late = self._parts(X)
        shift = np.interp(1.0 - p_late, self.z_levels, self.z_quantiles)[:, None]
        spread = spread[:, None]

        def survival(after):
            z = after / spread + shift
            return 1.0 - np.interp(z, self.z_quantiles, self.z_levels)

        if today is None:
            return survival(d).reshape(days.shape)
        due = _ordinals([inv.due_date for inv in invoices])
        elapsed = (today.toordinal() - due).astype(float)[:, None]
        reached = survival(np.broadcast_to(elapsed, d.shape))
        with np.errstate(divide="ignore", invalid="ignore"):
            conditional = np.where(
                reached > 1e-9,
                np.minimum(1.0, survival(d) / np.maximum(reached, 1e-12)),
                np.exp(-(d - elapsed) / 30.0),  # beyond what was ever seen
            )
        return np.where(d <= elapsed, 1.0, conditional).reshape(days.shape)

    def _survival(self, invoice, history):
        # The residual shape scaled to this invoice, placed so that its
        # chance of paying after the due date is the classifier's.
        X = history.matrix([invoice], self.company_currency)
        _days, spread, p_late = (float(a[0]) for a in self._parts(X))
        shift = float(np.interp(1.0 - p_late, self.z_levels, self.z_quantiles))

        def survival(days):
            z = days / spread + shift
            return float(1.0 - np.interp(z, self.z_quantiles, self.z_levels))

        return survival


def fit(train_invoices, history, company_currency, seed=0):
    """A :class:`Model` learnt from the paid invoices of ``train_invoices``,
    their features read from ``history``.

    Three sets of boosted trees: the delay (corrections to the customer's
    median, for the smallest mean absolute error), the chance of paying
    after the due date, and the size of the error, whose spread over the
    training invoices gives the bands and the chances of paying later than
    any day. Raises ValueError with fewer than :data:`MIN_TRAIN` paid
    invoices.
    """
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from threadpoolctl import threadpool_limits

    paid = [inv for inv in train_invoices if inv.paid_date is not None]
    if len(paid) < MIN_TRAIN:
        raise ValueError(
            f"Learning needs at least {MIN_TRAIN} paid invoices; there are {len(paid)}."
        )
    X = history.matrix(paid, company_currency)
    y = np.array([inv.delay for inv in paid], float)
    offset = FEATURES.index("habit_delay")
    trees = dict(
        early_stopping=False,
        random_state=seed,
        min_samples_leaf=100,
        l2_regularization=1.0,
        max_depth=6,
        learning_rate=0.1,
    )
    # One thread: OpenMP threads spinning beside Odoo's busy workers made
    # learning four times slower than one thread alone.
    with threadpool_limits(FIT_THREADS):
        regressor = HistGradientBoostingRegressor(
            loss="absolute_error", max_iter=200, max_leaf_nodes=31, **trees
        ).fit(X, y - X[:, offset])
        days = X[:, offset] + regressor.predict(X)
        late = (y > 0).astype(int)
        if 0 < late.sum() < len(late):
            classifier = HistGradientBoostingClassifier(
                max_iter=100, max_leaf_nodes=15, **trees
            ).fit(X, late)
            classification = _export(classifier, X, classifier.decision_function)
        else:  # one class only: a constant chance
            share = min(max(late.mean(), 1e-3), 1 - 1e-3)
            classification = {
                "base": math.log(share / (1 - share)),
                "depth": 0,
                "trees": [],
            }
        scaler = HistGradientBoostingRegressor(
            max_iter=60, max_leaf_nodes=15, **trees
        ).fit(X, np.abs(y - days))
        spread = np.maximum(scaler.predict(X), 1.0)
    z = np.quantile((y - days) / spread, _Z_LEVELS)
    residual = np.quantile(y - days, BAND)
    payload = {
        "version": MODEL_VERSION,
        "features": list(FEATURES),
        "offset_feature": FEATURES[offset],
        "company_currency": company_currency or "",
        "train_count": len(paid),
        "trained_until": max(inv.invoice_date for inv in paid).isoformat(),
        "regressor": _export(regressor, X, regressor.predict),
        "classifier": classification,
        "scale": _export(scaler, X, scaler.predict),
        "z_levels": list(_Z_LEVELS),
        "z_quantiles": [float(v) for v in z],
        "residual_days": {"p10": float(residual[0]), "p90": float(residual[1])},
    }
    return Model(payload)


def _predictor(model):
    return MedianBaseline() if model is None else model


def evaluate(model_or_none, holdout, history):
    """How well the model (None: the median baseline) predicts the paid
    invoices of ``holdout``: mean absolute error in days of the predicted
    paid date for the model and both baselines, and the share of invoices
    rightly predicted paid late or not (late when P(late) > 0.5).
    MAE figures are None without paid invoices."""
    paid = [inv for inv in holdout if inv.paid_date is not None]
    figures = {
        "model_mae_days": None,
        "median_baseline_mae_days": None,
        "due_date_baseline_mae_days": None,
        "late_accuracy": None,
        "train_count": getattr(model_or_none, "train_count", 0),
        "holdout_count": len(paid),
    }
    if not paid:
        return figures
    actual = _ordinals([inv.paid_date for inv in paid])
    predicted = _predictor(model_or_none).predict_many(paid, history)
    median = MedianBaseline().predict_many(paid, history)["days"]

    def mae(days):
        return round(float(np.mean(np.abs(_dates(paid, days) - actual))), 4)

    late = np.array([inv.delay > 0 for inv in paid])
    figures.update(
        model_mae_days=mae(predicted["days"]),
        median_baseline_mae_days=mae(median),
        due_date_baseline_mae_days=mae(np.zeros(len(paid))),
        late_accuracy=round(float(np.mean((predicted["p_late"] > 0.5) == late)), 4),
    )
    return figures


def train_and_evaluate(
    invoices, company_currency, min_history=MIN_HISTORY, holdout_share=0.2, seed=0
):
    """``(model or None, figures, reason)``: a model learnt on the older
    paid invoices and measured (:func:`evaluate`) on the newer ones.

    The model is None, the median baseline to be used, when there are fewer
    than ``min_history`` paid invoices (``reason`` ``too_little_history``)
    or when it does not beat the customer's median on the holdout
    (``baseline_better``); ``reason`` is ``model`` when it is kept.
    ``figures["train_count"]`` is the number of training invoices.
    """
    invoices = list(invoices)
    history = History(invoices)
    paid = [inv for inv in invoices if inv.paid_date is not None]
    train, holdout = time_split(paid, holdout_share)
    if len(paid) < max(min_history, MIN_TRAIN) or len(train) < MIN_TRAIN or not holdout:
        figures = evaluate(None, holdout, history)
        figures["train_count"] = len(train)
        return None, figures, TOO_LITTLE_HISTORY
    model = fit(train, history, company_currency, seed=seed)
    figures = evaluate(model, holdout, history)
    figures["train_count"] = len(train)
    if figures["model_mae_days"] >= figures["median_baseline_mae_days"]:
        return None, figures, BASELINE_BETTER
    return model, figures, MODEL


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


# Reading a history from a CSV file.

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


# A synthetic history for tests and benchmarks.

SYNTHETIC_CURRENCY = "EUR"
_KINDS = (
    # kind, share, typical delay (low, high), day-to-day spread
    ("punctual", 0.40, (-3.0, 1.0), 1.5),
    ("slightly_late", 0.25, (3.0, 12.0), 3.0),
    ("chronically_late", 0.20, (20.0, 45.0), 6.0),
    ("erratic", 0.15, (0.0, 25.0), 15.0),
)
_TERMS = (0, 15, 30, 30, 30, 45, 60)
_CHANNELS = ("email", "email", "email", "letter", "sms", "portal", "portal", "")


def _next_weekday(day):
    """The day, or the Monday after it when it falls on a weekend."""
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def _month_end(day):
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


class _SyntheticCustomer:
    """One customer's persistent payment habits."""

    def __init__(self, rng):
        kind, _share, (low, high), spread = rng.choices(
            _KINDS, weights=[row[1] for row in _KINDS]
        )[0]
        self.kind, self.spread = kind, spread
        self.delay = rng.uniform(low, high)
        punctual = kind == "punctual"
        # Drift in days a year, for some; a change of habit on one day.
        self.drift = (
            0.0
            if rng.random() > (0.1 if punctual else 0.4)
            else (rng.choice((-1, 1)) * rng.uniform(8, 30))
        )
        self.shift = rng.uniform(-15, 25) if rng.random() < 0.1 else 0.0
        self.shift_at = rng.random()  # share of the period before the change
        self.term = rng.choice(_TERMS)
        self.mixed_terms = rng.random() < 0.35
        # Some pay a fixed number of days after the invoice, whatever the term.
        self.by_invoice_age = not punctual and rng.random() < 0.35
        self.month_end_run = rng.random() < 0.2
        self.scale = math.exp(rng.gauss(6.5, 1.0))
        self.amount_effect = 0.0 if punctual else rng.uniform(0.0, 6.0)
        self.dispute_rate = 0.15 if rng.random() < 0.1 else 0.02
        self.channel = rng.choice(_CHANNELS)
        self.foreign = rng.random() < 0.1


def synthetic_history(
    customers=500, invoices_per_customer=30, start=None, days=730, seed=0
):
    """Invoices of ``customers`` customers (about ``invoices_per_customer``
    each, issued from ``start`` over ``days`` days), paid as customers with
    persistent habits pay: punctual, slightly late, chronically late or
    erratic, some drifting or changing habit, some paying at a month-end
    run or a fixed number of days after the invoice whatever its term,
    bigger invoices later, disputed ones much later. Invoices not paid
    before ``start + days`` are open. Amounts in :data:`SYNTHETIC_CURRENCY`.
    """
    rng = random.Random(seed)
    start = start or date(2024, 1, 1)
    today = start + timedelta(days=days)
    invoices = []
    for key in range(customers):
        customer = _SyntheticCustomer(rng)
        count = max(1, round(invoices_per_customer * rng.uniform(0.5, 1.5)))
        offsets = sorted(rng.randrange(days) for _ in range(count))
        broken = []  # days promises were broken
        drafts = []
        for offset in offsets:
            drafts.append(
                _synthetic_invoice(rng, customer, start, offset, days, broken)
            )
        for number, (values, paid_date) in enumerate(drafts):
            reminders = values.pop("reminders")
            values["broken_promises_before"] = sum(
                1 for day in broken if day < values["invoice_date"]
            )
            is_open = paid_date >= today
            invoices.append(
                Invoice(
                    id=f"INV{key:06d}-{number:03d}",
                    customer=f"C{key:06d}",
                    paid_date=None if is_open else paid_date,
                    reminders=0 if is_open else reminders,
                    **values,
                )
            )
    return invoices


def _synthetic_invoice(rng, customer, start, offset, days, broken):
    invoice_date = start + timedelta(days=offset)
    term = rng.choice(_TERMS) if customer.mixed_terms else customer.term
    due_date = invoice_date + timedelta(days=term)
    amount = round(customer.scale * math.exp(rng.gauss(0.0, 0.7)), 2)
    years = offset / 365.0
    delay = customer.delay + customer.drift * years
    if offset / days > customer.shift_at:
        delay += customer.shift
    if customer.by_invoice_age:
        delay += customer.term - term  # a fixed age, not a fixed delay
    delay += customer.amount_effect * math.log(amount / customer.scale)
    delay += rng.gauss(0.0, customer.spread)
    disputed = rng.random() < customer.dispute_rate
    if disputed:
        delay += rng.uniform(20, 60)
    channel = customer.channel if rng.random() < 0.9 else rng.choice(_CHANNELS)
    if channel == "portal":
        delay -= 2
    paid_date = max(invoice_date, due_date + timedelta(days=round(delay)))
    if customer.month_end_run:
        paid_date = _month_end(paid_date)
    paid_date = _next_weekday(paid_date)  # banks credit on working days
    late = (paid_date - due_date).days
    if late > 20 and customer.kind != "punctual" and rng.random() < 0.4:
        broken.append(due_date + timedelta(days=15))
    values = {
        "invoice_date": invoice_date,
        "due_date": due_date,
        "amount": amount,
        "currency": "USD" if customer.foreign else SYNTHETIC_CURRENCY,
        "disputed": disputed,
        "channel": channel,
        "reminders": 0 if late <= 0 else 1 if late <= 15 else 2 if late <= 30 else 3,
    }
    return values, paid_date
