"""The customer's statement of account and what it may pay online.

Plain data in, plain data out; no Odoo. The portal reads the customer's open
documents, and this module ages them, totals them per currency and checks a
payment request against them, so that the rules are tested without Odoo.

An invoice paid in instalments is aged per instalment: each open
instalment counts in the column of its own due date, and the invoice is
overdue as soon as one of its instalments is, by the days of the oldest
one. The balance card, the statement, its PDF and the invoice page then
tell the customer the same thing.
"""

from dataclasses import dataclass, field

from .ageing import BUCKETS, bucket_of

# Filters of the statement page.
FILTERS = ("all", "overdue", "current")

# Why a payment request is refused (messages are written by the caller, in
# the customer's language).
NOTHING_SELECTED = "nothing_selected"
NOT_PAYABLE = "not_payable"
MIXED_CURRENCIES = "mixed_currencies"
MIXED_COMPANIES = "mixed_companies"
AMOUNT_NOT_POSITIVE = "amount_not_positive"
AMOUNT_TOO_HIGH = "amount_too_high"
PARTIAL_NOT_ALLOWED = "partial_not_allowed"


@dataclass(frozen=True, slots=True)
class Line:
    """An open invoice or credit note of the customer."""

    id: int
    currency: object  # anything hashable: an Odoo currency record, a code
    company: object
    due_date: object  # datetime.date
    residual: float  # still open, document currency, positive
    is_refund: bool = False
    # ((due date, still open), ...) of the open instalments, oldest first;
    # empty for a document due in one go on ``due_date``.
    instalments: tuple = ()

    @property
    def signed(self):
        return -self.residual if self.is_refund else self.residual

    @property
    def parts(self):
        """((due date, still open), ...): the instalments, or the whole
        document on its due date."""
        return self.instalments or ((self.due_date, self.residual),)


@dataclass(slots=True)
class Totals:
    """One currency's column totals; credit notes are deducted."""

    currency: object
    balance: float = 0.0
    overdue: float = 0.0
    buckets: dict = field(default_factory=lambda: {key: 0.0 for key, *_ in BUCKETS})
    count: int = 0


def _days(due_date, today):
    return today.toordinal() - due_date.toordinal()


def days_overdue(line, today):
    """Days since the oldest open instalment of ``line`` fell due
    (negative: days until it does)."""
    return max(_days(due, today) for due, _amount in line.parts)


def overdue_amount(line, today):
    """What of ``line`` is past due on ``today`` (0 for a credit note)."""
    if line.is_refund:
        return 0.0
    return sum(amount for due, amount in line.parts if _days(due, today) > 0)


def bucket(line, today):
    """The ageing column of ``line`` on ``today`` (of its oldest open
    instalment)."""
    return bucket_of(days_overdue(line, today))


def keep(line, today, filter_):
    """Whether ``line`` shows under the page filter ``filter_``."""
    if filter_ not in FILTERS:
        raise ValueError(f"Unknown statement filter {filter_!r}.")
    if filter_ == "overdue":
        return overdue_amount(line, today) > 0
    if filter_ == "current":
        return line.is_refund or not overdue_amount(line, today)
    return True


def totals(lines, today, rounding=2):
    """``[Totals]`` per currency, the largest balance first (then by the
    currency's text, for a stable order)."""
    per_currency = {}
    for line in lines:
        row = per_currency.setdefault(line.currency, Totals(line.currency))
        sign = -1 if line.is_refund else 1
        row.balance += line.signed
        for due, amount in line.parts:
            row.buckets[bucket_of(_days(due, today))] += sign * amount
        row.count += 1
        row.overdue += overdue_amount(line, today)
    for row in per_currency.values():
        row.balance = round(row.balance, rounding)
        row.overdue = round(row.overdue, rounding)
        row.buckets = {
            key: round(value, rounding) for key, value in row.buckets.items()
        }
    return sorted(per_currency.values(), key=lambda r: (-r.balance, str(r.currency)))


def payment_refusals(lines, selected_ids, amount=None, allow_partial=False, rounding=2):
    """Why paying ``selected_ids`` (``amount``, or their whole residual when
    None) is refused: a list of codes, empty when it may go ahead.

    ``lines`` are the customer's open documents: an id not among them (paid
    since, someone else's, a credit note) is not payable. One payment is in
    one currency and for one company."""
    selected = set(selected_ids)
    if not selected:
        return [NOTHING_SELECTED]
    payable = {line.id: line for line in lines if not line.is_refund}
    if selected - set(payable):
        return [NOT_PAYABLE]
    chosen = [payable[i] for i in sorted(selected)]
    codes = []
    if len({line.currency for line in chosen}) > 1:
        codes.append(MIXED_CURRENCIES)
    if len({line.company for line in chosen}) > 1:
        codes.append(MIXED_COMPANIES)
    if amount is not None:
        total = round(sum(line.residual for line in chosen), rounding)
        amount = round(amount, rounding)
        if amount <= 0:
            codes.append(AMOUNT_NOT_POSITIVE)
        elif amount > total:
            codes.append(AMOUNT_TOO_HIGH)
        elif amount < total and not allow_partial:
            codes.append(PARTIAL_NOT_ALLOWED)
    return codes


def payment_amount(lines, selected_ids, amount=None, rounding=2):
    """What the payment of ``selected_ids`` charges: ``amount`` when given
    (checked by ``payment_refusals``), else the sum of their residuals."""
    if amount is not None:
        return round(amount, rounding)
    selected = set(selected_ids)
    return round(sum(line.residual for line in lines if line.id in selected), rounding)


def spread(amount, residuals, rounding=2):
    """``{key: share}``: ``amount`` spread over ``residuals`` (``[(key,
    still open)]``, oldest first), each taking at most what it owes. This
    is how a dispute over several invoices is credited, so the part of each
    invoice in dispute (and the rest the customer may still promise, plan
    or dispute)."""
    left = round(amount, rounding)
    shares = {}
    for key, residual in residuals:
        share = max(min(left, round(residual, rounding)), 0.0)
        shares[key] = share
        left = round(left - share, rounding)
    return shares
