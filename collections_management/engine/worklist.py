"""The collector's daily worklist: what to do first, and who does it.

Each line of the worklist is an :class:`Item`: a customer and the reason it
is on the list today (a call due, a broken promise, a bounced payment...).
:func:`score` gives it a priority from 0 to 100 with the points each factor
added, :func:`rank` sorts a day's items by it, highest first, and
:func:`explain` says why in one line.

Customers get a collector from the first :class:`Rule` they match
(:func:`assign`); :func:`rebalance` spreads a team's customers so that each
collector has about the same open amount.

The score
---------
Five factors, each read as a number from 0 (nothing urgent) to 1:

================  =========================================================
factor            reading
================  =========================================================
amount            ``a / (a + amount_scale)``, a the amount overdue: 0.5 at
                  ``amount_scale``, never quite 1, so a larger amount always
                  ranks higher
days              ``d / (d + days_scale)`` for d > 0 days overdue, else 0
risk              the customer's risk, 0..1 (1 riskiest), as given
broken_promises   ``min(n, 3) / 3``: a third broken promise is full
late_probability  the predicted probability of paying late, as given
================  =========================================================

The base score is ``100 * sum(weight * reading) / sum(weight)`` over the
known factors, so 100 is the most it can be. Risk and late probability may be
unknown (None): the factor is skipped and its weight goes to the known ones in
proportion to theirs. That scores the customer as if the unknown reading were
the weighted mean of its known ones: until the prediction lands, a customer
ranks where its known figures put it, neither higher nor lower.

The reason then adds its bonus (:data:`REASON_WEIGHTS`) on top, into the room
left below 100 only: reason points = min(bonus, 100 - base). The score never
passes 100 and no factor's points are cut, so the parts still add up.

Points are shown to one decimal and rounded so that they add up to the
rounded score exactly (largest remainder): what the collector reads sums up.
"""

import math
from dataclasses import dataclass

# Why a customer is on today's list.
CALL_DUE = "call"  # a planned call or follow-up is due
TO_VALIDATE = "validate"  # a reminder waits for the collector's approval
PROMISE_DUE = "promise_due"  # a promise to pay falls due today
PROMISE_BROKEN = "promise_broken"
DISPUTE_LATE = "dispute_late"  # a dispute is past its resolution date
INSTALMENT_MISSED = "instalment_missed"  # a payment plan instalment is unpaid
BOUNCED = "bounced"  # a payment or direct debit came back
OVER_LIMIT = "over_limit"  # the customer is above its credit limit
REPLY = "reply"  # an unread reply from the customer

REASONS = (
    CALL_DUE,
    TO_VALIDATE,
    PROMISE_DUE,
    PROMISE_BROKEN,
    DISPUTE_LATE,
    INSTALMENT_MISSED,
    BOUNCED,
    OVER_LIMIT,
    REPLY,
)

# Points (on the 0..100 scale) each reason adds on top of the base score, so
# that at equal money at risk the more pressing task comes first. Money that
# was expected and did not come (a broken promise, a bounced payment, a
# missed instalment) is the most pressing: the customer's word or plan has
# failed today. A customer waiting for an answer and a promise to check today
# come next, then what merely drifts (a late dispute, a limit overrun), then
# routine calls and approvals.
REASON_WEIGHTS = {
    PROMISE_BROKEN: 15.0,
    BOUNCED: 15.0,
    INSTALMENT_MISSED: 12.0,
    REPLY: 10.0,
    PROMISE_DUE: 10.0,
    DISPUTE_LATE: 8.0,
    OVER_LIMIT: 8.0,
    CALL_DUE: 5.0,
    TO_VALIDATE: 3.0,
}

# What a logged call with the customer deals with: the item is done once the
# call is logged. A reminder still waits for its validation, and a late
# dispute stays late until the dispute is resolved, whatever was said.
SETTLED_BY_A_CALL = frozenset(
    {
        CALL_DUE,
        PROMISE_DUE,
        PROMISE_BROKEN,
        INSTALMENT_MISSED,
        BOUNCED,
        OVER_LIMIT,
        REPLY,
    }
)


def settled_by_a_call(reason):
    """Whether logging a call with the customer closes an item of ``reason``."""
    return reason in SETTLED_BY_A_CALL


# The factors of a score, in the order of its parts; "reason" is the bonus.
FACTORS = ("amount", "days", "risk", "broken_promises", "late_probability")
PARTS = (*FACTORS, "reason")

# A third broken promise leaves no credibility to the next one (the credit
# score of credit_control saturates at the same count).
FULL_BROKEN_PROMISES = 3


@dataclass(frozen=True, slots=True)
class Weights:
    """The company's worklist settings: how much each factor weighs.

    Weights are non-negative numbers of any total (normalised to 100); the
    defaults add up to 100, so a factor at full reading adds its weight in
    points. ``amount_scale`` is the amount overdue (company currency) at
    which the amount factor reads 0.5, ``days_scale`` the days overdue at
    which the days factor does.
    """

    amount: float = 40.0
    days: float = 25.0
    risk: float = 15.0
    broken_promises: float = 10.0
    late_probability: float = 10.0
    amount_scale: float = 10000.0
    days_scale: float = 60.0

    def validate(self):
        """Return the weights unchanged, or raise ValueError saying what to fix."""
        for name in FACTORS:
            weight = getattr(self, name)
            if not math.isfinite(weight) or weight < 0:
                raise ValueError(
                    f"The worklist weight of {name!r} must be a number of 0 or"
                    f" more, not {weight!r}."
                )
        if not sum(getattr(self, name) for name in FACTORS):
            raise ValueError("Set at least one worklist weight above 0.")
        for name in ("amount_scale", "days_scale"):
            scale = getattr(self, name)
            if not math.isfinite(scale) or scale <= 0:
                raise ValueError(
                    f"The worklist {name.replace('_', ' ')} must be above 0,"
                    f" not {scale!r}."
                )
        return self


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the worklist: a customer and why it is on it today."""

    id: int
    customer: object
    reason: str  # one of REASONS (or a key of the caller's reason weights)
    amount_overdue: float  # company currency; 0 or less reads as 0
    days_overdue: int  # of the oldest overdue invoice; 0 or less when none
    risk: float | None = None  # 0..1, 1 riskiest; None when unknown
    broken_promises: int = 0
    late_probability: float | None = None  # 0..1; None until predicted


@dataclass(frozen=True, slots=True)
class Score:
    """A priority and what it is made of.

    ``value`` runs from 0.0 to 100.0, one decimal. ``parts`` are
    ``(name, points)`` pairs, one per name of :data:`PARTS` in that order
    ("reason" last), points to one decimal, which add up to ``value`` (to
    the tenth: ``round(sum(points), 1) == value``). ``unknown`` names the
    weighted factors whose input was None: their points are 0 and their
    weight went to the others.
    """

    value: float
    parts: tuple
    unknown: tuple = ()


def _clamp(value):
    return max(0.0, min(1.0, float(value)))


def _saturating(value, scale):
    return value / (value + scale) if value > 0 else 0.0


def _readings(item, weights):
    """``(factor, weight, reading)`` per factor, reading None when unknown."""
    risk, late = item.risk, item.late_probability
    return (
        (
            "amount",
            weights.amount,
            _saturating(item.amount_overdue, weights.amount_scale),
        ),
        ("days", weights.days, _saturating(item.days_overdue, weights.days_scale)),
        ("risk", weights.risk, None if risk is None else _clamp(risk)),
        (
            "broken_promises",
            weights.broken_promises,
            _clamp(item.broken_promises / FULL_BROKEN_PROMISES),
        ),
        (
            "late_probability",
            weights.late_probability,
            None if late is None else _clamp(late),
        ),
    )


def _bonus(reason, reason_weights):
    try:
        bonus = reason_weights[reason]
    except KeyError:
        raise ValueError(
            f"Unknown worklist reason {reason!r}: give it a weight."
        ) from None
    if not math.isfinite(bonus) or bonus < 0:
        raise ValueError(
            f"The weight of the worklist reason {reason!r} must be a number of 0"
            f" or more, not {bonus!r}."
        )
    return float(bonus)


def _tenths(raw, total):
    """Round ``raw`` points to whole tenths adding up to ``total`` tenths.

    Each part is rounded down, then the tenths still missing go to the parts
    with the largest remainders (ties: the earlier part).
    """
    scaled = [points * 10 for points in raw]
    tenths = [math.floor(value) for value in scaled]
    missing = total - sum(tenths)
    order = sorted(range(len(scaled)), key=lambda i: (tenths[i] - scaled[i], i))
    for index in order[: max(missing, 0)]:
        tenths[index] += 1
    return tenths


def _score(item, weights, reason_weights):
    readings = _readings(item, weights)
    known = sum(weight for _name, weight, reading in readings if reading is not None)
    raw = [
        # Dividing by the known weight alone redistributes the unknown ones.
        100.0 * weight * reading / known if reading is not None and known else 0.0
        for _name, weight, reading in readings
    ]
    base = min(sum(raw), 100.0)
    raw.append(max(0.0, min(_bonus(item.reason, reason_weights), 100.0 - base)))
    value = min(round(base + raw[-1], 1), 100.0)
    tenths = _tenths(raw, round(value * 10))
    return Score(
        value=value,
        parts=tuple(zip(PARTS, (t / 10 for t in tenths), strict=True)),
        unknown=tuple(
            name for name, weight, reading in readings if reading is None and weight
        ),
    )


def score(item, weights=None, reason_weights=None):
    """Return the :class:`Score` of an :class:`Item` (see the module's docstring).

    ``weights`` default to :class:`Weights()`, ``reason_weights`` to
    :data:`REASON_WEIGHTS`. Raises ValueError on invalid weights or a reason
    without a weight.
    """
    weights = (Weights() if weights is None else weights).validate()
    reasons = REASON_WEIGHTS if reason_weights is None else reason_weights
    return _score(item, weights, reasons)


def rank(items, weights=None, reason_weights=None):
    """Return ``[(item, Score)]``, the order the worklist opens in.

    Highest score first (as shown, to one decimal), then the larger amount
    overdue, then the smaller item id: the same items give the same order
    whatever order they come in.
    """
    weights = (Weights() if weights is None else weights).validate()
    reasons = REASON_WEIGHTS if reason_weights is None else reason_weights
    scored = [(item, _score(item, weights, reasons)) for item in items]
    scored.sort(
        key=lambda pair: (
            -pair[1].value,
            -round(pair[0].amount_overdue, 2),
            pair[0].id,
        )
    )
    return scored


def explain(score, labels, top=3, number="{:.1f}".format):
    """Return why an item ranks where it does, as one short line.

    The ``top`` parts that added the most points (all of them when None),
    biggest first (ties in the order of :data:`PARTS`), as "label points"
    joined by " + ": ``"Amount overdue 20.0 + Days overdue 12.5 + Risk 6.0"``.
    ``labels`` maps part names to the words shown (translated by the
    caller); a name without a label is shown as is. ``number`` writes the
    points (the caller passes one in the reader's language). Parts without
    points are left out; "" when none added any. ``score`` is a
    :class:`Score` or its ``parts`` alone.
    """
    order = {name: index for index, name in enumerate(PARTS)}
    parts = sorted(
        (part for part in getattr(score, "parts", score) if part[1] > 0),
        key=lambda part: (-part[1], order.get(part[0], len(order))),
    )
    if top is not None:
        parts = parts[:top]
    return " + ".join(
        f"{labels.get(name, name)} {number(points)}" for name, points in parts
    )


# --- assignment -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    """What assignment reads of a customer; ``collector`` is its current one."""

    id: int
    country: object  # a country code, e.g. "BE"; None when unknown
    language: str | None  # a language code, e.g. "fr_BE"
    segment: object
    open_amount: float  # company currency
    collector: object = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A customer matching every condition goes to ``collector``.

    A set of countries, languages or segments that is None (or empty)
    matches any customer. A language matches the customer's language code
    exactly or by its language part: "fr" matches "fr_BE" and "fr_FR",
    "fr_BE" only "fr_BE". The amount band holds open amounts with
    ``min_amount <= amount < max_amount``, None for no bound, so that
    consecutive bands (0-10,000, 10,000-None) leave no gap and no overlap.
    """

    sequence: int
    collector: object
    countries: frozenset | None = None
    languages: frozenset | None = None
    segments: frozenset | None = None
    min_amount: float | None = None
    max_amount: float | None = None

    def __post_init__(self):
        for name in ("countries", "languages", "segments"):
            values = getattr(self, name)
            if isinstance(values, str):
                # frozenset("BE") would be {"B", "E"}.
                raise TypeError(
                    f"The rule's {name} must be a set of codes, not a string."
                )
            object.__setattr__(self, name, frozenset(values) if values else None)
        low, high = self.min_amount, self.max_amount
        if low is not None and high is not None and low > high:
            raise ValueError(
                f"The amount band of the rule for {self.collector!r} ends ({high})"
                f" below where it starts ({low}): set a maximum of at least the"
                " minimum."
            )

    def matches(self, customer):
        """Whether ``customer`` (a :class:`Customer`) meets every condition."""
        if self.countries is not None and customer.country not in self.countries:
            return False
        if self.segments is not None and customer.segment not in self.segments:
            return False
        if self.languages is not None:
            language = customer.language or ""
            if not {language, language.split("_")[0]} & self.languages:
                return False
        amount = round(customer.open_amount, 2)
        if self.min_amount is not None and amount < round(self.min_amount, 2):
            return False
        return self.max_amount is None or amount < round(self.max_amount, 2)


def _in_order(rules):
    return [rule for _i, rule in sorted(enumerate(rules), key=_rule_key)]


def _rule_key(indexed):
    index, rule = indexed
    return rule.sequence, index


def assign(customer, rules):
    """Return the collector of the first rule ``customer`` matches, or None.

    Rules are tried by sequence, then in the order given.
    """
    for rule in _in_order(rules):
        if rule.matches(customer):
            return rule.collector
    return None


def assign_all(customers, rules):
    """Return ``{customer id: collector or None}``, :func:`assign` for each."""
    ordered = _in_order(rules)
    return {
        customer.id: next(
            (rule.collector for rule in ordered if rule.matches(customer)), None
        )
        for customer in customers
    }


# --- rebalancing -----------------------------------------------------------


def _cents(amount):
    # A customer in credit has nothing to collect: it weighs 0. Whole cents
    # make equal loads compare equal (0.1 + 0.2 is not 0.3 in floats).
    return max(0, round(amount * 100))


def rebalance(customers, collectors, tolerance=0.1):
    """Spread ``customers`` over ``collectors`` by open amount.

    Returns ``{customer id: collector}``. Customers are taken largest open
    amount first (ties: smaller id), in two rounds:

    1. A customer stays with its current collector, if that collector is
       in the team, while the load kept by that collector stays within the
       average load x (1 + ``tolerance``), or when it is the first customer
       that collector keeps (one customer larger than that overloads
       whoever takes it: moving it gains nothing).
    2. Every other customer goes to the collector with the least open amount
       so far (ties: fewer customers, then the order of ``collectors``): the
       greedy "largest first" rule.

    So no collector ends above the larger of the average x (1 +
    ``tolerance``) and the average plus the largest customer placed.

    ``tolerance`` 0 keeps customers only within the exact average; a
    customer without a current collector is always placed in round 2. Open
    amounts are counted to the cent, a negative one as 0. The result
    depends only on the customers and the order of ``collectors``, not on
    the order of ``customers``.

    Raises ValueError when ``collectors`` is empty or lists one twice, when
    a customer id comes twice, or when ``tolerance`` is negative.
    """
    collectors = list(collectors)
    if not collectors:
        raise ValueError("Choose at least one collector to spread the customers over.")
    if len(set(collectors)) != len(collectors):
        raise ValueError("A collector is listed twice: list each collector once.")
    if not tolerance >= 0:
        raise ValueError(f"The tolerance must be 0 or more, not {tolerance!r}.")
    ordered = sorted(customers, key=lambda c: (-_cents(c.open_amount), c.id))
    if len({customer.id for customer in ordered}) != len(ordered):
        raise ValueError("A customer is listed twice: list each customer once.")
    load = dict.fromkeys(collectors, 0)
    cap = sum(_cents(c.open_amount) for c in ordered) / len(collectors)
    cap *= 1 + tolerance
    assignment, rest = {}, []
    for customer in ordered:
        current, cents = customer.collector, _cents(customer.open_amount)
        if current in load and (not load[current] or load[current] + cents <= cap):
            assignment[customer.id] = current
            load[current] += cents
        else:
            rest.append(customer)
    count = dict.fromkeys(collectors, 0)
    for collector in assignment.values():
        count[collector] += 1
    position = {collector: index for index, collector in enumerate(collectors)}
    for customer in rest:
        target = min(collectors, key=lambda c: (load[c], count[c], position[c]))
        assignment[customer.id] = target
        load[target] += _cents(customer.open_amount)
        count[target] += 1
    return assignment


def loads(assignment, customers, collectors=()):
    """Return ``{collector: open amount}`` of an assignment, to the cent.

    ``assignment`` is ``{customer id: collector}``; customers it leaves out
    are not counted, and open amounts are counted as :func:`rebalance` does
    (a negative one as 0). Every collector of ``collectors`` is listed, with
    0.0 when it has no customer, first and in that order.
    """
    totals = dict.fromkeys(collectors, 0)
    for customer in customers:
        if customer.id in assignment:
            collector = assignment[customer.id]
            totals[collector] = totals.get(collector, 0) + _cents(customer.open_amount)
    return {collector: cents / 100 for collector, cents in totals.items()}
