"""A customer's payment behaviour, from its paid invoices.

Plain data in: ``(due date, paid date)`` pairs, oldest first. Plain
figures out, for the customer's collections view and the worklist.
"""

from dataclasses import dataclass

# The trend compares the newest invoices with the ones before them.
TREND_WINDOW = 5
# A change of the average delay smaller than this many days is "stable".
TREND_DAYS = 3.0

IMPROVING = "improving"
STABLE = "stable"
WORSENING = "worsening"


@dataclass(frozen=True, slots=True)
class Behaviour:
    paid: int  # invoices counted
    average_days_late: float | None  # negative: paid early on average
    on_time_share: float | None  # 0..100, paid on or before the due date
    trend: str | None  # IMPROVING, STABLE, WORSENING; None without history


def _days(pair):
    due, paid = pair
    return paid.toordinal() - due.toordinal()


def _mean(values):
    return sum(values) / len(values)


def behaviour(pairs, window=TREND_WINDOW, threshold=TREND_DAYS):
    """The figures of ``pairs`` (``(due, paid)`` dates, oldest paid first).

    The trend compares the average delay of the ``window`` newest invoices
    with that of the ``window`` before them; it needs both full windows.
    """
    delays = [_days(pair) for pair in pairs]
    if not delays:
        return Behaviour(0, None, None, None)
    on_time = sum(1 for days in delays if days <= 0)
    trend = None
    if len(delays) >= 2 * window:
        change = _mean(delays[-window:]) - _mean(delays[-2 * window : -window])
        if change <= -threshold:
            trend = IMPROVING
        elif change >= threshold:
            trend = WORSENING
        else:
            trend = STABLE
    return Behaviour(
        paid=len(delays),
        average_days_late=round(_mean(delays), 1),
        on_time_share=round(100.0 * on_time / len(delays), 1),
        trend=trend,
    )
