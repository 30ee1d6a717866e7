"""Payment plans: the schedule of instalments and what payments cover.

A plan spreads what a customer owes over a down payment and a number of
instalments at a fixed frequency. Payments received on the covered invoices
are allocated to the instalments oldest first; an instalment is paid on the
day the payment that completed it arrived, late when that day is after its
due date plus the grace period, missed when that day has passed without it
being paid.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

# frequency -> (months, days) between two instalments
FREQUENCIES = {
    "weekly": (0, 7),
    "biweekly": (0, 14),
    "monthly": (1, 0),
    "quarterly": (3, 0),
}

PENDING = "pending"
PAID = "paid"
LATE = "late"
MISSED = "missed"


def add_months(day, months):
    """``day`` plus ``months`` months, on the last day of a shorter month
    (31 January plus one month is 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def nth_date(first_date, frequency, index):
    """The due date of the instalment ``index`` (0 is ``first_date``)."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown frequency {frequency!r}")
    months, days = FREQUENCIES[frequency]
    if months:
        return add_months(first_date, months * index)
    return first_date + timedelta(days=days * index)


@dataclass(frozen=True)
class Instalment:
    sequence: int  # 0 for the down payment, then 1, 2, ...
    due_date: date
    amount: float


def schedule(total, count, frequency, first_date, down_payment=0.0, rounding=2):
    """The instalments of a plan of ``total`` in ``count`` instalments.

    A down payment, when there is one, is due on ``first_date`` and the
    instalments follow one period apart; without one, the first instalment
    is due on ``first_date``. Instalments are equal but for the last, which
    takes the rounding difference, so that they add up to ``total``.
    """
    if count < 1:
        raise ValueError("a plan needs at least one instalment")
    if total <= 0:
        raise ValueError("a plan needs a positive total")
    if not 0 <= down_payment < total:
        raise ValueError("the down payment must be less than the total")
    rest = round(total - down_payment, rounding)
    each = round(rest / count, rounding)
    lines = []
    offset = 0
    if down_payment:
        lines.append(Instalment(0, first_date, round(down_payment, rounding)))
        offset = 1
    for number in range(1, count + 1):
        amount = each if number < count else round(rest - each * (count - 1), rounding)
        lines.append(
            Instalment(
                number, nth_date(first_date, frequency, number - 1 + offset), amount
            )
        )
    return lines


@dataclass(frozen=True)
class Allocation:
    paid: float  # how much of the instalment is covered
    paid_date: date | None  # the day it was fully covered, if it is
    state: str


def allocate(instalments, payments, today, grace_days=0, rounding=2):
    """What the ``payments`` cover of each instalment, oldest first.

    ``instalments``: ``[(key, due_date, amount)]``; ``payments``: ``[(date,
    amount)]`` in the plan's currency, in any order. Returns ``{key:
    Allocation}``. An instalment is ``paid`` when covered by its due date
    plus ``grace_days``, ``late`` when covered after that, ``missed`` when
    that day is before ``today`` and it is not covered, else ``pending``.
    """
    ordered = sorted(instalments, key=lambda item: (item[1], item[0]))
    credit = []  # [[date, amount left]] in the order the money arrived
    for day, amount in sorted(payments, key=lambda item: item[0]):
        if amount > 0:
            credit.append([day, amount])
    result = {}
    for key, due_date, amount in ordered:
        needed = amount
        paid_date = None
        while credit and round(needed, rounding) > 0:
            take = min(needed, credit[0][1])
            needed -= take
            credit[0][1] -= take
            paid_date = credit[0][0]
            if round(credit[0][1], rounding) <= 0:
                credit.pop(0)
        paid = round(amount - needed, rounding)
        limit = due_date + timedelta(days=grace_days)
        if round(needed, rounding) <= 0:
            state = PAID if paid_date <= limit else LATE
            result[key] = Allocation(paid, paid_date, state)
        else:
            state = MISSED if limit < today else PENDING
            result[key] = Allocation(paid, None, state)
    return result


def adherence(states):
    """Share (0-1) of the settled instalments that were paid on time: paid
    over paid, late and missed; ``None`` when none is settled yet."""
    settled = [state for state in states if state in (PAID, LATE, MISSED)]
    if not settled:
        return None
    return sum(1 for state in settled if state == PAID) / len(settled)
