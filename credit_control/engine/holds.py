"""Why a customer is on credit hold.

A customer is on hold when a user put it there by hand, when its exposure
(with the order being confirmed) goes over a credit limit that holds, when one of its
invoices is overdue beyond what its risk profile tolerates, or when a
reminder level that asks for it (the dunning level's credit-hold flag) was
reached. The causes are recomputed whenever they are needed, so a hold lifts
itself as soon as its cause is gone.

A credit limit holds only where someone chose it: a risk profile's limit (the
shipped profiles hold), or any limit once the company asks for holds. Odoo's
own *Sales Credit Limit* of a customer is a warning otherwise, as in Odoo.
"""

from dataclasses import dataclass

MANUAL = "manual"
OVER_LIMIT = "over_limit"
OVERDUE = "overdue"
DUNNING = "dunning"


@dataclass(frozen=True)
class Situation:
    """What is known of a customer when an order is about to be confirmed
    (amounts in the company's currency)."""

    manual_hold: bool = False
    exposure: float = 0.0  # open receivables, drafts, orders to invoice
    order_amount: float = 0.0  # the order being confirmed
    limit: float | None = None  # None: no credit limit
    limit_holds: bool = True  # False: over the limit is Odoo's warning only
    oldest_overdue_days: int = 0
    overdue_amount: float = 0.0
    overdue_tolerance: int | None = None  # None: no profile, no rule
    dunning_hold: bool = False


def reasons(situation, rounding=2):
    """The hold causes (codes above) of a situation, in a stable order."""
    found = []
    if situation.manual_hold:
        found.append(MANUAL)
    if (
        situation.limit is not None
        and situation.limit_holds
        and (
            round(
                situation.exposure + situation.order_amount - situation.limit, rounding
            )
            > 0
        )
    ):
        found.append(OVER_LIMIT)
    if (
        situation.overdue_tolerance is not None
        and situation.overdue_amount > 0
        and situation.oldest_overdue_days > situation.overdue_tolerance
    ):
        found.append(OVERDUE)
    if situation.dunning_hold:
        found.append(DUNNING)
    return found


def excess(situation, rounding=2):
    """By how much the order takes the customer over its limit (0 when it
    does not, or when there is no limit)."""
    if situation.limit is None:
        return 0.0
    return max(
        round(situation.exposure + situation.order_amount - situation.limit, rounding),
        0.0,
    )
