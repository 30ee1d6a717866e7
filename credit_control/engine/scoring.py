"""Credit risk score of a customer, from figures of its payment behaviour.

The score runs from 0 (safest) to 100 (riskiest). It is the sum of nine
factors (:data:`DEFAULT_WEIGHTS`). Each factor reads one figure of a
:class:`Behaviour`, maps it to a *badness* between 0 and 1 with a monotonic
rule, and adds ``weight * badness`` points:

=============  =========================================================
key            badness (clamped to 0..1)
=============  =========================================================
days_late      ``avg_days_late / 60``: two months late on average is full
trend          ``(recent_avg_days_late - older_avg_days_late) / 30``:
               paying a month later than before is full; improving is 0
on_time        ``1 - on_time_share``
overdue        ``overdue_amount / open_amount``; 0 when nothing is open
overdue_age    ``oldest_overdue_days / 90``
promises       ``broken_promises / 3``
disputes       ``disputes / 5``
usage          ``(credit_usage - 0.5) * 2``: counts above half the limit,
               full at the limit
external       ``1 - external_score / 100``
=============  =========================================================

Unknown inputs do not move the score. A factor is unknown when its figure
does not exist: no paid invoice in the last 12 months (``days_late``,
``on_time``), no paid invoice in one of the two periods (``trend``), no
credit limit (``usage``), no bureau score (``external``). Its weight is then
redistributed over the known factors in proportion to their weights, so the
score keeps its 0..100 scale and stands on what is known: a customer without
history or bureau data is scored on its open and overdue figures, promises
and disputes, and one who is bad on all of them still reaches 100. The
overdue, promise and dispute figures are always known (a count of nothing is
0), so a brand-new customer, with no history, nothing open, no credit limit
and no bureau score, scores 0.0.

Worsening any one figure never lowers the score, with two exceptions that
are denominators or baselines rather than risks: a larger ``open_amount``
dilutes the overdue share, and a later ``older_avg_days_late`` makes the
recent period look like an improvement. Learning a figure that was unknown
(a first paid invoice, a bureau score) may move the score either way: it then
stands on more.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Behaviour:
    """The figures of one customer that the score reads.

    Amounts are in the company's currency; periods end today.
    """

    # Invoices paid in the last 12 months.
    paid_count: int
    # Average days paid after the due date over those (early payments count
    # as 0, so that paying early cannot offset paying late).
    avg_days_late: float
    # Same over the last 3 months, None when nothing was paid then.
    recent_avg_days_late: float | None
    # Same over the 9 months before, None when nothing was paid then.
    older_avg_days_late: float | None
    # Share (0..1) of those paid by their due date, None when paid_count is 0.
    on_time_share: float | None
    # Open receivables past their due date.
    overdue_amount: float
    # All open receivables.
    open_amount: float
    # Days past due of the oldest overdue receivable, 0 when nothing is overdue.
    oldest_overdue_days: int
    # Promises to pay broken in the last 12 months.
    broken_promises: int
    # Disputes opened in the last 12 months.
    disputes: int
    # Exposure / credit limit, None when the customer has no limit.
    credit_usage: float | None
    # Bureau score 0..100 where 100 is the SAFEST, None when unknown.
    external_score: float | None


@dataclass(frozen=True)
class Factor:
    """One line of a score: how many risk points one figure added.

    ``weight`` is the weight the factor carried in *this* score on the 0..100
    scale: its configured weight, normalised, plus its share of the weights
    of the unknown factors; 0 when its own input is unknown. ``points`` runs
    from 0 to ``weight``, and the points of all factors add up to the score.
    ``value`` is the figure shown to the user (None when unknown): the
    behaviour's figure, except ``trend`` (recent minus older average days
    late) and ``overdue`` (the overdue share of what is open).
    """

    key: str
    points: float
    weight: float
    value: object


# The customer's own ledger says more than a bureau, whose data is generic and
# lags behind: lateness and what is overdue now carry most of the weight,
# external data the least.
DEFAULT_WEIGHTS: dict[str, float] = {
    "days_late": 20.0,
    "trend": 10.0,
    "on_time": 15.0,
    "overdue": 15.0,
    "overdue_age": 10.0,
    "promises": 10.0,
    "disputes": 5.0,
    "usage": 10.0,
    "external": 5.0,
}

DEFAULT_BANDS = ((30.0, "low"), (60.0, "medium"), (85.0, "high"), (100.0, "blocked"))

# Where each factor reaches its full weight. Two months late on average is
# already a customer financing itself on our credit: beyond that, later is not
# meaningfully riskier for a score.
_FULL_DAYS_LATE = 60.0
# A month's slide between the two periods is a change of habit, not noise.
_FULL_TREND_DAYS = 30.0
# 90 days past due is the usual definition of a default (Basel, IFRS 9).
_FULL_OVERDUE_AGE_DAYS = 90.0
# A third broken promise leaves no credibility to the next one.
_FULL_BROKEN_PROMISES = 3.0
# Disputes are often the seller's fault (wrong delivery, wrong price), so they
# saturate slowly and weigh little.
_FULL_DISPUTES = 5.0
# Using up to half the limit is what a limit is for; above that the customer
# is running out of room.
_FREE_USAGE = 0.5


def _clamp(value):
    # Figures from SQL may stray a little outside their range (rounding,
    # credit notes): a factor never adds less than 0 or more than its weight.
    return max(0.0, min(1.0, value))


# Each rule returns (value shown, badness), badness None when unknown.


def _days_late(behaviour):
    if behaviour.paid_count <= 0:
        return None, None
    value = behaviour.avg_days_late
    return value, _clamp(value / _FULL_DAYS_LATE)


def _trend(behaviour):
    recent = behaviour.recent_avg_days_late
    older = behaviour.older_avg_days_late
    if recent is None or older is None:
        return None, None
    value = recent - older
    return value, _clamp(value / _FULL_TREND_DAYS)


def _on_time(behaviour):
    # Without a paid invoice a share of 0 would read as "never on time".
    if behaviour.paid_count <= 0 or behaviour.on_time_share is None:
        return None, None
    value = behaviour.on_time_share
    return value, _clamp(1.0 - value)


def _overdue(behaviour):
    # Nothing open (or a credit balance) is a known fact: nothing is at risk.
    if behaviour.open_amount <= 0:
        return 0.0, 0.0
    value = behaviour.overdue_amount / behaviour.open_amount
    return value, _clamp(value)


def _overdue_age(behaviour):
    value = behaviour.oldest_overdue_days
    return value, _clamp(value / _FULL_OVERDUE_AGE_DAYS)


def _promises(behaviour):
    value = behaviour.broken_promises
    return value, _clamp(value / _FULL_BROKEN_PROMISES)


def _disputes(behaviour):
    value = behaviour.disputes
    return value, _clamp(value / _FULL_DISPUTES)


def _usage(behaviour):
    value = behaviour.credit_usage
    if value is None:
        return None, None
    return value, _clamp((value - _FREE_USAGE) / (1.0 - _FREE_USAGE))


def _external(behaviour):
    value = behaviour.external_score
    if value is None:
        return None, None
    return value, _clamp(1.0 - value / 100.0)


_RULES = {
    "days_late": _days_late,
    "trend": _trend,
    "on_time": _on_time,
    "overdue": _overdue,
    "overdue_age": _overdue_age,
    "promises": _promises,
    "disputes": _disputes,
    "usage": _usage,
    "external": _external,
}


def _checked_weights(weights):
    if weights is None:
        return DEFAULT_WEIGHTS
    unknown = set(weights) - set(_RULES)
    if unknown:
        raise ValueError(f"unknown score factors: {sorted(unknown)}")
    for key, weight in weights.items():
        if not math.isfinite(weight) or weight < 0:
            raise ValueError(f"weight of {key!r} must be a number >= 0: {weight!r}")
    if sum(weights.values()) <= 0:
        raise ValueError("at least one weight must be positive")
    return weights


def score(behaviour, weights=None):
    """Return the risk score of a :class:`Behaviour` and its factors.

    The score is a float from 0.0 (safest) to 100.0 (riskiest), rounded to
    one decimal; the factors are one :class:`Factor` per key of ``weights``,
    in that order, unrounded. ``weights`` maps factor keys (those of
    :data:`DEFAULT_WEIGHTS`; a key left out is not scored) to non-negative
    numbers of any total, normalised to 100; None means
    :data:`DEFAULT_WEIGHTS`. The weights of factors whose input is unknown go
    to the known ones (see the module's docstring); when no weighted factor is
    known the score is 0.0.

    Raises ValueError on an unknown key, a negative or non-finite weight, or
    weights that are all 0.
    """
    weights = _checked_weights(weights)
    readings = {key: _RULES[key](behaviour) for key in weights}
    known_weight = sum(
        weights[key] for key, (_, badness) in readings.items() if badness is not None
    )
    factors = []
    for key, weight in weights.items():
        value, badness = readings[key]
        if badness is None or not known_weight:
            factors.append(Factor(key=key, points=0.0, weight=0.0, value=value))
            continue
        # Normalising over the known weight alone is what redistributes the
        # unknown factors' weight proportionally.
        share = weight * 100.0 / known_weight
        factors.append(
            Factor(key=key, points=share * badness, weight=share, value=value)
        )
    total = sum(factor.points for factor in factors)
    # Float sums of full weights may land a hair above 100.
    return min(round(total, 1), 100.0), factors


def band(score, bands=DEFAULT_BANDS):
    """Return the key of the band a score falls in.

    ``bands`` is a sequence of ``(upper bound, key)`` in ascending order of
    bound; the first band whose upper bound is >= ``score`` wins, so a bound
    belongs to the band it closes (30.0 is "low" with the default bands).
    Raises ValueError for a score outside 0..100 (or not a number), for bands
    not in strictly ascending order, and for a score above the last bound.
    """
    if not 0.0 <= score <= 100.0:
        raise ValueError(f"a score runs from 0 to 100, not {score!r}")
    bounds = [bound for bound, _key in bands]
    if any(low >= high for low, high in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(f"band bounds must be strictly ascending: {bounds}")
    for bound, key in bands:
        if score <= bound:
            return key
    raise ValueError(f"no band covers the score {score!r}")


def explain(factors):
    """Return why a score is what it is, biggest reason first.

    A list of ``(key, points rounded to 1 decimal)`` for the factors that
    added points, sorted by points descending (ties keep the factors' order).
    A factor whose points round to 0.0 is left out: "0.0" explains nothing.
    """
    ranked = sorted(factors, key=lambda factor: factor.points, reverse=True)
    reasons = [(factor.key, round(factor.points, 1)) for factor in ranked]
    return [(key, points) for key, points in reasons if points > 0]
