from datetime import date

from collections_management.engine.levels import Level
from collections_management.engine.reminders import (
    SKIP_BELOW_MINIMUM,
    SKIP_NOT_POSITIVE,
    Credit,
    DueLine,
    plan_reminders,
)

LEVELS = [
    Level(key=10, trigger_days=-3, min_days_since_previous=0),
    Level(key=11, trigger_days=7, min_days_since_previous=7),
    Level(key=12, trigger_days=21, min_days_since_previous=10),
    Level(key=13, trigger_days=35, min_days_since_previous=10),
]
TODAY = date(2026, 3, 10)


def line(key, partner, due, residual, currency="EUR", rate=1.0, **kw):
    return DueLine(
        key=key,
        partner=partner,
        due_date=due,
        currency=currency,
        residual=residual,
        residual_company=round(residual * rate, 2),
        **kw,
    )


def test_overdue_line_gets_first_reminder():
    reminders, skipped = plan_reminders(
        [line(1, 100, date(2026, 2, 20), 500.0)], [], LEVELS, TODAY
    )
    assert not skipped
    [reminder] = reminders
    assert (reminder.partner, reminder.level, reminder.triggered) == (100, 11, {1: 11})
    assert reminder.totals["EUR"].due == 500.0
    assert reminder.net_company == 500.0


def test_highest_level_wins_each_line_keeps_its_own():
    lines = [
        line(1, 100, date(2026, 2, 20), 500.0),  # nothing sent: first reminder
        line(
            2, 100, date(2026, 1, 10), 300.0, last_level=11, last_date=date(2026, 2, 1)
        ),
    ]
    [reminder], _ = plan_reminders(lines, [], LEVELS, TODAY)
    assert reminder.level == 12
    assert reminder.triggered == {1: 11, 2: 12}
    assert [item.key for item in reminder.lines] == [2, 1]  # oldest due first


def test_credit_note_is_netted():
    lines = [line(1, 100, date(2026, 2, 20), 1000.0)]
    credits = [
        Credit(key=9, partner=100, currency="EUR", amount=300.0, amount_company=300.0)
    ]
    [reminder], _ = plan_reminders(lines, credits, LEVELS, TODAY)
    totals = reminder.totals["EUR"]
    assert (totals.due, totals.credit, totals.net) == (1000.0, 300.0, 700.0)
    assert reminder.net_company == 700.0
    assert reminder.credits == credits


def test_net_balance_not_positive_sends_nothing():
    lines = [line(1, 100, date(2026, 2, 20), 200.0)]
    credits = [
        Credit(key=9, partner=100, currency="EUR", amount=250.0, amount_company=250.0)
    ]
    reminders, skipped = plan_reminders(lines, credits, LEVELS, TODAY)
    assert reminders == []
    assert skipped == {100: SKIP_NOT_POSITIVE}


def test_below_minimum_amount_sends_nothing():
    lines = [line(1, 100, date(2026, 2, 20), 30.0, currency="USD", rate=0.9)]
    reminders, skipped = plan_reminders(lines, [], LEVELS, TODAY, min_amount=50.0)
    assert reminders == [] and skipped == {100: SKIP_BELOW_MINIMUM}
    reminders, skipped = plan_reminders(lines, [], LEVELS, TODAY, min_amount=27.0)
    assert len(reminders) == 1 and not skipped  # 30 USD = 27 EUR


def test_paused_line_is_neither_reminded_nor_listed():
    lines = [
        line(1, 100, date(2026, 1, 20), 800.0, paused="dispute"),
        line(2, 100, date(2026, 2, 20), 100.0),
    ]
    [reminder], _ = plan_reminders(lines, [], LEVELS, TODAY)
    assert reminder.triggered == {2: 11}
    assert [item.key for item in reminder.lines] == [2]
    only_paused = [line(1, 100, date(2026, 1, 20), 800.0, paused="promise")]
    assert plan_reminders(only_paused, [], LEVELS, TODAY) == ([], {})


def test_courtesy_reminder_lists_the_line_not_yet_due():
    lines = [line(1, 100, date(2026, 3, 12), 400.0)]
    [reminder], _ = plan_reminders(lines, [], LEVELS, TODAY)
    assert reminder.level == 10
    assert [item.key for item in reminder.lines] == [1]


def test_currencies_are_totalled_apart():
    lines = [
        line(1, 100, date(2026, 2, 20), 500.0),
        line(2, 100, date(2026, 2, 21), 200.0, currency="USD", rate=0.9),
        line(3, 100, date(2026, 2, 25), 50.0, currency="USD", rate=0.9),
    ]
    [reminder], _ = plan_reminders(lines, [], LEVELS, TODAY)
    assert sorted(reminder.totals) == ["EUR", "USD"]
    assert reminder.totals["USD"].due == 250.0
    assert reminder.net_company == 725.0


def test_instalments_follow_their_own_due_dates():
    """An invoice in two instalments: only the first is due a reminder."""
    lines = [
        line(1, 100, date(2026, 2, 20), 300.0),
        line(2, 100, date(2026, 4, 20), 700.0),
    ]
    [reminder], _ = plan_reminders(lines, [], LEVELS, TODAY)
    assert reminder.triggered == {1: 11}
    assert [item.key for item in reminder.lines] == [1]  # the second is not due


def test_nothing_due_today():
    lines = [line(1, 100, date(2026, 2, 20), 500.0, last_level=11, last_date=TODAY)]
    assert plan_reminders(lines, [], LEVELS, TODAY) == ([], {})


def test_several_partners_sorted():
    lines = [line(1, 300, date(2026, 2, 1), 10.0), line(2, 200, date(2026, 2, 1), 10.0)]
    reminders, _ = plan_reminders(lines, [], LEVELS, TODAY)
    assert [r.partner for r in reminders] == [200, 300]
