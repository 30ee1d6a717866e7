from dataclasses import replace

import pytest

from credit_control.engine.scoring import (
    DEFAULT_BANDS,
    DEFAULT_WEIGHTS,
    Behaviour,
    Factor,
    band,
    explain,
    score,
)

# A customer we know nothing about: no history, nothing open, no limit, no bureau.
NEW = Behaviour(
    paid_count=0,
    avg_days_late=0.0,
    recent_avg_days_late=None,
    older_avg_days_late=None,
    on_time_share=None,
    overdue_amount=0.0,
    open_amount=0.0,
    oldest_overdue_days=0,
    broken_promises=0,
    disputes=0,
    credit_usage=None,
    external_score=None,
)
# Pays everything on time, owes nothing overdue, a bureau score of 100.
PERFECT = replace(
    NEW,
    paid_count=24,
    recent_avg_days_late=0.0,
    older_avg_days_late=0.0,
    on_time_share=1.0,
    open_amount=5000.0,
    credit_usage=0.4,
    external_score=100.0,
)
# Every figure past the point where its factor is full.
WORST = Behaviour(
    paid_count=10,
    avg_days_late=75.0,
    recent_avg_days_late=80.0,
    older_avg_days_late=20.0,
    on_time_share=0.0,
    overdue_amount=8000.0,
    open_amount=8000.0,
    oldest_overdue_days=120,
    broken_promises=4,
    disputes=6,
    credit_usage=1.3,
    external_score=0.0,
)
# Partly bad on every factor, all figures known.
MIDDLE = Behaviour(
    paid_count=12,
    avg_days_late=15.0,  # 15 / 60 of 20 -> 5
    recent_avg_days_late=20.0,  # +10 / 30 of 10 -> 3.33
    older_avg_days_late=10.0,
    on_time_share=0.6,  # 0.4 of 15 -> 6
    overdue_amount=2400.0,  # 0.3 of 15 -> 4.5
    open_amount=8000.0,
    oldest_overdue_days=30,  # 30 / 90 of 10 -> 3.33
    broken_promises=1,  # 1 / 3 of 10 -> 3.33
    disputes=1,  # 1 / 5 of 5 -> 1
    credit_usage=0.75,  # (0.75 - 0.5) * 2 of 10 -> 5
    external_score=60.0,  # 0.4 of 5 -> 2
)
MIDDLE_POINTS = {
    "days_late": 5.0,
    "trend": 10 / 3,
    "on_time": 6.0,
    "overdue": 4.5,
    "overdue_age": 10 / 3,
    "promises": 10 / 3,
    "disputes": 1.0,
    "usage": 5.0,
    "external": 2.0,
}
UNKNOWN_WHEN_NEW = {"days_late", "trend", "on_time", "usage", "external"}


def by_key(factors):
    return {factor.key: factor for factor in factors}


# --- defaults ---------------------------------------------------------------


def test_default_weights():
    assert list(DEFAULT_WEIGHTS) == [
        "days_late",
        "trend",
        "on_time",
        "overdue",
        "overdue_age",
        "promises",
        "disputes",
        "usage",
        "external",
    ]
    assert sum(DEFAULT_WEIGHTS.values()) == 100


def test_behaviour_and_factor_are_frozen():
    with pytest.raises(AttributeError):
        NEW.paid_count = 3
    with pytest.raises(AttributeError):
        Factor(key="days_late", points=1.0, weight=20.0, value=3.0).points = 2.0


# --- anchors ----------------------------------------------------------------


def test_new_customer_scores_zero():
    total, factors = score(NEW)
    assert total == 0.0
    assert [factor.key for factor in factors] == list(DEFAULT_WEIGHTS)
    assert all(factor.points == 0.0 for factor in factors)
    unknown = {factor.key for factor in factors if factor.weight == 0.0}
    assert unknown == UNKNOWN_WHEN_NEW
    assert all(by_key(factors)[key].value is None for key in UNKNOWN_WHEN_NEW)
    # what is known carries the whole scale
    assert sum(factor.weight for factor in factors) == pytest.approx(100.0)
    assert explain(factors) == []
    assert band(total) == "low"


def test_perfect_payer_scores_zero():
    total, factors = score(PERFECT)
    assert total == 0.0
    assert all(factor.points == 0.0 for factor in factors)
    assert {f.key: f.weight for f in factors} == pytest.approx(DEFAULT_WEIGHTS)


def test_worst_case_scores_hundred():
    total, factors = score(WORST)
    assert total == 100.0
    for factor in factors:
        assert factor.points == pytest.approx(DEFAULT_WEIGHTS[factor.key])
        assert factor.weight == pytest.approx(DEFAULT_WEIGHTS[factor.key])
    assert band(total) == "blocked"


def test_middle_customer_factor_by_factor():
    total, factors = score(MIDDLE)
    assert {f.key: f.points for f in factors} == pytest.approx(MIDDLE_POINTS)
    assert total == 33.5
    assert sum(factor.points for factor in factors) == pytest.approx(total)
    values = {f.key: f.value for f in factors}
    assert values["trend"] == 10.0  # recent minus older
    assert values["overdue"] == pytest.approx(0.3)  # share of what is open
    assert values["days_late"] == 15.0
    assert values["external"] == 60.0


# --- each factor's rule -----------------------------------------------------

# (factor, figures over NEW, badness): with that factor's weight alone the
# score is 100 * badness, which isolates the rule.
RULES = [
    ("days_late", {"paid_count": 5, "avg_days_late": 0.0}, 0.0),
    ("days_late", {"paid_count": 5, "avg_days_late": 30.0}, 0.5),
    ("days_late", {"paid_count": 5, "avg_days_late": 60.0}, 1.0),
    ("days_late", {"paid_count": 5, "avg_days_late": 200.0}, 1.0),
    ("trend", {"recent_avg_days_late": 10.0, "older_avg_days_late": 10.0}, 0.0),
    ("trend", {"recent_avg_days_late": 25.0, "older_avg_days_late": 10.0}, 0.5),
    ("trend", {"recent_avg_days_late": 40.0, "older_avg_days_late": 10.0}, 1.0),
    ("trend", {"recent_avg_days_late": 90.0, "older_avg_days_late": 10.0}, 1.0),
    ("trend", {"recent_avg_days_late": 0.0, "older_avg_days_late": 30.0}, 0.0),
    ("on_time", {"paid_count": 5, "on_time_share": 1.0}, 0.0),
    ("on_time", {"paid_count": 5, "on_time_share": 0.75}, 0.25),
    ("on_time", {"paid_count": 5, "on_time_share": 0.0}, 1.0),
    ("overdue", {"open_amount": 1000.0, "overdue_amount": 0.0}, 0.0),
    ("overdue", {"open_amount": 1000.0, "overdue_amount": 250.0}, 0.25),
    ("overdue", {"open_amount": 1000.0, "overdue_amount": 1000.0}, 1.0),
    ("overdue", {"open_amount": 1000.0, "overdue_amount": 1100.0}, 1.0),
    ("overdue", {"open_amount": 0.0, "overdue_amount": 0.0}, 0.0),
    ("overdue", {"open_amount": -50.0, "overdue_amount": 100.0}, 0.0),
    ("overdue_age", {"oldest_overdue_days": 0}, 0.0),
    ("overdue_age", {"oldest_overdue_days": 45}, 0.5),
    ("overdue_age", {"oldest_overdue_days": 90}, 1.0),
    ("overdue_age", {"oldest_overdue_days": 400}, 1.0),
    ("promises", {"broken_promises": 0}, 0.0),
    ("promises", {"broken_promises": 1}, 1 / 3),
    ("promises", {"broken_promises": 3}, 1.0),
    ("promises", {"broken_promises": 8}, 1.0),
    ("disputes", {"disputes": 0}, 0.0),
    ("disputes", {"disputes": 1}, 0.2),
    ("disputes", {"disputes": 5}, 1.0),
    ("disputes", {"disputes": 9}, 1.0),
    ("usage", {"credit_usage": 0.0}, 0.0),
    ("usage", {"credit_usage": 0.5}, 0.0),
    ("usage", {"credit_usage": 0.75}, 0.5),
    ("usage", {"credit_usage": 1.0}, 1.0),
    ("usage", {"credit_usage": 1.6}, 1.0),
    ("external", {"external_score": 100.0}, 0.0),
    ("external", {"external_score": 80.0}, 0.2),
    ("external", {"external_score": 50.0}, 0.5),
    ("external", {"external_score": 0.0}, 1.0),
]


@pytest.mark.parametrize("key, figures, badness", RULES)
def test_factor_rule(key, figures, badness):
    total, [factor] = score(replace(NEW, **figures), weights={key: 1.0})
    assert factor.key == key
    assert factor.weight == 100.0
    assert factor.points == pytest.approx(100.0 * badness)
    assert total == round(100.0 * badness, 1)


@pytest.mark.parametrize(
    "avg_days_late, points", [(0.0, 0.0), (30.0, 10.0), (60.0, 20.0), (61.0, 20.0)]
)
def test_days_late_against_default_weight(avg_days_late, points):
    total, factors = score(replace(PERFECT, avg_days_late=avg_days_late))
    assert by_key(factors)["days_late"].points == pytest.approx(points)
    assert total == points


# (factor, figures over NEW) that leave the factor's input unknown
UNKNOWN = [
    ("days_late", {"avg_days_late": 40.0}),  # no paid invoice: not a figure
    ("on_time", {"on_time_share": None, "paid_count": 4}),
    ("on_time", {"on_time_share": 0.0}),  # no paid invoice: not "never on time"
    ("trend", {"recent_avg_days_late": 50.0}),
    ("trend", {"older_avg_days_late": 50.0}),
    ("usage", {}),
    ("external", {}),
]


@pytest.mark.parametrize("key, figures", UNKNOWN)
def test_unknown_input_adds_nothing_and_weighs_nothing(key, figures):
    behaviour = replace(NEW, open_amount=100.0, overdue_amount=100.0, **figures)
    total, factors = score(behaviour)
    factor = by_key(factors)[key]
    assert factor.points == 0.0
    assert factor.weight == 0.0
    assert factor.value is None
    # nothing known but overdue, so the known factors fill the whole scale
    assert sum(f.weight for f in factors) == pytest.approx(100.0)


@pytest.mark.parametrize(
    "recent, older, points, weight",
    [
        (None, None, 0.0, 0.0),
        (None, 10.0, 0.0, 0.0),
        (40.0, None, 0.0, 0.0),
        (40.0, 10.0, 10.0, 10.0),  # a month later than before: full
        (10.0, 40.0, 0.0, 10.0),  # improving: known, adds nothing
        (10.0, 10.0, 0.0, 10.0),
    ],
)
def test_trend_only_when_both_averages_known(recent, older, points, weight):
    behaviour = replace(PERFECT, recent_avg_days_late=recent, older_avg_days_late=older)
    trend = by_key(score(behaviour)[1])["trend"]
    assert trend.points == pytest.approx(points)
    assert trend.weight == pytest.approx(weight)


def test_improving_trend_adds_nothing():
    stable = replace(MIDDLE, recent_avg_days_late=10.0, older_avg_days_late=10.0)
    improving = replace(MIDDLE, recent_avg_days_late=2.0, older_avg_days_late=30.0)
    assert score(improving)[0] == score(stable)[0]
    assert score(improving)[0] < score(MIDDLE)[0]


# --- redistribution of unknown weights --------------------------------------

NO_HISTORY = {
    "paid_count": 0,
    "recent_avg_days_late": None,
    "older_avg_days_late": None,
    "on_time_share": None,
}


@pytest.mark.parametrize(
    "unknown",
    [
        {"external_score": None},
        {"credit_usage": None},
        {"recent_avg_days_late": None},
        {"external_score": None, "credit_usage": None},
        NO_HISTORY,
        {**NO_HISTORY, "external_score": None, "credit_usage": None},
    ],
    ids=["external", "usage", "trend", "external+usage", "history", "all"],
)
def test_bad_on_every_known_factor_reaches_hundred(unknown):
    total, factors = score(replace(WORST, **unknown))
    assert total == 100.0
    assert sum(factor.points for factor in factors) == pytest.approx(100.0)


def test_unknown_weight_goes_proportionally_to_known_factors():
    factors = by_key(score(replace(MIDDLE, external_score=None))[1])
    assert factors["external"].weight == 0.0
    for key, weight in DEFAULT_WEIGHTS.items():
        if key != "external":
            assert factors[key].weight == pytest.approx(weight * 100 / 95)
            assert factors[key].points == pytest.approx(MIDDLE_POINTS[key] * 100 / 95)


def test_no_history_is_scored_on_what_is_known():
    # Known: overdue 15, overdue_age 10, promises 10, disputes 5 (40 in all);
    # all open is overdue for 90 days: (15 + 10) / 40 of the scale.
    behaviour = replace(
        NEW, open_amount=1000.0, overdue_amount=1000.0, oldest_overdue_days=90
    )
    assert score(behaviour)[0] == 62.5


def test_nothing_known_under_custom_weights_scores_zero():
    total, [factor] = score(NEW, weights={"external": 5.0})
    assert total == 0.0
    assert factor.points == factor.weight == 0.0


# --- monotonicity -----------------------------------------------------------

# Each figure from better to worse.
WORSENING = [
    ("avg_days_late", [0.0, 10.0, 30.0, 59.0, 60.0, 90.0]),
    ("recent_avg_days_late", [0.0, 5.0, 25.0, 40.0, 100.0]),
    ("on_time_share", [1.0, 0.8, 0.5, 0.1, 0.0]),
    ("overdue_amount", [0.0, 1000.0, 4000.0, 8000.0, 9000.0]),
    ("oldest_overdue_days", [0, 1, 45, 90, 365]),
    ("broken_promises", [0, 1, 2, 3, 10]),
    ("disputes", [0, 1, 4, 5, 20]),
    ("credit_usage", [0.0, 0.5, 0.6, 1.0, 2.0]),
    ("external_score", [100.0, 70.0, 30.0, 0.0]),
]
BASELINES = [("new", NEW), ("perfect", PERFECT), ("middle", MIDDLE)]


@pytest.mark.parametrize("field, values", WORSENING, ids=[w[0] for w in WORSENING])
@pytest.mark.parametrize("name, baseline", BASELINES, ids=[b[0] for b in BASELINES])
def test_worsening_one_figure_never_lowers_the_score(name, baseline, field, values):
    if field == "overdue_amount":
        baseline = replace(baseline, open_amount=8000.0)
    scores = [score(replace(baseline, **{field: value}))[0] for value in values]
    assert scores == sorted(scores)
    if name != "new":  # with every input known, each figure moves the score
        assert scores[-1] > scores[0]


# --- weights ----------------------------------------------------------------


def test_weights_are_normalised():
    tripled = {key: weight * 3 for key, weight in DEFAULT_WEIGHTS.items()}
    total, factors = score(MIDDLE, weights=tripled)
    assert total == score(MIDDLE)[0]
    assert {f.key: f.weight for f in factors} == pytest.approx(DEFAULT_WEIGHTS)


def test_custom_weights_score_their_factors_in_their_order():
    # days_late 15 / 60 -> 0.25, overdue 2400 / 8000 -> 0.3, each half the scale
    total, factors = score(MIDDLE, weights={"overdue": 1.0, "days_late": 1.0})
    assert [factor.key for factor in factors] == ["overdue", "days_late"]
    assert [factor.points for factor in factors] == pytest.approx([15.0, 12.5])
    assert total == 27.5


def test_zero_weight_factor_is_listed_without_points():
    weights = {**DEFAULT_WEIGHTS, "disputes": 0.0}
    factors = by_key(score(MIDDLE, weights=weights)[1])
    assert factors["disputes"].points == 0.0
    assert factors["disputes"].value == 1
    assert factors["days_late"].weight == pytest.approx(20 * 100 / 95)


def test_default_weights_are_not_changed():
    before = dict(DEFAULT_WEIGHTS)
    score(replace(WORST, external_score=None))
    score(MIDDLE, weights=DEFAULT_WEIGHTS)
    assert DEFAULT_WEIGHTS == before


@pytest.mark.parametrize(
    "weights",
    [
        {**DEFAULT_WEIGHTS, "trend": -1.0},
        {"days_late": -0.1},
        {"days_late": float("nan")},
        {"days_late": float("inf")},
        {"days_late": 10.0, "unknown_factor": 5.0},
        {"days_late": 0.0, "overdue": 0.0},
        {},
    ],
    ids=["negative", "negative-alone", "nan", "inf", "unknown-key", "zero", "empty"],
)
def test_invalid_weights_are_rejected(weights):
    with pytest.raises(ValueError):
        score(MIDDLE, weights=weights)


# --- bands ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.0, "low"),
        (30.0, "low"),
        (30.1, "medium"),
        (60.0, "medium"),
        (60.1, "high"),
        (85.0, "high"),
        (85.1, "blocked"),
        (100.0, "blocked"),
        (100, "blocked"),
    ],
)
def test_band_boundaries(value, expected):
    assert band(value) == expected


@pytest.mark.parametrize("value", [-1, -0.1, 100.1, 101, float("nan")])
def test_band_rejects_scores_out_of_range(value):
    with pytest.raises(ValueError):
        band(value)


def test_band_custom_bands():
    bands = ((50.0, "ok"), (100.0, "ko"))
    assert band(50.0, bands) == "ok"
    assert band(50.1, bands) == "ko"
    assert DEFAULT_BANDS[-1] == (100.0, "blocked")


@pytest.mark.parametrize(
    "bands",
    [((60.0, "medium"), (30.0, "low"), (100.0, "blocked")), ((50.0, "a"), (50.0, "b"))],
)
def test_band_rejects_unordered_bounds(bands):
    with pytest.raises(ValueError):
        band(10.0, bands)


def test_band_above_the_last_bound():
    with pytest.raises(ValueError):
        band(90.0, ((30.0, "low"), (80.0, "high")))


# --- explain ----------------------------------------------------------------


def test_explain_orders_and_filters():
    factors = [
        Factor(key="days_late", points=5.0, weight=20.0, value=15.0),
        Factor(key="trend", points=0.0, weight=10.0, value=-3.0),
        Factor(key="on_time", points=7.5, weight=15.0, value=0.5),
        Factor(key="overdue", points=0.04, weight=15.0, value=0.003),
        Factor(key="overdue_age", points=4.96, weight=10.0, value=45),
        Factor(key="usage", points=5.0, weight=10.0, value=0.75),
        Factor(key="external", points=0.0, weight=0.0, value=None),
    ]
    # ties keep the factors' order; 0.04 rounds to 0.0 and explains nothing
    assert explain(factors) == [
        ("on_time", 7.5),
        ("days_late", 5.0),
        ("usage", 5.0),
        ("overdue_age", 5.0),
    ]


def test_explain_a_score():
    assert explain(score(MIDDLE)[1]) == [
        ("on_time", 6.0),
        ("days_late", 5.0),
        ("usage", 5.0),
        ("overdue", 4.5),
        ("trend", 3.3),
        ("overdue_age", 3.3),
        ("promises", 3.3),
        ("external", 2.0),
        ("disputes", 1.0),
    ]
    assert explain([]) == []
