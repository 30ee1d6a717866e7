from datetime import date

import pytest

from collections_management.engine.plans import (
    LATE,
    MISSED,
    PAID,
    PENDING,
    add_months,
    adherence,
    allocate,
    nth_date,
    schedule,
)


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_frequencies():
    first = date(2026, 1, 31)
    assert nth_date(first, "weekly", 2) == date(2026, 2, 14)
    assert nth_date(first, "biweekly", 1) == date(2026, 2, 14)
    assert nth_date(first, "monthly", 1) == date(2026, 2, 28)
    assert nth_date(first, "monthly", 2) == date(2026, 3, 31)
    assert nth_date(first, "quarterly", 1) == date(2026, 4, 30)
    with pytest.raises(ValueError):
        nth_date(first, "daily", 1)


def test_schedule_adds_up_and_last_takes_rounding():
    lines = schedule(1000.0, 3, "monthly", date(2026, 3, 15))
    assert [(i.sequence, i.due_date, i.amount) for i in lines] == [
        (1, date(2026, 3, 15), 333.33),
        (2, date(2026, 4, 15), 333.33),
        (3, date(2026, 5, 15), 333.34),
    ]


def test_schedule_with_down_payment():
    lines = schedule(1200.0, 2, "weekly", date(2026, 3, 2), down_payment=200.0)
    assert [(i.sequence, i.due_date, i.amount) for i in lines] == [
        (0, date(2026, 3, 2), 200.0),
        (1, date(2026, 3, 9), 500.0),
        (2, date(2026, 3, 16), 500.0),
    ]
    assert round(sum(i.amount for i in lines), 2) == 1200.0


@pytest.mark.parametrize(
    "total, count, down",
    [(0, 3, 0), (100, 0, 0), (100, 2, 100), (100, 2, -1)],
)
def test_schedule_refuses_nonsense(total, count, down):
    with pytest.raises(ValueError):
        schedule(total, count, "monthly", date(2026, 3, 1), down_payment=down)


INSTALMENTS = [
    (1, date(2026, 3, 1), 100.0),
    (2, date(2026, 4, 1), 100.0),
    (3, date(2026, 5, 1), 100.0),
]


def test_payments_go_to_the_oldest_instalment_first():
    result = allocate(
        INSTALMENTS,
        [(date(2026, 3, 25), 50.0), (date(2026, 2, 27), 120.0)],
        today=date(2026, 3, 26),
        grace_days=5,
    )
    assert result[1].paid == 100.0 and result[1].paid_date == date(2026, 2, 27)
    assert result[1].state == PAID
    assert result[2].paid == 70.0 and result[2].paid_date is None
    assert result[2].state == PENDING
    assert result[3].paid == 0.0 and result[3].state == PENDING


def test_late_and_missed():
    result = allocate(
        INSTALMENTS,
        [(date(2026, 3, 10), 100.0)],
        today=date(2026, 4, 8),
        grace_days=5,
    )
    assert result[1].state == LATE  # paid on the 10th, limit the 6th
    assert result[2].state == MISSED  # limit 6 April passed, nothing left
    assert result[3].state == PENDING


def test_grace_day_itself_is_still_on_time():
    result = allocate(
        INSTALMENTS[:1],
        [(date(2026, 3, 6), 100.0)],
        today=date(2026, 3, 6),
        grace_days=5,
    )
    assert result[1].state == PAID
    result = allocate(INSTALMENTS[:1], [], today=date(2026, 3, 6), grace_days=5)
    assert result[1].state == PENDING
    result = allocate(INSTALMENTS[:1], [], today=date(2026, 3, 7), grace_days=5)
    assert result[1].state == MISSED


def test_overpayment_covers_everything_and_no_more():
    result = allocate(INSTALMENTS, [(date(2026, 2, 1), 500.0)], today=date(2026, 2, 1))
    assert [result[k].paid for k in (1, 2, 3)] == [100.0, 100.0, 100.0]
    assert {a.state for a in result.values()} == {PAID}


def test_adherence():
    assert adherence([PENDING]) is None
    assert adherence([PAID, PAID, LATE, MISSED, PENDING]) == 0.5
