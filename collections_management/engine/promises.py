"""Promises to pay: whether one may be accepted, and whether it was kept.

The limits come from the customer's dunning policy: how far ahead the
promised date may be, and the smallest share of what is due that the
promise must cover. A promise is judged once its date plus a grace period
has passed, on what was paid on the covered invoices since it was made.
"""

from datetime import timedelta

KEPT = "kept"
PARTIAL = "partial"
BROKEN = "broken"

# Why a promise is refused.
DATE_PAST = "date_past"
DATE_TOO_FAR = "date_too_far"
AMOUNT_NOT_POSITIVE = "amount_not_positive"
AMOUNT_TOO_LOW = "amount_too_low"
AMOUNT_TOO_HIGH = "amount_too_high"
TOO_MANY_BROKEN = "too_many_broken"


def refusals(
    today,
    promise_date,
    amount,
    due,
    max_days,
    min_share,
    broken_count=0,
    max_broken=0,
    rounding=2,
):
    """The reasons (codes above) to refuse a promise, empty when it fits.

    ``due`` is what the covered invoices still owe; ``min_share`` a fraction
    (0.5 for half); ``max_days`` 0 and ``max_broken`` 0 mean no limit.
    """
    reasons = []
    if broken_count and max_broken and broken_count >= max_broken:
        reasons.append(TOO_MANY_BROKEN)
    if promise_date < today:
        reasons.append(DATE_PAST)
    elif max_days and promise_date > today + timedelta(days=max_days):
        reasons.append(DATE_TOO_FAR)
    amount = round(amount, rounding)
    if amount <= 0:
        reasons.append(AMOUNT_NOT_POSITIVE)
    elif amount > round(due, rounding):
        reasons.append(AMOUNT_TOO_HIGH)
    elif amount < round(due * min_share, rounding):
        reasons.append(AMOUNT_TOO_LOW)
    return reasons


def outcome(promised, paid, rounding=2):
    """``kept`` when what was paid reaches the promise, ``partial`` when
    something was paid, else ``broken``."""
    paid = round(paid, rounding)
    if paid >= round(promised, rounding):
        return KEPT
    if paid > 0:
        return PARTIAL
    return BROKEN


def is_due_for_review(promise_date, today, grace_days):
    """Whether a promise's date plus its grace period has passed."""
    return promise_date + timedelta(days=grace_days) < today


def kept_rate(states):
    """Share (0-1) of the judged promises that were kept; ``None`` when no
    promise was judged yet (open and cancelled ones do not count)."""
    judged = [state for state in states if state in (KEPT, PARTIAL, BROKEN)]
    if not judged:
        return None
    return sum(1 for state in judged if state == KEPT) / len(judged)
