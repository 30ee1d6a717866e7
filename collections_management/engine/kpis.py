"""Accounts-receivable KPIs: DSO, CEI, aged balance and their kin.

The daily snapshot hands the engine one :class:`Item` per customer invoice
(or credit note) as seen on the snapshot day, with the keys it is reported
under (company, collector, customer). :class:`Accumulator` sums them in one
pass for every key level at once; ``figures()`` turns the sums into the
KPIs. Smaller helpers give the reminder, promise, dispute and forecast
figures from counts the caller reads with one query each.

What the caller passes: every invoice open on the snapshot day or at the
start of the period, every invoice dated in the period, and, for countback
DSO, every invoice dated in the countback horizon (12 months by default).

Conventions, the same for every function here:

- Amounts are in the company's currency. Credit notes are items with a
  negative amount and residual: they lower sales and receivables.
- A period runs from ``period_start`` to the snapshot ``day``, both days
  included; its length in days is what DSO multiplies by.
- Rates and shares are percentages (0-100), like CEI, so that two decimals
  keep them readable (66.67, not 0.67). Turnover is a number of times over
  the period (not annualised); DSO and its kin are days.
- A figure whose denominator is zero (to the cent) is ``None``, not 0: the
  screen shows it as "n/a". No sales gives no DSO; a DSO of 0 would claim
  perfect collection.
- Values are rounded to 2 decimals once, on the way out (``rounding=2``;
  ``rounding=None`` keeps full precision). Every figure is computed from
  unrounded sums: ADD is DSO minus best possible DSO before rounding, not
  the difference of two rounded numbers.
"""

import calendar
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from .ageing import BUCKETS
from .promises import BROKEN, KEPT, PARTIAL

# Aged-balance buckets are the ageing columns (``ageing.BUCKETS``). Days
# overdue = snapshot day - due date: an invoice due today or later is
# current. The figure keys are ``aged_<name>``.

# A denominator smaller than half a cent is zero: sums of amounts carry
# float noise (0.1 + 0.2 - 0.3 is not 0), which must not give a huge ratio.
_ZERO = 0.005


@dataclass(frozen=True, slots=True)
class Item:
    """A customer invoice (or credit note) as seen on the snapshot day."""

    id: int
    customer: object
    invoice_date: object  # datetime.date
    due_date: object  # datetime.date
    amount: float  # total, company currency; negative for a credit note
    residual: float  # still open at the end of the snapshot day
    # The day it was fully paid; None while open or when closed by a
    # write-off. A date after the snapshot day means "not paid yet".
    paid_date: object = None
    disputed: bool = False
    written_off: float = 0.0  # written off during the period
    # Open at the start of the period (end of the day before). None: the
    # whole amount when invoiced before the period and not paid before it,
    # else 0, which is exact unless a partial payment or a write-off
    # predates the period; pass residual_at(...) then.
    opening_residual: float | None = None


def _round(value, rounding):
    if value is None or rounding is None:
        return value
    return round(value, rounding) + 0.0  # + 0.0 turns -0.0 into 0.0


def _ratio(numerator, denominator):
    if numerator is None or denominator is None or abs(denominator) < _ZERO:
        return None
    return numerator / denominator


def _percent(numerator, denominator, rounding):
    ratio = _ratio(numerator, denominator)
    return _round(None if ratio is None else ratio * 100, rounding)


def residual_at(amount, payments, day, rounding=2):
    """What an invoice of ``amount`` still owed at the end of ``day``.

    ``payments`` are ``(date, amount)`` pairs (payments, credit notes and
    write-offs reconciled with it); those dated on ``day`` or before count.
    """
    paid = sum(paid for paid_date, paid in payments if paid_date <= day)
    return _round(amount - paid, rounding)


def dso(receivables, credit_sales, days, rounding=2):
    """Days sales outstanding, standard (period) method.

    DSO = receivables at the end of the period / credit sales of the period
    x days in the period (the common "sales outstanding" definition, e.g.
    Investopedia "Days Sales Outstanding"). None without sales.
    """
    ratio = _ratio(receivables, credit_sales)
    return _round(None if ratio is None else ratio * days, rounding)


def best_possible_dso(current_receivables, credit_sales, days, rounding=2):
    """Best possible DSO: what DSO would be if nothing were overdue.

    Best possible DSO = current (not yet due) receivables / credit sales
    x days in the period. None without sales.
    """
    return dso(current_receivables, credit_sales, days, rounding)


def average_days_delinquent(
    receivables, current_receivables, credit_sales, days, rounding=2
):
    """Average days delinquent (ADD): how many days of DSO are lateness.

    ADD = DSO - best possible DSO
        = (receivables - current receivables) / credit sales x days.
    0 when nothing is overdue; None without sales.
    """
    return dso(receivables - current_receivables, credit_sales, days, rounding)


def countback_dso(receivables, months, rounding=2):
    """Days sales outstanding, countback method.

    ``months`` are ``(credit sales, days)`` pairs, the most recent month
    first (the current month with the days elapsed so far). The receivable
    balance is walked back month by month: a month whose sales it exceeds
    counts in full and its sales are taken off the balance; in the month
    that exhausts it, the balance left / that month's sales x its days is
    added, and the walk stops. A month with no (or negative) sales counts
    in full and takes nothing off.

    0 when nothing is owed; None when the months hold no sales at all. A
    balance larger than all the months' sales gives the total days of the
    months: the figure is capped at the horizon.
    """
    months = list(months)
    if sum(sales for sales, _days in months if sales > 0) < _ZERO:
        return None
    balance = receivables
    if balance <= 0:
        return _round(0.0, rounding)
    total = 0
    for sales, days in months:
        if sales > 0 and balance <= sales:
            return _round(total + balance / sales * days, rounding)
        total += days
        if sales > 0:
            balance -= sales
    return _round(float(total), rounding)


def cei(beginning, credit_sales, ending, ending_current, rounding=2):
    """Collection effectiveness index, in percent.

    CEI = (beginning receivables + credit sales - ending total receivables)
        / (beginning receivables + credit sales - ending current receivables)
        x 100
    (the common definition, e.g. Investopedia "Collection Effectiveness
    Index"): what was collected out of what could have been. 100 when
    everything due was collected; None when nothing was to collect.
    """
    available = beginning + credit_sales
    return _percent(available - ending, available - ending_current, rounding)


def turnover(credit_sales, beginning, ending, rounding=2):
    """Accounts-receivable turnover over the period (times, not annualised).

    Turnover = credit sales / average receivables, average receivables =
    (beginning + ending receivables) / 2. Multiply by 365 / days in the
    period for a yearly figure. None when nothing was receivable.
    """
    return _round(_ratio(credit_sales, (beginning + ending) / 2), rounding)


def bad_debt_ratio(written_off, credit_sales, rounding=2):
    """Written off / credit sales of the period x 100. None without sales."""
    return _percent(written_off, credit_sales, rounding)


def on_time_share(paid_on_time, paid, rounding=2):
    """Invoices paid by their due date / invoices paid in the period x 100.

    Counts of invoices, not amounts. None when no invoice was paid.
    """
    return _percent(paid_on_time, paid, rounding)


def collected(beginning, credit_sales, ending, written_off=0.0, rounding=2):
    """Cash collected in the period, from the receivable balances.

    Collected = beginning receivables + credit sales - ending receivables
    - written off: what left the receivables other than by a write-off.
    """
    return _round(beginning + credit_sales - ending - written_off, rounding)


def _bucket_lows(buckets):
    """Lowest days overdue of each bucket, checked to cover every day once."""
    lows, previous = [], None
    for index, (name, low, high) in enumerate(buckets):
        if index == 0:
            if low is not None:
                raise ValueError(f"The first bucket {name!r} must have no lower bound.")
        elif previous is None or low != previous + 1:
            raise ValueError(f"Bucket {name!r} must start the day after the previous.")
        if high is not None and low is not None and high < low:
            raise ValueError(f"Bucket {name!r} ends before it starts.")
        previous = high
        lows.append(float("-inf") if low is None else low)
    if not lows or previous is not None:
        raise ValueError("The last bucket must have no upper bound.")
    return lows


def aged_balance(items, day, buckets=BUCKETS, rounding=2):
    """The open amounts by days overdue on ``day``, with the items of each.

    Returns ``(amounts, ids)``: ``{bucket name: open amount}`` and
    ``{bucket name: [item ids]}`` (for drill-down), every bucket present.
    Days overdue = ``day`` - due date; 0 or less is current (not yet due).
    Items with nothing open are left out.
    """
    lows = _bucket_lows(buckets)
    names = [name for name, _low, _high in buckets]
    sums = [0.0] * len(names)
    ids = {name: [] for name in names}
    ordinal = day.toordinal()
    for item in items:
        if not item.residual or item.invoice_date > day:
            continue
        index = bisect_right(lows, ordinal - item.due_date.toordinal()) - 1
        sums[index] += item.residual
        ids[names[index]].append(item.id)
    return {name: _round(sums[i], rounding) for i, name in enumerate(names)}, ids


class _Totals:
    """The sums of one key, from which its figures are computed."""

    __slots__ = (
        "sales",
        "opening",
        "open",
        "current",
        "disputed",
        "written_off",
        "open_count",
        "overdue_count",
        "paid_count",
        "on_time_count",
        "aged",
        "months",
    )

    def __init__(self, buckets):
        self.sales = self.opening = self.open = self.current = 0.0
        self.disputed = self.written_off = 0.0
        self.open_count = self.overdue_count = 0
        self.paid_count = self.on_time_count = 0
        self.aged = [0.0] * buckets
        self.months = {}  # month index (year * 12 + month - 1) -> credit sales

    def merge(self, other):
        self.sales += other.sales
        self.opening += other.opening
        self.open += other.open
        self.current += other.current
        self.disputed += other.disputed
        self.written_off += other.written_off
        self.open_count += other.open_count
        self.overdue_count += other.overdue_count
        self.paid_count += other.paid_count
        self.on_time_count += other.on_time_count
        self.aged = [a + b for a, b in zip(self.aged, other.aged, strict=True)]
        for month, sales in other.months.items():
            self.months[month] = self.months.get(month, 0.0) + sales


class Accumulator:
    """Sums items in one pass for every key level, then gives their figures.

    ``acc = Accumulator(day, period_start)``; ``acc.add(item, (company,
    collector, customer))`` for each item; ``acc.figures()`` returns
    ``{key: figures}`` for every prefix of the keys given: ``(company,)``,
    ``(company, collector)`` and ``(company, collector, customer)``. A
    company's sums are exactly the sums of its collectors'. Only the full
    key is summed per item; the levels above are rolled up once, at the
    end, so the cost per item does not grow with the number of levels.

    The period runs from ``period_start`` to ``day``, both included
    (default: the ``period_days`` days ending on ``day``). Countback DSO
    walks back at most ``countback_months`` calendar months, the current
    one included.
    """

    def __init__(
        self,
        day,
        period_start=None,
        period_days=90,
        countback_months=12,
        buckets=BUCKETS,
    ):
        if period_start is None:
            period_start = day - timedelta(days=period_days - 1)
        if period_start > day:
            raise ValueError("The period must start on or before the snapshot day.")
        self.day = day
        self.period_start = period_start
        self.period_days = (day - period_start).days + 1
        self.buckets = tuple(buckets)
        self._lows = _bucket_lows(self.buckets)
        self._names = [name for name, _low, _high in self.buckets]
        self._ordinal = day.toordinal()
        # (month index, days counted) from the current month back.
        self._months = []
        year, month = day.year, day.month
        for back in range(countback_months):
            days = day.day if back == 0 else calendar.monthrange(year, month)[1]
            self._months.append((year * 12 + month - 1, days))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        self._first_month = self._months[-1][0] if self._months else None
        self._totals = {}

    def add(self, item, keys):
        """Count ``item`` under the tuple ``keys`` and each of its prefixes.

        Items invoiced after the snapshot day are ignored.
        """
        invoice_date = item.invoice_date
        if invoice_date > self.day:
            return
        totals = self._totals.get(keys)
        if totals is None:
            totals = self._totals[keys] = _Totals(len(self._names))
        amount = item.amount
        if invoice_date >= self.period_start:
            totals.sales += amount
        else:
            opening = item.opening_residual
            if opening is None:
                paid_date = item.paid_date
                if paid_date is None or paid_date >= self.period_start:
                    opening = amount
                else:
                    opening = 0.0
            totals.opening += opening
        month = invoice_date.year * 12 + invoice_date.month - 1
        if self._first_month is not None and month >= self._first_month:
            months = totals.months
            months[month] = months.get(month, 0.0) + amount
        if item.written_off:
            totals.written_off += item.written_off
        residual = item.residual
        if residual:
            overdue = self._ordinal - item.due_date.toordinal()
            totals.open += residual
            totals.open_count += 1
            if overdue <= 0:
                totals.current += residual
            else:
                totals.overdue_count += 1
            totals.aged[bisect_right(self._lows, overdue) - 1] += residual
            if item.disputed:
                totals.disputed += residual
        paid_date = item.paid_date
        if (
            paid_date is not None
            and amount > 0
            and self.period_start <= paid_date <= self.day
        ):
            totals.paid_count += 1
            if paid_date <= item.due_date:
                totals.on_time_count += 1

    def figures(self, rounding=2):
        """``{key: figures}`` for every key level, each figures a dict.

        Amounts: ``credit_sales`` (invoiced in the period), ``opening_amount``
        (receivables at its start), ``open_amount``, ``current_amount``,
        ``overdue_amount``, ``disputed_amount`` (open on disputed items),
        ``written_off``, ``collected`` (see :func:`collected`) and
        ``aged_<bucket>``. Counts: ``open_count``, ``overdue_count``,
        ``paid_count`` and ``paid_on_time_count`` (paid in the period).
        Ratios (None when their denominator is 0): ``dso``,
        ``countback_dso``, ``best_dso``, ``add``, ``cei``, ``turnover``,
        ``on_time_share``, ``bad_debt_ratio``. ``period_days`` as used.
        """
        rolled = {}
        for keys, totals in self._totals.items():
            for size in range(1, len(keys) + 1):
                level = keys[:size]
                into = rolled.get(level)
                if into is None:
                    into = rolled[level] = _Totals(len(self._names))
                into.merge(totals)
        return {
            level: self._figures(totals, rounding) for level, totals in rolled.items()
        }

    def _figures(self, totals, rounding):
        days = self.period_days
        sales, opening, ending = totals.sales, totals.opening, totals.open
        current, written_off = totals.current, totals.written_off
        months = [(totals.months.get(index, 0.0), n) for index, n in self._months]
        amounts = {
            "credit_sales": sales,
            "opening_amount": opening,
            "open_amount": ending,
            "current_amount": current,
            "overdue_amount": ending - current,
            "disputed_amount": totals.disputed,
            "written_off": written_off,
            "collected": collected(opening, sales, ending, written_off, None),
            "dso": dso(ending, sales, days, None),
            "countback_dso": countback_dso(ending, months, None),
            "best_dso": best_possible_dso(current, sales, days, None),
            "add": average_days_delinquent(ending, current, sales, days, None),
            "cei": cei(opening, sales, ending, current, None),
            "turnover": turnover(sales, opening, ending, None),
            "on_time_share": on_time_share(
                totals.on_time_count, totals.paid_count, None
            ),
            "bad_debt_ratio": bad_debt_ratio(written_off, sales, None),
        }
        for name, amount in zip(self._names, totals.aged, strict=True):
            amounts[f"aged_{name}"] = amount
        figures = {key: _round(value, rounding) for key, value in amounts.items()}
        figures.update(
            open_count=totals.open_count,
            overdue_count=totals.overdue_count,
            paid_count=totals.paid_count,
            paid_on_time_count=totals.on_time_count,
            period_days=days,
        )
        return figures


def snapshot(rows, day, period_start=None, rounding=2, **options):
    """The figures of ``(keys, item)`` rows: one :class:`Accumulator` pass.

    ``options`` are the accumulator's (``period_days``,
    ``countback_months``, ``buckets``).
    """
    accumulator = Accumulator(day, period_start, **options)
    for keys, item in rows:
        accumulator.add(item, keys)
    return accumulator.figures(rounding)


def promise_kept_rate(outcomes, rounding=2):
    """Promises kept / promises judged x 100.

    ``outcomes`` are promise states, or a ``{state: count}`` mapping. Judged
    promises are kept, partial and broken ones: a partial promise counts as
    not kept (the customer did not do what was promised); open and
    cancelled ones do not count. None when none was judged.
    """
    counts = outcomes if isinstance(outcomes, Mapping) else Counter(outcomes)
    kept = counts.get(KEPT, 0)
    judged = kept + counts.get(PARTIAL, 0) + counts.get(BROKEN, 0)
    return _percent(kept, judged, rounding)


def dispute_figures(disputes, rounding=2):
    """Count, value and cycle time of ``(opened, resolved, amount)`` disputes.

    ``resolved`` is None while the dispute is open; dates or datetimes.
    Returns ``count``, ``open_count``, ``resolved_count``, ``value`` (the
    amounts disputed) and ``cycle_days``: the mean of resolved - opened in
    days over the resolved disputes, None when none is resolved.
    """
    count = resolved_count = 0
    value = cycle = 0.0
    for opened, resolved, amount in disputes:
        count += 1
        value += amount
        if resolved is not None:
            resolved_count += 1
            cycle += (resolved - opened).total_seconds() / 86400
    return {
        "count": count,
        "open_count": count - resolved_count,
        "resolved_count": resolved_count,
        "value": _round(value, rounding),
        "cycle_days": _round(_ratio(cycle, resolved_count), rounding),
    }


def reminder_rates(rows, rounding=2):
    """Reminder delivery and engagement per (level, channel), in percent.

    ``rows`` are ``(level, channel, sent, opened, clicked, bounced)`` counts;
    rows of the same (level, channel) are added. A channel that cannot
    track opens or clicks (letter, SMS) passes None there and gets None
    rates. Per (level, channel): the four counts, ``delivered`` = sent -
    bounced, ``open_rate`` = opened / delivered x 100, ``click_rate`` =
    clicked / delivered x 100 and ``bounce_rate`` = bounced / sent x 100
    (the usual e-mail definitions); None when the denominator is 0.
    """
    counts = {}
    for level, channel, *values in rows:
        into = counts.setdefault((level, channel), [0, 0, 0, 0])
        for index, value in enumerate(values):
            if value is None or into[index] is None:
                into[index] = None
            else:
                into[index] += value
    rates = {}
    for key, (sent, opened, clicked, bounced) in counts.items():
        delivered = None if sent is None else sent - (bounced or 0)
        rates[key] = {
            "sent": sent,
            "opened": opened,
            "clicked": clicked,
            "bounced": bounced,
            "delivered": delivered,
            "open_rate": _percent(opened, delivered, rounding),
            "click_rate": _percent(clicked, delivered, rounding),
            "bounce_rate": _percent(bounced, sent, rounding),
        }
    return rates


def forecast_accuracy(forecast, actual, rounding=2):
    """How close a forecast came, in percent.

    Accuracy = (1 - |forecast - actual| / |actual|) x 100: 100 when exact,
    below 0 when the forecast missed by more than the actual (not clamped,
    so that a trend still shows how far off it was). None when actual is 0.
    """
    ratio = _ratio(abs(forecast - actual), abs(actual))
    return _round(None if ratio is None else (1 - ratio) * 100, rounding)


def mape(pairs, rounding=2):
    """Mean absolute percentage error of ``(forecast, actual)`` pairs.

    MAPE = mean of |forecast - actual| / |actual| x 100, over the pairs
    whose actual is not 0 (their error is undefined). None when none is left.
    """
    errors = [
        abs(forecast - actual) / abs(actual)
        for forecast, actual in pairs
        if abs(actual) >= _ZERO
    ]
    return _percent(sum(errors), len(errors), rounding)


# ----------------------------------------------------------------------
# The collectors' activity over the period
# ----------------------------------------------------------------------

ACTIVITY_COUNTS = (
    "reminders_sent",
    "emails_sent",
    "reminders_opened",
    "reminders_clicked",
    "reminders_bounced",
    "promises_judged",
    "promises_kept",
    "disputes_opened",
    "disputes_resolved",
    "tasks_done",
)
# summed too, but not counts: amounts and the days the resolved disputes
# lasted (their mean is the cycle time)
ACTIVITY_SUMS = (
    "disputes_opened_amount",
    "dispute_days",
    # the cash forecast: open amounts expected in the next 30 days, and
    # what was collected in the last 30 (see forecast_accuracy)
    "expected_30",
    "collected_30",
)


def roll_up(rows, levels=None):
    """Sum ``{key: {name: value}}`` rows for every prefix of their keys.

    ``(company, collector, customer)`` keys give the sums of ``(company,)``,
    ``(company, collector)`` and the customer's own; ``levels`` (key
    lengths) keeps only those. Missing names count 0.
    """
    names = ACTIVITY_COUNTS + ACTIVITY_SUMS
    sums = {}
    for key, values in rows.items():
        for length in range(1, len(key) + 1):
            if levels is not None and length not in levels:
                continue
            into = sums.setdefault(key[:length], dict.fromkeys(names, 0))
            for name in names:
                into[name] += values.get(name, 0) or 0
    return sums


def activity_figures(totals, rounding=2):
    """The rates of one key's activity sums, in percent or days.

    - ``open_rate`` and ``click_rate``: emails opened or clicked / emails
      delivered (sent - bounced) x 100; SMS, letters and calls cannot be
      opened, so they do not count;
    - ``bounce_rate``: bounced / emails sent x 100;
    - ``promise_kept_rate``: kept / judged x 100 (a partly kept promise is
      not kept: :func:`promise_kept_rate`);
    - ``dispute_cycle_days``: days the disputes resolved in the period
      lasted, on average.

    None when the denominator is 0.
    """
    emails = totals.get("emails_sent", 0)
    [rates] = reminder_rates(
        [
            (
                None,
                "email",
                emails,
                totals.get("reminders_opened", 0),
                totals.get("reminders_clicked", 0),
                totals.get("reminders_bounced", 0),
            )
        ],
        rounding,
    ).values()
    judged = totals.get("promises_judged", 0)
    kept = totals.get("promises_kept", 0)
    return {
        "open_rate": rates["open_rate"],
        "click_rate": rates["click_rate"],
        "bounce_rate": rates["bounce_rate"],
        "promise_kept_rate": promise_kept_rate(
            {KEPT: kept, BROKEN: judged - kept}, rounding
        ),
        "dispute_cycle_days": _round(
            _ratio(totals.get("dispute_days", 0), totals.get("disputes_resolved", 0)),
            rounding,
        ),
    }
