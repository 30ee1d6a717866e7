from datetime import date

from collections_management.engine.levels import Level
from collections_management.engine.reminders import (
    SKIP_BELOW_MINIMUM,
    SKIP_NOT_POSITIVE,
    Credit,
    DueLine,
    LevelSkip,
    plan_reminders,
    skip_unneeded_levels,
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


def test_no_action_needed_skips_a_level_of_a_line_likely_paid_before_the_next():
    likely = line(1, 100, date(2026, 3, 2), 500.0)  # 8 days late: level 11 due
    unlikely = line(2, 100, date(2026, 3, 1), 300.0)  # 9 days late
    courtesy = line(3, 200, date(2026, 3, 12), 80.0)  # due in 2 days: level 10
    last = line(4, 300, date(2026, 1, 1), 90.0, last_level=12)  # level 13: last
    forced = line(5, 400, date(2026, 3, 2), 70.0)
    asked = []

    def paid_before(candidates):
        asked.extend((candidate.key, days) for candidate, days in candidates)
        return [{1: 0.92, 2: 0.4, 3: 0.99, 5: 0.99}[c.key] for c, _d in candidates]

    lines = [likely, unlikely, courtesy, last, forced]
    kept, skips = skip_unneeded_levels(
        lines, LEVELS, TODAY, 0.9, paid_before, force={5}
    )
    # Asked with the days of the next level; never for the last level.
    assert asked == [(1, 21), (2, 21), (3, 7)]
    assert skips == [
        LevelSkip(key=1, partner=100, level=11, next_level=12, probability=0.92),
        LevelSkip(key=3, partner=200, level=10, next_level=11, probability=0.99),
    ]
    assert kept[0].last_level == 11 and kept[0].last_date is None
    assert kept[1:] == [unlikely, kept[2], last, forced]
    assert kept[2].last_level == 10
    reminders, _ = plan_reminders(kept, [], LEVELS, TODAY, force={5})
    # Partner 100 is reminded of line 2 only at level 11; 200 gets nothing;
    # the last level and the forced line go out.
    assert [(r.partner, r.level, r.triggered) for r in reminders] == [
        (100, 11, {2: 11}),
        (300, 13, {4: 13}),
        (400, 11, {5: 11}),
    ]
    # On the next level's day, the skipped line climbs to it.
    later = TODAY.replace(day=23)
    [reminder], _ = plan_reminders([kept[0]], [], LEVELS, later)
    assert reminder.triggered == {1: 12}


def test_no_action_needed_is_off_by_default_and_on_unknown_chances():
    lines = [line(1, 100, date(2026, 3, 2), 500.0)]

    def never_called(candidates):
        raise AssertionError("the rule is off")

    assert skip_unneeded_levels(lines, LEVELS, TODAY, 0, never_called) == (lines, [])
    assert skip_unneeded_levels(lines, LEVELS, TODAY, None, never_called) == (
        lines,
        [],
    )
    unknown = skip_unneeded_levels(lines, LEVELS, TODAY, 0.5, lambda c: [None])
    assert unknown == (lines, [])
