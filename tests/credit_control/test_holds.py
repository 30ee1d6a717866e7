import pytest

from credit_control.engine.holds import (
    DUNNING,
    MANUAL,
    OVER_LIMIT,
    OVERDUE,
    Situation,
    excess,
    reasons,
)


@pytest.mark.parametrize(
    "situation, expected",
    [
        (Situation(), []),
        (Situation(manual_hold=True), [MANUAL]),
        (Situation(exposure=800, order_amount=200, limit=1000), []),
        (Situation(exposure=800, order_amount=200.01, limit=1000), [OVER_LIMIT]),
        (Situation(exposure=5000, order_amount=100), []),  # no limit
        (Situation(exposure=0.01, limit=0), [OVER_LIMIT]),  # blocked profile
        # Odoo's own limit without the company's choice: a warning, no hold
        (Situation(exposure=800, order_amount=205, limit=1000, limit_holds=False), []),
        (
            Situation(manual_hold=True, exposure=2000, limit=1000, limit_holds=False),
            [MANUAL],
        ),
        (Situation(exposure=0, order_amount=0, limit=0), []),
        (
            Situation(oldest_overdue_days=16, overdue_amount=10, overdue_tolerance=15),
            [OVERDUE],
        ),
        (
            Situation(oldest_overdue_days=15, overdue_amount=10, overdue_tolerance=15),
            [],
        ),
        (Situation(oldest_overdue_days=90, overdue_amount=10), []),  # no profile
        (
            Situation(oldest_overdue_days=1, overdue_amount=5, overdue_tolerance=0),
            [OVERDUE],
        ),
        (Situation(dunning_hold=True), [DUNNING]),
        (
            Situation(
                manual_hold=True,
                exposure=2000,
                limit=1000,
                oldest_overdue_days=40,
                overdue_amount=300,
                overdue_tolerance=30,
                dunning_hold=True,
            ),
            [MANUAL, OVER_LIMIT, OVERDUE, DUNNING],
        ),
    ],
)
def test_reasons(situation, expected):
    assert reasons(situation) == expected


def test_excess():
    assert excess(Situation(exposure=900, order_amount=250, limit=1000)) == 150
    assert excess(Situation(exposure=100, order_amount=250, limit=1000)) == 0
    assert excess(Situation(exposure=100, order_amount=250)) == 0
    # the excess is still told when the limit only warns
    warning = Situation(exposure=900, order_amount=250, limit=1000, limit_holds=False)
    assert excess(warning) == 150
