"""A synthetic history for tests and benchmarks.

:func:`synthetic_history` makes the invoices of customers with persistent
payment habits. It is no part of the add-on's runtime: the package's
``__init__`` does not import it, and nothing of the add-on but its tests
does; the tests and the ``setup/`` benchmarks import it from here.
"""

import math
import random
from datetime import date, timedelta

from .history import Invoice

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
