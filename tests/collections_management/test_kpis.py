"""Accounts-receivable KPIs on a hand-built data set, every figure worked out."""

import random
from datetime import date, datetime, timedelta

import pytest

from collections_management.engine.kpis import (
    BUCKETS,
    Accumulator,
    Item,
    activity_figures,
    aged_balance,
    average_days_delinquent,
    bad_debt_ratio,
    best_possible_dso,
    cei,
    collected,
    countback_dso,
    dispute_figures,
    dso,
    forecast_accuracy,
    mape,
    on_time_share,
    promise_kept_rate,
    reminder_rates,
    residual_at,
    roll_up,
    snapshot,
    turnover,
)
from collections_management.engine.promises import BROKEN, KEPT, PARTIAL

# Snapshot on 31 March 2026 over 90 days: 1 January to 31 March (31 + 28 + 31).
DAY = date(2026, 3, 31)
ANN = (1, "ann", "acme")  # company 1, collector Ann, customer Acme
BOB = (1, "bob", "beta")

ROWS = [
    # Acme. Before the period, paid on 10 January: open 1000 at its start
    # (no opening_residual given: whole amount, not paid before the period).
    (ANN, Item(1, "acme", date(2025, 12, 15), date(2026, 1, 14), 1000.0, 0.0,
               paid_date=date(2026, 1, 10))),
    # Paid before the period: no opening amount, only November's sales.
    (ANN, Item(2, "acme", date(2025, 11, 5), date(2025, 12, 5), 400.0, 0.0,
               paid_date=date(2025, 12, 1))),
    (ANN, Item(3, "acme", date(2026, 1, 5), date(2026, 2, 4), 1500.0, 0.0,
               paid_date=date(2026, 2, 20))),  # paid late
    (ANN, Item(4, "acme", date(2026, 2, 10), date(2026, 3, 12), 1200.0, 1200.0,
               disputed=True)),  # 19 days overdue
    (ANN, Item(5, "acme", date(2026, 3, 20), date(2026, 4, 19), 800.0, 800.0)),
    # Beta.
    (BOB, Item(6, "beta", date(2025, 11, 20), date(2025, 12, 20), 600.0, 600.0)),
    (BOB, Item(7, "beta", date(2025, 12, 1), date(2025, 12, 31), 500.0, 500.0,
               opening_residual=500.0)),  # 90 days overdue
    (BOB, Item(8, "beta", date(2026, 1, 20), date(2026, 2, 19), 900.0, 400.0)),
    (BOB, Item(9, "beta", date(2026, 1, 25), date(2026, 2, 24), 300.0, 0.0,
               written_off=300.0)),
    (BOB, Item(10, "beta", date(2026, 3, 1), date(2026, 3, 31), 1100.0, 1100.0)),
    # Invoiced after the snapshot day: ignored.
    (BOB, Item(11, "beta", date(2026, 4, 1), date(2026, 5, 1), 999.0, 999.0)),
]  # fmt: skip

ACME = {
    # Sales in the period: items 3, 4, 5 = 1500 + 1200 + 800 = 3500.
    "credit_sales": 3500.0,
    "opening_amount": 1000.0,  # item 1
    "open_amount": 2000.0,  # 1200 + 800
    "current_amount": 800.0,  # item 5, due 19 April
    "overdue_amount": 1200.0,
    "disputed_amount": 1200.0,
    "written_off": 0.0,
    # Collected = 1000 + 3500 - 2000 - 0 = 2500 (items 1 and 3).
    "collected": 2500.0,
    "dso": 51.43,  # 2000 / 3500 * 90 = 51.428...
    # Countback: March sales 800 -> 1200 left, 31 days; February 1200
    # exhausts it exactly: + 1200 / 1200 * 28 = 59.
    "countback_dso": 59.0,
    "best_dso": 20.57,  # 800 / 3500 * 90 = 20.571...
    "add": 30.86,  # 1200 / 3500 * 90 = 30.857... (51.43 - 20.57)
    "cei": 67.57,  # (1000 + 3500 - 2000) / (1000 + 3500 - 800) * 100 = 2500 / 3700
    "turnover": 2.33,  # 3500 / ((1000 + 2000) / 2) = 3500 / 1500
    "on_time_share": 50.0,  # items 1 (on time) and 3 (late) paid: 1 / 2 * 100
    "bad_debt_ratio": 0.0,  # 0 / 3500
    "aged_current": 800.0,
    "aged_1_30": 1200.0,
    "aged_31_60": 0.0,
    "aged_61_90": 0.0,
    "aged_over_90": 0.0,
    "open_count": 2,
    "overdue_count": 1,
    "paid_count": 2,
    "paid_on_time_count": 1,
    "period_days": 90,
}

BETA = {
    # Sales in the period: items 8, 9, 10 = 900 + 300 + 1100 = 2300.
    "credit_sales": 2300.0,
    "opening_amount": 1100.0,  # items 6 (600) and 7 (500)
    "open_amount": 2600.0,  # 600 + 500 + 400 + 1100
    "current_amount": 1100.0,  # item 10, due today
    "overdue_amount": 1500.0,
    "disputed_amount": 0.0,
    "written_off": 300.0,
    # Collected = 1100 + 2300 - 2600 - 300 = 500 (item 8's partial payment).
    "collected": 500.0,
    "dso": 101.74,  # 2600 / 2300 * 90 = 101.739...
    # Countback: March 1100 -> 1500 left, 31 days; February no sales, 28
    # days (59); January 900 + 300 -> 300 left, 31 days (90); December 500:
    # + 300 / 500 * 31 = 18.6 -> 108.6.
    "countback_dso": 108.6,
    "best_dso": 43.04,  # 1100 / 2300 * 90 = 43.043...
    "add": 58.7,  # 1500 / 2300 * 90 = 58.695...
    "cei": 34.78,  # (1100 + 2300 - 2600) / (1100 + 2300 - 1100) * 100 = 800 / 2300
    "turnover": 1.24,  # 2300 / ((1100 + 2600) / 2) = 2300 / 1850 = 1.243...
    "on_time_share": None,  # nothing fully paid in the period: n/a
    "bad_debt_ratio": 13.04,  # 300 / 2300 * 100 = 13.043...
    "aged_current": 1100.0,
    "aged_1_30": 0.0,
    "aged_31_60": 400.0,  # item 8, 40 days
    "aged_61_90": 500.0,  # item 7, 90 days
    "aged_over_90": 600.0,  # item 6, 101 days
    "open_count": 4,
    "overdue_count": 3,
    "paid_count": 0,
    "paid_on_time_count": 0,
    "period_days": 90,
}

COMPANY = {
    "credit_sales": 5800.0,  # 3500 + 2300
    "opening_amount": 2100.0,  # 1000 + 1100
    "open_amount": 4600.0,  # 2000 + 2600
    "current_amount": 1900.0,  # 800 + 1100
    "overdue_amount": 2700.0,
    "disputed_amount": 1200.0,
    "written_off": 300.0,
    "collected": 3000.0,  # 2100 + 5800 - 4600 - 300
    "dso": 71.38,  # 4600 / 5800 * 90 = 71.379...
    # Countback: March 800 + 1100 -> 2700 left, 31 days; February 1200 ->
    # 1500 left, 59 days; January 1500 + 900 + 300 = 2700: + 1500 / 2700
    # * 31 = 17.222... -> 76.222...
    "countback_dso": 76.22,
    "best_dso": 29.48,  # 1900 / 5800 * 90 = 29.482...
    "add": 41.9,  # 2700 / 5800 * 90 = 41.896...
    "cei": 55.0,  # (2100 + 5800 - 4600) / (2100 + 5800 - 1900) * 100 = 3300 / 6000
    "turnover": 1.73,  # 5800 / ((2100 + 4600) / 2) = 5800 / 3350 = 1.731...
    "on_time_share": 50.0,  # 1 / 2 * 100
    "bad_debt_ratio": 5.17,  # 300 / 5800 * 100 = 5.172...
    "aged_current": 1900.0,
    "aged_1_30": 1200.0,
    "aged_31_60": 400.0,
    "aged_61_90": 500.0,
    "aged_over_90": 600.0,
    "open_count": 6,
    "overdue_count": 4,
    "paid_count": 2,
    "paid_on_time_count": 1,
    "period_days": 90,
}


@pytest.fixture(scope="module")
def figures():
    accumulator = Accumulator(DAY)
    for keys, item in ROWS:
        accumulator.add(item, keys)
    return accumulator.figures()


def test_default_period_is_90_days_ending_on_the_day():
    accumulator = Accumulator(DAY)
    assert accumulator.period_start == date(2026, 1, 1)
    assert accumulator.period_days == 90
    assert Accumulator(DAY, date(2026, 3, 1)).period_days == 31


def test_every_key_level(figures):
    assert set(figures) == {(1,), (1, "ann"), (1, "bob"), ANN, BOB}
    assert Accumulator(DAY).figures() == {}  # nothing added, no key


@pytest.mark.parametrize(
    "key, expected",
    [(ANN, ACME), ((1, "ann"), ACME), (BOB, BETA), ((1, "bob"), BETA), ((1,), COMPANY)],
)
def test_figures(figures, key, expected):
    assert figures[key] == expected


def test_snapshot_is_one_accumulator_pass(figures):
    assert snapshot(ROWS, DAY, period_days=90) == figures


def test_add_is_dso_minus_best_dso_before_rounding():
    # 51.428... - 20.571... = 30.857... (the rounded ones happen to agree).
    acme = Accumulator(DAY)
    for keys, item in ROWS[:5]:
        acme.add(item, keys)
    raw = acme.figures(rounding=None)[ANN]
    assert raw["add"] == pytest.approx(raw["dso"] - raw["best_dso"])


def test_everything_current_and_collected():
    accumulator = Accumulator(DAY)
    accumulator.add(
        Item(
            1,
            "c",
            date(2026, 1, 10),
            date(2026, 2, 9),
            500.0,
            0.0,
            paid_date=date(2026, 2, 9),
        ),
        (1,),
    )
    accumulator.add(
        Item(2, "c", date(2026, 3, 30), date(2026, 4, 29), 100.0, 100.0), (1,)
    )
    result = accumulator.figures()[(1,)]
    assert result["add"] == 0.0  # nothing overdue: 0 / 600 * 90
    assert result["dso"] == result["best_dso"] == 15.0  # 100 / 600 * 90
    assert result["cei"] == 100.0  # (0 + 600 - 100) / (0 + 600 - 100) * 100
    assert result["on_time_share"] == 100.0  # paid on its due date


def test_no_sales_gives_none():
    accumulator = Accumulator(DAY)
    # Open since before the period and before the countback horizon.
    accumulator.add(Item(1, "c", date(2024, 1, 1), date(2024, 1, 31), 70.0, 70.0), (1,))
    result = accumulator.figures()[(1,)]
    for name in ("dso", "countback_dso", "best_dso", "add", "bad_debt_ratio"):
        assert result[name] is None, name
    assert result["on_time_share"] is None  # nothing paid
    assert result["cei"] == 0.0  # (70 + 0 - 70) / (70 + 0 - 0) * 100
    assert result["turnover"] == 0.0  # 0 / ((70 + 70) / 2)
    assert result["aged_over_90"] == 70.0


def test_nothing_at_all_gives_none():
    accumulator = Accumulator(DAY)
    accumulator.add(
        Item(
            1,
            "c",
            date(2024, 1, 1),
            date(2024, 1, 31),
            70.0,
            0.0,
            paid_date=date(2024, 2, 1),
        ),
        (1,),
    )
    result = accumulator.figures()[(1,)]
    assert result["cei"] is None  # (0 + 0 - 0) / (0 + 0 - 0)
    assert result["turnover"] is None  # 0 / 0
    assert result["open_amount"] == 0.0


def test_countback_exhausted_in_the_current_month():
    day = date(2026, 3, 15)
    accumulator = Accumulator(day)
    accumulator.add(
        Item(1, "c", date(2026, 3, 2), date(2026, 4, 1), 1000.0, 500.0), (1,)
    )
    # 500 / 1000 * 15 days elapsed in March = 7.5
    assert accumulator.figures()[(1,)]["countback_dso"] == 7.5


@pytest.mark.parametrize(
    "receivables, months, expected",
    [
        (500.0, [(1000.0, 15), (2000.0, 28)], 7.5),  # 500 / 1000 * 15
        (1000.0, [(1000.0, 31), (900.0, 28)], 31.0),  # exhausted at a month's end
        (1500.0, [(1000.0, 31), (2000.0, 28)], 38.0),  # 31 + 500 / 2000 * 28
        (150.0, [(0.0, 15), (300.0, 28)], 29.0),  # 15 + 150 / 300 * 28
        (1000.0, [(100.0, 31), (200.0, 28)], 59.0),  # horizon exhausted: capped
        (0.0, [(100.0, 31)], 0.0),  # nothing owed
        (-50.0, [(100.0, 31)], 0.0),  # customer in credit
        (100.0, [(0.0, 31), (0.0, 28)], None),  # no sales
        (100.0, [], None),
    ],
)
def test_countback_dso(receivables, months, expected):
    assert countback_dso(receivables, months) == expected


@pytest.mark.parametrize(
    "overdue_days, bucket",
    [
        (-5, "current"),
        (0, "current"),  # due today
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_aged_balance_boundaries(overdue_days, bucket):
    due = DAY - timedelta(days=overdue_days)
    item = Item(7, "c", due - timedelta(days=30), due, 10.0, 10.0)
    amounts, ids = aged_balance([item], DAY)
    assert amounts == {name: 10.0 if name == bucket else 0.0 for name, *_ in BUCKETS}
    assert ids[bucket] == [7]
    accumulator = Accumulator(DAY)
    accumulator.add(item, (1,))
    assert accumulator.figures()[(1,)][f"aged_{bucket}"] == 10.0


def test_aged_balance_of_the_data_set(figures):
    amounts, ids = aged_balance([item for _keys, item in ROWS], DAY)
    assert amounts == {
        "current": 1900.0,  # items 5 and 10
        "1_30": 1200.0,
        "31_60": 400.0,
        "61_90": 500.0,
        "over_90": 600.0,
    }
    assert ids == {
        "current": [5, 10],
        "1_30": [4],
        "31_60": [8],
        "61_90": [7],
        "over_90": [6],
    }  # item 11 is invoiced after the day; paid items have nothing open


def test_custom_buckets():
    buckets = (("not_due", None, 0), ("late", 1, 45), ("very_late", 46, None))
    items = [
        Item(1, "c", date(2026, 1, 1), DAY - timedelta(days=45), 10.0, 10.0),
        Item(2, "c", date(2026, 1, 1), DAY - timedelta(days=46), 20.0, 20.0),
    ]
    amounts, _ids = aged_balance(items, DAY, buckets)
    assert amounts == {"not_due": 0.0, "late": 10.0, "very_late": 20.0}


@pytest.mark.parametrize(
    "buckets",
    [
        (("a", 0, 10), ("b", 11, None)),  # no bucket below 0
        (("a", None, 10), ("b", 12, None)),  # day 11 in none
        (("a", None, 10), ("b", 11, 20)),  # nothing after 20
        (),
    ],
)
def test_buckets_must_cover_every_day(buckets):
    with pytest.raises(ValueError):
        aged_balance([], DAY, buckets)


def test_levels_add_up():
    rng = random.Random(10)
    accumulator = Accumulator(DAY)
    collectors = {customer: rng.choice("xyz") for customer in range(40)}
    for number in range(600):
        customer = rng.randrange(40)
        company = customer % 2
        invoice_date = DAY - timedelta(days=rng.randrange(400))
        amount = round(rng.uniform(-200, 3000), 2)
        residual = rng.choice([0.0, amount, round(amount / 3, 2)])
        paid = (
            invoice_date + timedelta(days=rng.randrange(90)) if not residual else None
        )
        item = Item(
            number,
            customer,
            invoice_date,
            invoice_date + timedelta(days=30),
            amount,
            residual,
            paid_date=paid,
            disputed=rng.random() < 0.1,
            written_off=rng.choice([0.0, 0.0, 0.0, 25.0]),
        )
        accumulator.add(item, (company, collectors[customer], customer))
    result = accumulator.figures(rounding=None)
    additive = [
        name
        for name, value in result[(0,)].items()
        if name.endswith(("_amount", "_count", "sales", "collected", "written_off"))
        or name.startswith("aged_")
    ]
    assert len(additive) == 17
    for company in (0, 1):
        collector_keys = [k for k in result if len(k) == 2 and k[0] == company]
        customer_keys = [k for k in result if len(k) == 3 and k[0] == company]
        assert len(collector_keys) == 3
        for name in additive:
            total = result[(company,)][name]
            assert total == pytest.approx(sum(result[k][name] for k in collector_keys))
            assert total == pytest.approx(sum(result[k][name] for k in customer_keys))
        company_figures = result[(company,)]
        # Ratios are taken on the level's sums, not averaged over its members.
        assert company_figures["dso"] == pytest.approx(
            company_figures["open_amount"] / company_figures["credit_sales"] * 90
        )
    # aged_balance agrees with the accumulator on the same items.
    assert sum(v for k, v in result[(0,)].items() if k.startswith("aged_")) + sum(
        v for k, v in result[(1,)].items() if k.startswith("aged_")
    ) == pytest.approx(result[(0,)]["open_amount"] + result[(1,)]["open_amount"])


@pytest.mark.parametrize(
    "args, expected",
    [
        ((1500.0, 4500.0, 90), 30.0),  # 1500 / 4500 * 90
        ((1500.0, 0.0, 90), None),
        ((1500.0, 0.001, 90), None),  # zero to the cent
        ((100.0, 0.1 + 0.2 - 0.3, 90), None),  # float noise is zero
    ],
)
def test_dso(args, expected):
    assert dso(*args) == expected


def test_single_formulas():
    assert best_possible_dso(900.0, 4500.0, 90) == 18.0  # 900 / 4500 * 90
    # (1500 - 900) / 4500 * 90 = 12 = 30 - 18
    assert average_days_delinquent(1500.0, 900.0, 4500.0, 90) == 12.0
    # (1000 + 4500 - 1500) / (1000 + 4500 - 900) * 100 = 4000 / 4600 = 86.956...
    assert cei(1000.0, 4500.0, 1500.0, 900.0) == 86.96
    assert cei(1000.0, 4500.0, 0.0, 0.0) == 100.0  # everything collected
    assert cei(0.0, 0.0, 0.0, 0.0) is None
    assert turnover(4500.0, 1000.0, 2000.0) == 3.0  # 4500 / ((1000 + 2000) / 2)
    assert turnover(4500.0, 0.0, 0.0) is None
    assert bad_debt_ratio(45.0, 4500.0) == 1.0  # 45 / 4500 * 100
    assert bad_debt_ratio(45.0, 0.0) is None
    assert on_time_share(2, 3) == 66.67  # 2 / 3 * 100
    assert on_time_share(0, 0) is None
    assert collected(1000.0, 4500.0, 1500.0, 45.0) == 3955.0  # 1000 + 4500 - 1500 - 45
    assert dso(1.0, 3.0, 90, rounding=None) == pytest.approx(30.0)
    assert on_time_share(1, 3, rounding=None) == pytest.approx(100 / 3)


def test_residual_at_with_partial_payments():
    payments = [
        (date(2026, 1, 10), 300.0),
        (date(2026, 2, 5), 200.0),
        (date(2026, 3, 1), 500.0),
    ]
    assert residual_at(1000.0, payments, date(2026, 1, 9)) == 1000.0
    assert residual_at(1000.0, payments, date(2026, 1, 10)) == 700.0  # paid that day
    assert residual_at(1000.0, payments, date(2026, 2, 4)) == 700.0
    assert residual_at(1000.0, payments, date(2026, 2, 5)) == 500.0  # 1000 - 300 - 200
    assert residual_at(1000.0, payments, date(2026, 3, 31)) == 0.0
    assert (
        residual_at(0.3, [(date(2026, 1, 1), 0.1), (date(2026, 1, 1), 0.2)], DAY) == 0.0
    )
    assert residual_at(1000.0, [], DAY) == 1000.0


def test_opening_residual_from_residual_at():
    # Partly paid before the period: the caller passes what was open then.
    payments = [(date(2025, 12, 20), 400.0), (date(2026, 2, 1), 600.0)]
    item = Item(
        1,
        "c",
        date(2025, 12, 1),
        date(2025, 12, 31),
        1000.0,
        residual_at(1000.0, payments, DAY),
        paid_date=date(2026, 2, 1),
        opening_residual=residual_at(1000.0, payments, date(2025, 12, 31)),
    )
    accumulator = Accumulator(DAY)
    accumulator.add(item, (1,))
    result = accumulator.figures()[(1,)]
    assert result["opening_amount"] == 600.0  # 1000 - 400
    assert result["collected"] == 600.0  # 600 + 0 - 0 - 0
    assert result["on_time_share"] == 0.0  # paid 1 February, due 31 December


def test_credit_notes_lower_sales_and_are_not_paid_invoices():
    accumulator = Accumulator(DAY)
    accumulator.add(
        Item(1, "c", date(2026, 2, 1), date(2026, 3, 3), 1000.0, 1000.0), (1,)
    )
    accumulator.add(
        Item(
            2,
            "c",
            date(2026, 2, 2),
            date(2026, 2, 2),
            -100.0,
            0.0,
            paid_date=date(2026, 2, 2),
        ),
        (1,),
    )
    result = accumulator.figures()[(1,)]
    assert result["credit_sales"] == 900.0  # 1000 - 100
    assert result["paid_count"] == 0
    assert result["dso"] == 100.0  # 1000 / 900 * 90


@pytest.mark.parametrize(
    "outcomes, expected",
    [
        ([KEPT, PARTIAL, BROKEN, KEPT, "open", "cancelled"], 50.0),  # 2 / 4 * 100
        ({KEPT: 3, BROKEN: 1, PARTIAL: 0, "cancelled": 5}, 75.0),  # 3 / 4 * 100
        ({KEPT: 1, PARTIAL: 2}, 33.33),  # partial is not kept: 1 / 3 * 100
        (["open", "cancelled"], None),
        ([], None),
    ],
)
def test_promise_kept_rate(outcomes, expected):
    assert promise_kept_rate(outcomes) == expected


def test_dispute_figures():
    disputes = [
        (date(2026, 1, 1), date(2026, 1, 11), 100.0),  # 10 days
        (date(2026, 1, 5), date(2026, 2, 4), 250.5),  # 30 days
        (date(2026, 3, 1), None, 49.5),  # still open
    ]
    assert dispute_figures(disputes) == {
        "count": 3,
        "open_count": 1,
        "resolved_count": 2,
        "value": 400.0,  # 100 + 250.5 + 49.5
        "cycle_days": 20.0,  # (10 + 30) / 2
    }
    assert (
        dispute_figures([(datetime(2026, 1, 1, 8), datetime(2026, 1, 2, 20), 1.0)])[
            "cycle_days"
        ]
        == 1.5
    )  # 36 hours
    assert dispute_figures([]) == {
        "count": 0,
        "open_count": 0,
        "resolved_count": 0,
        "value": 0.0,
        "cycle_days": None,
    }


def test_reminder_rates():
    rows = [
        (1, "email", 100, 45, 9, 10),
        (1, "email", 20, 9, 3, 0),  # same level and channel: added
        (2, "email", 50, 0, 5, 2),
        (2, "sms", 30, None, None, 1),  # opens and clicks not tracked
        (3, "email", 0, 0, 0, 0),
    ]
    rates = reminder_rates(rows)
    assert rates[(1, "email")] == {
        "sent": 120,
        "opened": 54,
        "clicked": 12,
        "bounced": 10,
        "delivered": 110,  # 120 - 10
        "open_rate": 49.09,  # 54 / 110 * 100 = 49.090...
        "click_rate": 10.91,  # 12 / 110 * 100 = 10.909...
        "bounce_rate": 8.33,  # 10 / 120 * 100 = 8.333...
    }
    assert rates[(2, "email")]["open_rate"] == 0.0  # 0 / 48 * 100
    assert rates[(2, "email")]["click_rate"] == 10.42  # 5 / 48 * 100 = 10.416...
    assert rates[(2, "email")]["bounce_rate"] == 4.0  # 2 / 50 * 100
    sms = rates[(2, "sms")]
    assert (sms["open_rate"], sms["click_rate"], sms["bounce_rate"]) == (
        None,
        None,
        3.33,
    )
    nothing = rates[(3, "email")]
    assert (nothing["open_rate"], nothing["click_rate"], nothing["bounce_rate"]) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "forecast, actual, expected",
    [
        (1000.0, 1000.0, 100.0),
        (900.0, 1000.0, 90.0),  # (1 - 100 / 1000) * 100
        (1100.0, 1000.0, 90.0),
        (2500.0, 1000.0, -50.0),  # (1 - 1500 / 1000) * 100: not clamped
        (0.0, 1000.0, 0.0),
        (100.0, 0.0, None),
    ],
)
def test_forecast_accuracy(forecast, actual, expected):
    assert forecast_accuracy(forecast, actual) == expected


def test_mape():
    # (100 / 1000 + 200 / 1000 + 50 / 100) / 3 * 100 = (10 + 20 + 50) / 3 = 26.666...
    assert mape([(900.0, 1000.0), (1200.0, 1000.0), (50.0, 100.0)]) == 26.67
    assert mape([(900.0, 1000.0), (5.0, 0.0)]) == 10.0  # actual 0 left out
    assert mape([(5.0, 0.0)]) is None
    assert mape([]) is None


# ----------------------------------------------------------------------
# The collectors' activity
# ----------------------------------------------------------------------


def test_roll_up_sums_every_level():
    rows = {
        (1, "alice", 10): {"reminders_sent": 3, "emails_sent": 2, "tasks_done": 1},
        (1, "alice", 11): {"reminders_sent": 1, "disputes_opened_amount": 250.0},
        (1, "bob", 12): {"promises_judged": 2, "promises_kept": 1},
        (2, "carol", 13): {"reminders_sent": 5},
    }
    sums = roll_up(rows)
    assert sums[(1,)]["reminders_sent"] == 4  # 3 + 1; company 2 apart
    assert sums[(1, "alice")]["reminders_sent"] == 4
    assert sums[(1, "alice")]["disputes_opened_amount"] == 250.0
    assert sums[(1, "bob")]["promises_kept"] == 1
    assert sums[(1, "bob")]["reminders_sent"] == 0  # missing counts 0
    assert sums[(2,)]["reminders_sent"] == 5
    assert sums[(1, "alice", 10)]["tasks_done"] == 1
    # a company is the sum of its collectors
    assert sums[(1,)]["emails_sent"] == (
        sums[(1, "alice")]["emails_sent"] + sums[(1, "bob")]["emails_sent"]
    )


def test_roll_up_keeps_the_levels_asked():
    rows = {(1, "alice", 10): {"tasks_done": 2}}
    assert set(roll_up(rows, levels={1, 2})) == {(1,), (1, "alice")}


def test_activity_rates():
    figures = activity_figures(
        {
            # 4 reminders, 3 of them emails: 1 bounced, so 2 delivered
            "reminders_sent": 4,
            "emails_sent": 3,
            "reminders_opened": 1,
            "reminders_clicked": 1,
            "reminders_bounced": 1,
            "promises_judged": 3,
            "promises_kept": 2,
            "disputes_resolved": 2,
            "dispute_days": 15,  # 5 and 10 days
        }
    )
    assert figures == {
        "open_rate": 50.0,  # 1 / (3 - 1) x 100: the SMS is not counted
        "click_rate": 50.0,
        "bounce_rate": 33.33,  # 1 / 3 x 100
        "promise_kept_rate": 66.67,  # 2 / 3 x 100
        "dispute_cycle_days": 7.5,  # 15 / 2
    }


def test_activity_rates_without_denominator_are_none():
    assert activity_figures({}) == {
        "open_rate": None,
        "click_rate": None,
        "bounce_rate": None,
        "promise_kept_rate": None,
        "dispute_cycle_days": None,
    }
