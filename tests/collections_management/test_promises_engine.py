from datetime import date

import pytest

from collections_management.engine.promises import (
    AMOUNT_NOT_POSITIVE,
    AMOUNT_TOO_HIGH,
    AMOUNT_TOO_LOW,
    BROKEN,
    DATE_PAST,
    DATE_TOO_FAR,
    KEPT,
    PARTIAL,
    TOO_MANY_BROKEN,
    is_due_for_review,
    kept_rate,
    outcome,
    refusals,
)

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    "promise_date, amount, broken, expected",
    [
        (date(2026, 3, 20), 500.0, 0, []),
        (date(2026, 4, 9), 1000.0, 0, []),  # exactly 30 days ahead
        (date(2026, 4, 10), 500.0, 0, [DATE_TOO_FAR]),
        (date(2026, 3, 9), 500.0, 0, [DATE_PAST]),
        (date(2026, 3, 20), 499.99, 0, [AMOUNT_TOO_LOW]),
        (date(2026, 3, 20), 1000.01, 0, [AMOUNT_TOO_HIGH]),
        (date(2026, 3, 20), 0.0, 0, [AMOUNT_NOT_POSITIVE]),
        (date(2026, 3, 20), 500.0, 3, [TOO_MANY_BROKEN]),
        (date(2026, 3, 20), 500.0, 2, []),
    ],
)
def test_refusals(promise_date, amount, broken, expected):
    assert (
        refusals(
            TODAY,
            promise_date,
            amount,
            due=1000.0,
            max_days=30,
            min_share=0.5,
            broken_count=broken,
            max_broken=3,
        )
        == expected
    )


def test_no_limits():
    assert refusals(TODAY, date(2027, 1, 1), 1.0, 1000.0, max_days=0, min_share=0) == []


@pytest.mark.parametrize(
    "paid, expected",
    [(1000.0, KEPT), (1200.0, KEPT), (999.999, KEPT), (400.0, PARTIAL), (0.0, BROKEN)],
)
def test_outcome(paid, expected):
    assert outcome(1000.0, paid) == expected


def test_review_after_grace():
    assert not is_due_for_review(date(2026, 3, 5), TODAY, grace_days=5)
    assert is_due_for_review(date(2026, 3, 4), TODAY, grace_days=5)


def test_kept_rate():
    assert kept_rate(["open", "cancelled"]) is None
    assert kept_rate([KEPT, PARTIAL, BROKEN, KEPT, "open"]) == 0.5
