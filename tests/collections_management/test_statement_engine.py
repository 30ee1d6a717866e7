from datetime import date, timedelta

import pytest

from collections_management.engine.statement import (
    AMOUNT_NOT_POSITIVE,
    AMOUNT_TOO_HIGH,
    MIXED_COMPANIES,
    MIXED_CURRENCIES,
    NOT_PAYABLE,
    NOTHING_SELECTED,
    PARTIAL_NOT_ALLOWED,
    Line,
    bucket,
    days_overdue,
    keep,
    overdue_amount,
    payment_amount,
    payment_refusals,
    spread,
    totals,
)

TODAY = date(2026, 3, 10)


def line(id_, days_late, residual, currency="EUR", refund=False, company=1):
    return Line(
        id=id_,
        currency=currency,
        company=company,
        due_date=TODAY - timedelta(days=days_late),
        residual=residual,
        is_refund=refund,
    )


@pytest.mark.parametrize(
    "days_late, expected",
    [
        (-10, "current"),
        (0, "current"),  # due today is not late
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
def test_bucket_edges(days_late, expected):
    assert bucket(line(1, days_late, 10.0), TODAY) == expected


def test_totals_deduct_credit_notes_and_age_each_document():
    lines = [
        line(1, 45, 1000.0),
        line(2, -5, 450.0),
        line(3, 0, 150.0, refund=True),
        line(4, 120, 80.25),
    ]
    [eur] = totals(lines, TODAY)
    assert eur.balance == 1380.25  # 1000 + 450 + 80.25 - 150
    assert eur.overdue == 1080.25  # the credit note is not overdue
    assert eur.buckets == {
        "current": 300.0,
        "1_30": 0.0,
        "31_60": 1000.0,
        "61_90": 0.0,
        "over_90": 80.25,
    }
    assert sum(eur.buckets.values()) == eur.balance
    assert eur.count == 4


def test_totals_per_currency_largest_first():
    lines = [
        line(1, 10, 100.0, "USD"),
        line(2, 10, 2000.0, "EUR"),
        line(3, 10, 0.1, "EUR"),
        line(4, 10, 0.2, "EUR"),
    ]
    rows = totals(lines, TODAY)
    assert [row.currency for row in rows] == ["EUR", "USD"]
    assert rows[0].balance == 2000.3  # rounded, no float noise
    assert rows[1].overdue == 100.0


def test_totals_of_nothing():
    assert totals([], TODAY) == []


@pytest.mark.parametrize(
    "filter_, expected",
    [
        ("all", [1, 2, 3]),
        ("overdue", [1]),
        ("current", [2, 3]),
    ],
)
def test_filters(filter_, expected):
    lines = [line(1, 3, 10.0), line(2, 0, 10.0), line(3, 20, 5.0, refund=True)]
    assert [x.id for x in lines if keep(x, TODAY, filter_)] == expected


def test_unknown_filter():
    with pytest.raises(ValueError, match="Unknown statement filter 'late'"):
        keep(line(1, 3, 10.0), TODAY, "late")


BOOK = [
    line(1, 10, 300.0),
    line(2, 40, 200.0),
    line(3, 5, 50.0, refund=True),
    line(4, 5, 70.0, currency="USD"),
    line(5, 5, 90.0, company=2),
]


@pytest.mark.parametrize(
    "ids, amount, partial, expected",
    [
        ([1, 2], None, False, []),
        ([1, 2], 500.0, False, []),  # the whole amount, typed
        ([1, 2], 120.0, True, []),
        ([1, 2], 120.0, False, [PARTIAL_NOT_ALLOWED]),
        ([1, 2], 500.01, True, [AMOUNT_TOO_HIGH]),
        ([1, 2], 0.0, True, [AMOUNT_NOT_POSITIVE]),
        ([1, 2], -5.0, True, [AMOUNT_NOT_POSITIVE]),
        ([], None, False, [NOTHING_SELECTED]),
        ([1, 99], None, False, [NOT_PAYABLE]),  # not this customer's, or paid
        ([3], None, False, [NOT_PAYABLE]),  # a credit note is not paid
        ([1, 4], None, False, [MIXED_CURRENCIES]),
        ([1, 5], None, False, [MIXED_COMPANIES]),
    ],
)
def test_payment_refusals(ids, amount, partial, expected):
    assert payment_refusals(BOOK, ids, amount, allow_partial=partial) == expected


def test_payment_amount_is_the_residual_unless_given():
    assert payment_amount(BOOK, [1, 2]) == 500.0
    assert payment_amount(BOOK, [1, 2], 120.004) == 120.0


def test_instalments_are_aged_each_on_its_own_due_date():
    # 2 000 due in two instalments: 1 000 ten days late, 1 000 in 20 days
    invoice = Line(
        id=1,
        currency="EUR",
        company=1,
        due_date=TODAY - timedelta(days=10),
        residual=2000.0,
        instalments=(
            (TODAY - timedelta(days=10), 1000.0),
            (TODAY + timedelta(days=20), 1000.0),
        ),
    )
    assert days_overdue(invoice, TODAY) == 10
    assert overdue_amount(invoice, TODAY) == 1000.0
    assert keep(invoice, TODAY, "overdue")
    assert not keep(invoice, TODAY, "current")
    (row,) = totals([invoice], TODAY)
    assert row.balance == 2000.0
    assert row.overdue == 1000.0
    assert row.buckets == {
        "current": 1000.0,
        "1_30": 1000.0,
        "31_60": 0.0,
        "61_90": 0.0,
        "over_90": 0.0,
    }


def test_instalments_not_yet_due_are_not_overdue():
    invoice = Line(
        id=1,
        currency="EUR",
        company=1,
        due_date=TODAY,  # due today is not late
        residual=900.0,
        instalments=((TODAY, 300.0), (TODAY + timedelta(days=30), 600.0)),
    )
    assert overdue_amount(invoice, TODAY) == 0.0
    assert keep(invoice, TODAY, "current")
    (row,) = totals([invoice], TODAY)
    assert row.overdue == 0.0
    assert row.buckets["current"] == 900.0


def test_a_credit_note_is_never_overdue():
    assert overdue_amount(line(1, 45, 150.0, refund=True), TODAY) == 0.0


@pytest.mark.parametrize(
    "amount, residuals, expected",
    [
        (120.0, [(1, 1000.0)], {1: 120.0}),
        (1000.0, [(1, 1000.0)], {1: 1000.0}),
        (1300.0, [(1, 1000.0), (2, 500.0)], {1: 1000.0, 2: 300.0}),
        (200.0, [(1, 1000.0), (2, 500.0)], {1: 200.0, 2: 0.0}),
        (0.1 + 0.2, [(1, 0.3)], {1: 0.3}),
    ],
)
def test_spread_oldest_first(amount, residuals, expected):
    assert spread(amount, residuals) == expected
