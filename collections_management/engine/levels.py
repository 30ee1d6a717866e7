"""Which dunning level an open invoice is due for, and when.

A policy is an ordered list of levels, each triggered a number of days after
the due date (negative: a courtesy reminder before it) and spaced by a minimum
number of days after the previous reminder. An invoice climbs the ladder one
step at a time, so that a customer never receives a final notice as the first
message; a courtesy level is only worth sending while the invoice is not yet
due, so it is skipped once the due date is reached.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Level:
    """One rung of a policy, as the engine needs it."""

    key: int
    trigger_days: int
    min_days_since_previous: int = 0


@dataclass(frozen=True)
class Step:
    """The next reminder of an invoice: which level, from which day."""

    level: Level
    planned_date: date

    def is_due(self, today):
        return self.planned_date <= today


def next_step(levels, due_date, today, last_level_key=None, last_reminder_date=None):
    """Return the next :class:`Step` of an invoice, or ``None``.

    ``levels`` in any order (they are sorted by trigger); ``last_level_key`` is
    the key of the level last sent for this invoice, ``None`` when nothing was
    sent yet. ``None`` is returned when the last level was already sent, or
    when only courtesy levels remain and the invoice is already due.
    """
    ordered = sorted(levels, key=lambda level: (level.trigger_days, level.key))
    start = 0
    if last_level_key is not None:
        keys = [level.key for level in ordered]
        if last_level_key not in keys:
            raise ValueError(f"unknown level {last_level_key!r}")
        start = keys.index(last_level_key) + 1
    days_overdue = (today - due_date).days
    for level in ordered[start:]:
        if level.trigger_days < 0 and days_overdue >= 0:
            continue  # too late for a courtesy reminder
        planned = due_date + timedelta(days=level.trigger_days)
        if last_reminder_date is not None:
            planned = max(
                planned,
                last_reminder_date + timedelta(days=level.min_days_since_previous),
            )
        return Step(level=level, planned_date=planned)
    return None
