"""Ageing columns: how late an open amount is, in the same columns everywhere.

The aged balance of the KPI snapshots and dashboards, and the customer's
statement of account (back office and portal) put an amount in one of these
columns by its days overdue (day - due date): a customer and its collector
then read the same figures.
"""

# (key, lowest, highest days overdue), both included, None for no bound; an
# amount due today or later is current.
BUCKETS = (
    ("current", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("over_90", 91, None),
)


def bucket_of(days, buckets=BUCKETS):
    """The key of the column of an amount ``days`` overdue."""
    for key, low, high in buckets:
        if (low is None or days >= low) and (high is None or days <= high):
            return key
    raise ValueError(f"No column holds {days} days overdue.")
