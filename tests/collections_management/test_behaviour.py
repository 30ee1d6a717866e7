from datetime import date, timedelta

from collections_management.engine.behaviour import (
    IMPROVING,
    STABLE,
    WORSENING,
    behaviour,
)

DUE = date(2026, 1, 31)


def pairs(*delays):
    return [(DUE, DUE + timedelta(days=days)) for days in delays]


def test_no_history():
    figures = behaviour([])
    assert figures.paid == 0
    assert figures.average_days_late is None
    assert figures.on_time_share is None
    assert figures.trend is None


def test_average_and_on_time_share():
    figures = behaviour(pairs(-2, 0, 10, 30))
    assert figures.paid == 4
    assert figures.average_days_late == 9.5
    assert figures.on_time_share == 50.0  # early and on the day count
    assert figures.trend is None  # fewer than two windows


def test_trend_needs_two_full_windows():
    assert behaviour(pairs(*[30] * 9)).trend is None
    assert behaviour(pairs(*[30] * 10)).trend == STABLE


def test_trend_worsening_and_improving():
    assert behaviour(pairs(0, 0, 0, 0, 0, 5, 5, 5, 5, 5)).trend == WORSENING
    assert behaviour(pairs(20, 20, 20, 20, 20, 2, 2, 2, 2, 2)).trend == IMPROVING
    # less than three days of change is stable
    assert behaviour(pairs(0, 0, 0, 0, 0, 2, 2, 2, 2, 2)).trend == STABLE


def test_trend_reads_the_newest_invoices_only():
    # old history does not drown a recent worsening
    old_good = [0] * 20
    assert behaviour(pairs(*old_good, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9)).trend == WORSENING
