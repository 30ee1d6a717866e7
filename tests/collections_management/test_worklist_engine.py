"""The collector's worklist: priority score, its explanation, assignment rules
and rebalancing, with the figures worked out by hand."""

import random
from dataclasses import replace

import pytest

from collections_management.engine.worklist import (
    BOUNCED,
    CALL_DUE,
    DISPUTE_LATE,
    INSTALMENT_MISSED,
    PARTS,
    PROMISE_BROKEN,
    PROMISE_DUE,
    REASON_WEIGHTS,
    REASONS,
    REPLY,
    TO_VALIDATE,
    Customer,
    Item,
    Rule,
    Score,
    Weights,
    assign,
    assign_all,
    explain,
    loads,
    rank,
    rebalance,
    score,
    settled_by_a_call,
)

LABELS = {
    "amount": "Amount overdue",
    "days": "Days overdue",
    "risk": "Risk",
    "broken_promises": "Broken promises",
    "late_probability": "Likely to pay late",
    "reason": "Urgency",
}

# With the default weights (40, 25, 15, 10, 10; scales 10,000 and 60 days):
# amount 10,000 / (10,000 + 10,000) = 0.5 of 40 -> 20.0
# days 60 / (60 + 60) = 0.5 of 25 -> 12.5
# risk 0.4 of 15 -> 6.0
# broken promises 1 / 3 of 10 -> 3.333...
# late probability 0.5 of 10 -> 5.0
# base 46.833..., + 5 for a call due -> 51.833... -> 51.8
ACME = Item(
    id=1,
    customer="acme",
    reason=CALL_DUE,
    amount_overdue=10000.0,
    days_overdue=60,
    risk=0.4,
    broken_promises=1,
    late_probability=0.5,
)


def points(result):
    return dict(result.parts)


def ids(ranked):
    return [item.id for item, _score in ranked]


# --- the score --------------------------------------------------------------


def test_default_weights():
    weights = Weights()
    assert (
        weights.amount,
        weights.days,
        weights.risk,
        weights.broken_promises,
        weights.late_probability,
    ) == (40.0, 25.0, 15.0, 10.0, 10.0)
    assert (weights.amount_scale, weights.days_scale) == (10000.0, 60.0)
    assert weights.validate() is weights
    assert set(REASON_WEIGHTS) == set(REASONS)


def test_worked_example_factor_by_factor():
    result = score(ACME)
    assert result == Score(
        value=51.8,
        parts=(
            ("amount", 20.0),
            ("days", 12.5),
            ("risk", 6.0),
            ("broken_promises", 3.3),
            ("late_probability", 5.0),
            ("reason", 5.0),
        ),
        unknown=(),
    )


def test_large_overdue_amount_ranks_above_small_one():
    small = replace(ACME, id=1, amount_overdue=500.0)
    large = replace(ACME, id=2, amount_overdue=30000.0)
    assert ids(rank([small, large])) == [2, 1]
    # 500 / 10,500 of 40 = 1.9 against 30,000 / 40,000 of 40 = 30.0
    assert points(score(small))["amount"] == 1.9
    assert points(score(large))["amount"] == 30.0


def test_older_debt_ranks_above_newer_at_equal_amount():
    newer = replace(ACME, id=1, days_overdue=5)
    older = replace(ACME, id=2, days_overdue=120)
    assert ids(rank([newer, older])) == [2, 1]
    # 120 / 180 of 25 = 16.7; 5 / 65 of 25 = 1.9
    assert points(score(older))["days"] == 16.7
    assert points(score(newer))["days"] == 1.9


@pytest.mark.parametrize("days", [0, -10])
def test_nothing_overdue_adds_no_days_points(days):
    assert points(score(replace(ACME, days_overdue=days)))["days"] == 0.0


def test_each_broken_promise_raises_the_rank_up_to_the_third():
    values = [
        score(replace(ACME, broken_promises=count)).value for count in (0, 1, 2, 3, 7)
    ]
    assert values[0] < values[1] < values[2] < values[3]
    assert values[3] == values[4]  # a third broken promise is already full
    assert points(score(replace(ACME, broken_promises=3)))["broken_promises"] == 10.0
    items = [replace(ACME, id=n, broken_promises=n) for n in range(4)]
    assert ids(rank(items)) == [3, 2, 1, 0]


def test_amount_is_half_read_at_its_scale():
    weights = Weights(amount_scale=2000.0)
    assert points(score(replace(ACME, amount_overdue=2000.0), weights))["amount"] == 20
    assert points(score(replace(ACME, amount_overdue=6000.0), weights))["amount"] == 30


def test_weights_of_any_total_are_normalised():
    tripled = Weights(120.0, 75.0, 45.0, 30.0, 30.0)
    assert score(ACME, tripled) == score(ACME)


# A customer not yet predicted (late_probability None) is scored as if its
# probability were the weighted mean of its known readings: here (40 x 0.5 +
# 25 x 0.5 + 15 x 0.4 + 10 x 1/3) / 90 = 41.833... / 90 = 0.4648...


NOT_PREDICTED = replace(ACME, late_probability=None)
KNOWN_MEAN = (40 * 0.5 + 25 * 0.5 + 15 * 0.4 + 10 / 3) / 90


def test_missing_prediction_scores_as_the_customers_known_mean():
    result = score(NOT_PREDICTED)
    assert result.value == score(replace(ACME, late_probability=KNOWN_MEAN)).value
    # the known factors share the whole scale: 46.48 + 5 for the call
    assert result.value == 51.5
    assert points(result)["late_probability"] == 0.0
    assert result.unknown == ("late_probability",)


def test_missing_prediction_does_not_lower_the_rank():
    # Same figures, predicted to pay on time (0.0) or late (0.9): not yet
    # predicted ranks between them, not at the bottom as a 0 would put it.
    on_time = replace(ACME, id=1, late_probability=0.0)
    late = replace(ACME, id=2, late_probability=0.9)
    unknown = replace(NOT_PREDICTED, id=3)
    assert ids(rank([on_time, late, unknown])) == [2, 3, 1]


def test_before_the_prediction_lands_its_weight_changes_nothing():
    rng = random.Random(4)
    items = [
        Item(
            n,
            n,
            rng.choice(REASONS),
            round(rng.uniform(0, 40000), 2),
            rng.randrange(-30, 200),
            rng.choice([None, rng.random()]),
            rng.randrange(5),
        )
        for n in range(200)
    ]
    with_weight = rank(items, Weights(late_probability=30.0))
    without = rank(items, Weights(late_probability=0.0))
    assert [(i.id, s.value) for i, s in with_weight] == [
        (i.id, s.value) for i, s in without
    ]


def test_unknown_risk_and_prediction_leave_the_scale_to_what_is_known():
    result = score(replace(ACME, risk=None, late_probability=None))
    assert result.unknown == ("risk", "late_probability")
    # (20 + 12.5 + 3.333) / 75 x 100 = 47.78; + 5 for the call
    assert result.value == 52.8
    assert points(result) == {
        "amount": 26.7,
        "days": 16.7,
        "risk": 0.0,
        "broken_promises": 4.4,
        "late_probability": 0.0,
        "reason": 5.0,
    }
    # an unknown factor the company does not weigh is not reported unknown
    no_risk = Weights(risk=0.0)
    assert score(replace(ACME, risk=None), no_risk).unknown == ()


def test_reason_adds_its_bonus_on_top():
    call = score(ACME)
    broken = score(replace(ACME, reason=PROMISE_BROKEN))
    assert broken.value == pytest.approx(call.value + 10.0)  # 15 against 5
    assert points(broken)["reason"] == 15.0
    items = [
        replace(ACME, id=1, reason=TO_VALIDATE),
        replace(ACME, id=2, reason=CALL_DUE),
        replace(ACME, id=3, reason=PROMISE_DUE),
        replace(ACME, id=4, reason=BOUNCED),
    ]
    assert ids(rank(items)) == [4, 3, 2, 1]


def test_reason_fills_only_the_room_below_100():
    risk_only = Weights(0.0, 0.0, 1.0, 0.0, 0.0)
    near_top = Item(1, "c", PROMISE_BROKEN, 0.0, 0, risk=0.95)
    result = score(near_top, risk_only)
    assert result.value == 100.0
    assert points(result)["risk"] == 95.0  # the factors are not cut
    assert points(result)["reason"] == 5.0  # 15 asked, 5 left
    at_top = score(replace(near_top, risk=1.0), risk_only)
    assert at_top.value == 100.0 and points(at_top)["reason"] == 0.0


def test_caller_reason_weights_and_unknown_reason():
    assert score(ACME, reason_weights={CALL_DUE: 0.0}).value == 46.8
    with pytest.raises(ValueError, match="Unknown worklist reason 'fax'"):
        score(replace(ACME, reason="fax"))
    with pytest.raises(ValueError, match="must be a number of 0 or more"):
        score(ACME, reason_weights={CALL_DUE: -1.0})


def test_parts_add_up_where_plain_rounding_would_not():
    # Three thirds of 100: 33.3 x 3 is 99.9; the largest remainder (the first
    # part on a tie) takes the missing tenth.
    thirds = Weights(0.0, 0.0, 1.0, 1.0, 1.0)
    item = Item(
        1, "c", REPLY, 0.0, 0, risk=1.0, broken_promises=3, late_probability=1.0
    )
    result = score(item, thirds)
    assert result.value == 100.0
    assert [p for _name, p in result.parts] == [0.0, 0.0, 33.4, 33.3, 33.3, 0.0]


def test_parts_always_add_up_to_the_value():
    rng = random.Random(7)
    for number in range(500):
        weights = Weights(
            *(rng.choice([0.0, rng.uniform(0, 50)]) for _ in range(4)),
            rng.uniform(0.1, 50),
            amount_scale=rng.uniform(100, 50000),
            days_scale=rng.uniform(1, 120),
        )
        item = Item(
            number,
            "c",
            rng.choice(REASONS),
            rng.uniform(-100, 100000),
            rng.randrange(-30, 400),
            rng.choice([None, rng.random()]),
            rng.randrange(6),
            rng.choice([None, rng.random()]),
        )
        result = score(item, weights)
        assert [name for name, _p in result.parts] == list(PARTS)
        assert 0.0 <= result.value <= 100.0
        assert all(p >= 0 for _name, p in result.parts)
        tenths = [round(p * 10) for _name, p in result.parts]
        assert [t / 10 for t in tenths] == [p for _name, p in result.parts]
        assert sum(tenths) == round(result.value * 10)
        assert round(sum(p for _name, p in result.parts), 1) == result.value


@pytest.mark.parametrize(
    "weights, message",
    [
        (Weights(amount=-1.0), "weight of 'amount' must be a number of 0 or more"),
        (Weights(risk=float("nan")), "weight of 'risk' must be a number"),
        (Weights(0.0, 0.0, 0.0, 0.0, 0.0), "Set at least one worklist weight above 0"),
        (Weights(amount_scale=0.0), "amount scale must be above 0, not 0.0"),
        (Weights(days_scale=-5.0), "days scale must be above 0, not -5.0"),
    ],
    ids=["negative", "nan", "all-zero", "amount-scale", "days-scale"],
)
def test_invalid_weights_say_what_to_fix(weights, message):
    with pytest.raises(ValueError, match=message):
        weights.validate()
    with pytest.raises(ValueError, match=message):
        score(ACME, weights)
    with pytest.raises(ValueError, match=message):
        rank([], weights)


# --- the explanation --------------------------------------------------------


def test_explanation_names_the_top_factors_biggest_first():
    assert explain(score(ACME), LABELS) == (
        "Amount overdue 20.0 + Days overdue 12.5 + Risk 6.0"
    )
    assert explain(score(ACME), LABELS, top=None) == (
        "Amount overdue 20.0 + Days overdue 12.5 + Risk 6.0"
        " + Likely to pay late 5.0 + Urgency 5.0 + Broken promises 3.3"
    )  # the two 5.0 in the order of the parts


def test_explanation_leaves_out_what_added_nothing():
    fresh = Item(1, "c", CALL_DUE, 0.0, 0, risk=0.0, late_probability=0.0)
    assert explain(score(fresh), LABELS) == "Urgency 5.0"
    assert explain(score(fresh, reason_weights={CALL_DUE: 0.0}), LABELS) == ""
    # a part without a label is shown by its name
    assert explain(score(fresh), {}) == "reason 5.0"


def test_explanation_in_the_readers_number_format():
    french = "{:.1f}".format  # then the decimal comma, as res.lang writes it

    def comma(points):
        return french(points).replace(".", ",")

    assert explain(
        score(ACME).parts, {"amount": "Montant échu"}, top=1, number=comma
    ) == ("Montant échu 20,0")


# --- what a logged call closes ------------------------------------------------


@pytest.mark.parametrize(
    "reason, settled",
    [
        (CALL_DUE, True),
        (PROMISE_DUE, True),
        (PROMISE_BROKEN, True),
        (INSTALMENT_MISSED, True),
        (BOUNCED, True),
        (REPLY, True),
        (TO_VALIDATE, False),  # the reminder still waits for its validation
        (DISPUTE_LATE, False),  # still late until the dispute is resolved
    ],
)
def test_a_call_settles_what_it_deals_with(reason, settled):
    assert settled_by_a_call(reason) is settled


# --- ranking ----------------------------------------------------------------


def test_rank_breaks_ties_by_amount_then_id():
    # Same score shown (risk only): larger amount first, then smaller id.
    risk_only = Weights(0.0, 0.0, 1.0, 0.0, 0.0)
    items = [
        Item(5, "e", CALL_DUE, 100.0, 10, risk=0.5),
        Item(8, "h", CALL_DUE, 900.0, 10, risk=0.5),
        Item(4, "d", CALL_DUE, 100.0, 10, risk=0.5),
        Item(9, "i", CALL_DUE, 0.0, 0, risk=0.8),
    ]
    ranked = rank(items, risk_only)
    assert ids(ranked) == [9, 8, 4, 5]
    assert [s.value for _i, s in ranked] == [85.0, 55.0, 55.0, 55.0]


def test_rank_is_the_same_whatever_the_input_order():
    rng = random.Random(11)
    items = [
        Item(n, n, rng.choice(REASONS), rng.choice([0.0, 500.0, 12000.0]), 30)
        for n in range(60)
    ]  # many exact ties
    expected = ids(rank(items))
    for _ in range(5):
        rng.shuffle(items)
        assert ids(rank(items)) == expected
    assert rank([]) == []


# --- assignment rules -------------------------------------------------------

BRUSSELS = Customer(7, "BE", "fr_BE", "smb", 5000.0)


@pytest.mark.parametrize(
    "conditions, matches",
    [
        ({}, True),
        ({"countries": {"BE", "LU"}}, True),
        ({"countries": {"FR"}}, False),
        ({"countries": frozenset()}, True),  # nothing chosen: any country
        ({"languages": {"fr"}}, True),  # the language part of fr_BE
        ({"languages": {"fr_BE"}}, True),
        ({"languages": {"fr_FR"}}, False),
        ({"languages": {"nl"}}, False),
        ({"segments": {"smb"}}, True),
        ({"segments": {"key_account"}}, False),
        ({"min_amount": 5000.0}, True),  # the minimum is in the band
        ({"max_amount": 5000.0}, False),  # the maximum is not
        ({"min_amount": 1000.0, "max_amount": 10000.0}, True),
        ({"min_amount": 5000.01}, False),
        ({"countries": {"BE"}, "segments": {"key_account"}}, False),  # all must hold
    ],
)
def test_rule_conditions(conditions, matches):
    rule = Rule(10, "ann", **conditions)
    assert rule.matches(BRUSSELS) is matches
    assert assign(BRUSSELS, [rule]) == ("ann" if matches else None)


def test_consecutive_amount_bands_leave_no_gap():
    rules = [
        Rule(10, "junior", max_amount=1000.0),
        Rule(20, "senior", min_amount=1000.0),
    ]
    assert assign(replace(BRUSSELS, open_amount=999.99), rules) == "junior"
    assert assign(replace(BRUSSELS, open_amount=1000.0), rules) == "senior"
    # ten invoices of 100.00 summed in floats: 999.9999999999999, 1000.00 to the
    # cent, so in the upper band
    summed = sum([0.1] * 10) * 1000
    assert summed < 1000.0
    assert assign(replace(BRUSSELS, open_amount=summed), rules) == "senior"


def test_first_rule_by_sequence_then_list_order():
    rules = [
        Rule(20, "bob", countries={"BE"}),
        Rule(10, "ann", languages={"fr"}),
        Rule(10, "cat"),
    ]
    assert assign(BRUSSELS, rules) == "ann"  # sequence 10 before 20
    flemish = replace(BRUSSELS, language="nl_BE")
    assert assign(flemish, rules) == "cat"  # same sequence: the earlier rule
    assert assign_all([BRUSSELS, replace(flemish, id=8)], rules) == {7: "ann", 8: "cat"}


def test_no_matching_rule_gives_no_collector():
    rules = [Rule(10, "ann", countries={"FR"}), Rule(20, "bob", segments={"key"})]
    assert assign(BRUSSELS, rules) is None
    assert assign(BRUSSELS, []) is None
    assert (
        assign(replace(BRUSSELS, language=None), [Rule(1, "x", languages={"fr"})])
        is None
    )


def test_rule_band_and_sets_are_checked():
    with pytest.raises(ValueError, match=r"ends \(1000.0\) below where it starts"):
        Rule(10, "ann", min_amount=5000.0, max_amount=1000.0)
    with pytest.raises(TypeError, match="set of codes, not a string"):
        Rule(10, "ann", countries="BE")
    rule = Rule(10, "ann", countries=["BE"], languages=set())
    assert rule.countries == frozenset({"BE"}) and rule.languages is None


# --- rebalancing ------------------------------------------------------------

TEAM = ["ann", "bob", "cat"]
AMOUNTS = [9000.0, 7000.0, 6000.0, 5000.0, 4000.0, 3000.0, 2000.0, 1000.0]
# 37,000 in all: 12,333.33 on average, 13,566.67 with the 10 % tolerance.
NEW = [Customer(n + 1, "BE", "fr", "smb", a) for n, a in enumerate(AMOUNTS)]


def spread(result):
    return max(result.values()) - min(result.values())


def test_rebalance_spreads_open_amounts_evenly():
    assignment = rebalance(NEW, TEAM)
    # Largest first to the least loaded: 9k ann, 7k bob, 6k cat, 5k cat (11k),
    # 4k bob (11k), 3k ann (12k), 2k bob (tie at 11k with cat: bob comes
    # first), 1k cat.
    expected = {1: "ann", 2: "bob", 3: "cat", 4: "cat", 5: "bob", 6: "ann"}
    assert assignment == {**expected, 7: "bob", 8: "cat"}
    result = loads(assignment, NEW, TEAM)
    assert result == {"ann": 12000.0, "bob": 13000.0, "cat": 12000.0}
    assert spread(result) == 1000.0
    # all on one collector before: 37,000 apart
    assert spread(loads({c.id: "ann" for c in NEW}, NEW, TEAM)) == 37000.0


def test_balanced_team_is_left_alone():
    current = {1: "ann", 6: "ann", 2: "bob", 5: "bob", 7: "bob", 3: "cat", 4: "cat"}
    current[8] = "cat"  # ann 12,000, bob 13,000, cat 12,000
    customers = [replace(c, collector=current[c.id]) for c in NEW]
    assert rebalance(customers, TEAM) == current


def test_overloaded_collector_keeps_the_largest_customers_that_fit():
    customers = [replace(c, collector="ann") for c in NEW]
    assignment = rebalance(customers, TEAM)
    # Ann keeps 9k, then 4k (13k; 7k, 6k or 5k would pass 13,566.67); the
    # others go largest first to the least loaded.
    assert sorted(i for i, c in assignment.items() if c == "ann") == [1, 5]
    assert loads(assignment, customers, TEAM) == {
        "ann": 13000.0,
        "bob": 12000.0,  # 7k + 3k + 2k
        "cat": 12000.0,  # 6k + 5k + 1k
    }
    # with no tolerance she keeps only up to the average: 9k + 3k
    strict = rebalance(customers, TEAM, tolerance=0.0)
    assert sorted(i for i, c in strict.items() if c == "ann") == [1, 6]


def test_customer_larger_than_a_fair_share_stays_put():
    customers = [
        Customer(1, "BE", "fr", "smb", 50000.0, "bob"),
        Customer(2, "BE", "fr", "smb", 1000.0, "ann"),
        Customer(3, "BE", "fr", "smb", 1000.0, "bob"),
    ]
    # Moving the 50k customer would only overload someone else.
    assert rebalance(customers, TEAM) == {1: "bob", 2: "ann", 3: "cat"}


def test_customers_of_a_collector_who_left_are_spread():
    customers = [replace(c, collector="dan") for c in NEW]
    assert rebalance(customers, TEAM) == rebalance(NEW, TEAM)


def test_customers_without_amount_are_spread_by_count():
    customers = [Customer(n, "BE", "fr", "smb", 0.0) for n in range(1, 7)]
    customers.append(Customer(7, "BE", "fr", "smb", -250.0))  # in credit: 0
    assignment = rebalance(customers, TEAM)
    assert [list(assignment.values()).count(c) for c in TEAM] == [3, 2, 2]
    assert loads(assignment, customers, TEAM) == {"ann": 0.0, "bob": 0.0, "cat": 0.0}


def test_rebalance_is_deterministic():
    rng = random.Random(3)
    customers = [
        Customer(n, "BE", "fr", "smb", rng.choice([500.0, 1000.0, 2500.0]))
        for n in range(40)
    ]  # many equal amounts
    customers = [replace(c, collector=rng.choice(TEAM + [None])) for c in customers]
    expected = rebalance(customers, TEAM)
    for _ in range(5):
        rng.shuffle(customers)
        assert rebalance(customers, TEAM) == expected


@pytest.mark.parametrize("seed", range(3))
def test_no_collector_ends_far_above_the_average(seed):
    rng = random.Random(seed)
    team = ["a", "b", "c", "d"]
    customers = [
        Customer(
            n,
            "BE",
            "fr",
            "smb",
            round(rng.lognormvariate(8, 1.2), 2),
            rng.choice(team[:2] + [None]),
        )
        for n in range(80)
    ]
    assignment = rebalance(customers, team)
    assert sorted(assignment) == list(range(80))
    assert set(assignment.values()) <= set(team)
    result = loads(assignment, customers, team)
    average = sum(c.open_amount for c in customers) / len(team)
    largest = max(c.open_amount for c in customers)
    assert max(result.values()) <= max(average * 1.1, average + largest) + 0.01
    # without current collectors, largest first keeps them within one customer
    fresh = [replace(c, collector=None) for c in customers]
    assert spread(loads(rebalance(fresh, team), fresh, team)) <= largest


def test_rebalance_inputs_are_checked():
    assert rebalance([], TEAM) == {}
    with pytest.raises(ValueError, match="Choose at least one collector"):
        rebalance(NEW, [])
    with pytest.raises(ValueError, match="Choose at least one collector"):
        rebalance([], [])
    with pytest.raises(ValueError, match="collector is listed twice"):
        rebalance(NEW, ["ann", "ann"])
    with pytest.raises(ValueError, match="customer is listed twice"):
        rebalance(NEW + NEW[:1], TEAM)
    with pytest.raises(ValueError, match="tolerance must be 0 or more"):
        rebalance(NEW, TEAM, tolerance=-0.1)


def test_loads_lists_idle_collectors_and_rounds_to_the_cent():
    customers = [
        Customer(1, "BE", "fr", "smb", 0.1),
        Customer(2, "BE", "fr", "smb", 0.2),
        Customer(3, "BE", "fr", "smb", 99.999),
    ]
    assignment = {1: "bob", 2: "bob", 3: "ann"}  # customer 4 unknown: ignored
    assert loads(assignment, customers, TEAM) == {"ann": 100.0, "bob": 0.3, "cat": 0.0}
    assert loads(assignment, customers) == {"bob": 0.3, "ann": 100.0}
