from datetime import date

import pytest

from collections_management.engine.levels import Level, next_step

# The shipped policy: courtesy 3 days before, then +7, +21, +35, +50.
SHIPPED = [
    Level(key=1, trigger_days=-3, min_days_since_previous=0),
    Level(key=2, trigger_days=7, min_days_since_previous=7),
    Level(key=3, trigger_days=21, min_days_since_previous=10),
    Level(key=4, trigger_days=35, min_days_since_previous=10),
    Level(key=5, trigger_days=50, min_days_since_previous=10),
]
DUE = date(2026, 1, 31)


@pytest.mark.parametrize(
    "today, last_key, last_date, expected_key, expected_date",
    [
        # nothing sent, not yet due: courtesy three days before
        (date(2026, 1, 10), None, None, 1, date(2026, 1, 28)),
        # on the courtesy day it is due that very day
        (date(2026, 1, 28), None, None, 1, date(2026, 1, 28)),
        # due date reached without courtesy sent: too late for courtesy
        (date(2026, 1, 31), None, None, 2, date(2026, 2, 7)),
        # long overdue, nothing sent: first reminder, already due
        (date(2026, 5, 1), None, None, 2, date(2026, 2, 7)),
        # courtesy sent on 28 Jan: first reminder at due + 7 (spacing 7 is met)
        (date(2026, 2, 1), 1, date(2026, 1, 28), 2, date(2026, 2, 7)),
        # first sent late (1 Mar): the second waits 10 days after it
        (date(2026, 3, 2), 2, date(2026, 3, 1), 3, date(2026, 3, 11)),
        # first sent on time: second at due + 21 across the month end
        (date(2026, 2, 8), 2, date(2026, 2, 7), 3, date(2026, 2, 21)),
        # final notice after the third
        (date(2026, 3, 8), 4, date(2026, 3, 7), 5, date(2026, 3, 22)),
    ],
)
def test_next_step(today, last_key, last_date, expected_key, expected_date):
    step = next_step(SHIPPED, DUE, today, last_key, last_date)
    assert step.level.key == expected_key
    assert step.planned_date == expected_date
    assert step.is_due(today) == (expected_date <= today)


def test_nothing_after_final_notice():
    assert next_step(SHIPPED, DUE, date(2026, 6, 1), 5, date(2026, 3, 22)) is None


def test_levels_in_any_order():
    shuffled = list(reversed(SHIPPED))
    assert next_step(shuffled, DUE, date(2026, 1, 10)).level.key == 1


def test_only_courtesy_and_already_due():
    courtesy_only = [Level(key=9, trigger_days=-5)]
    assert next_step(courtesy_only, DUE, date(2026, 2, 2)) is None


def test_leap_day_due_date():
    step = next_step(SHIPPED, date(2028, 2, 29), date(2028, 2, 1))
    assert step.planned_date == date(2028, 2, 26)


def test_unknown_last_level_is_an_error():
    with pytest.raises(ValueError, match="unknown level"):
        next_step(SHIPPED, DUE, date(2026, 3, 1), last_level_key=42)
