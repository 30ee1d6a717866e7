"""Who gets a reminder today, at which level, listing what.

The daily run hands the engine every open receivable due line of a company
(an invoice with several instalments has one per instalment) and every open
credit of its customers (credit notes, unapplied payments). The engine
decides, per commercial partner, whether a reminder goes out today, at which
level, which lines it lists and its totals per currency, or why nothing is
sent. Amounts are in the line's currency, with their company-currency value
beside them for the thresholds.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace

from .levels import next_step

# Why a partner gets nothing although something is due.
SKIP_NOT_POSITIVE = "net_balance_not_positive"
SKIP_BELOW_MINIMUM = "below_minimum_amount"


@dataclass(frozen=True)
class DueLine:
    """An open receivable due line (an invoice or one of its instalments)."""

    key: int
    partner: int
    due_date: object  # datetime.date
    currency: str
    residual: float  # what the customer still owes, in ``currency``
    residual_company: float  # the same in the company's currency
    last_level: int | None = None
    last_date: object = None  # datetime.date of the last reminder of the line
    paused: str | None = None  # why the line is not reminded (dispute, ...)


@dataclass(frozen=True)
class Credit:
    """Money the customer has with us: an open credit note or payment."""

    key: int
    partner: int
    currency: str
    amount: float  # positive, in ``currency``
    amount_company: float


@dataclass(frozen=True)
class LevelSkip:
    """A level not sent for a line: its customer is expected to pay before
    the next level comes."""

    key: int  # the line's
    partner: int
    level: int  # key of the level skipped
    next_level: int
    probability: float  # of being paid before the next level, 0..1


@dataclass
class Reminder:
    """One partner's reminder of the day."""

    partner: int
    level: int  # key of the level to send
    triggered: dict = field(default_factory=dict)  # line key -> its own level
    lines: list = field(default_factory=list)  # every open line listed
    credits: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)  # currency -> Totals
    net_company: float = 0.0


@dataclass
class Totals:
    due: float = 0.0
    credit: float = 0.0

    @property
    def net(self):
        return self.due - self.credit


def _rank(levels):
    """Level key -> position in the ladder (sorted by trigger)."""
    ordered = sorted(levels, key=lambda level: (level.trigger_days, level.key))
    return {level.key: index for index, level in enumerate(ordered)}


def plan_reminders(
    lines, credits, levels, today, min_amount=0.0, rounding=2, force=frozenset()
):
    """Decide today's reminders.

    Returns ``(reminders, skipped)``: the :class:`Reminder` of each partner
    with a level due today, and ``{partner: reason}`` for partners with a
    level due but nothing to send (net balance not positive, or below the
    policy's minimum amount). A partner's reminder takes the highest level
    due among its lines; each triggered line keeps its own level, so that it
    climbs its own ladder. Lines whose key is in ``force`` take their next
    level today even if its day has not come ("send the next reminder now").
    """
    rank = _rank(levels)
    by_partner = defaultdict(list)
    for line in lines:
        by_partner[line.partner].append(line)
    credits_by_partner = defaultdict(list)
    for credit in credits:
        credits_by_partner[credit.partner].append(credit)

    reminders, skipped = [], {}
    for partner, partner_lines in by_partner.items():
        triggered = {}
        for line in partner_lines:
            if line.paused or line.residual <= 0:
                continue
            step = next_step(
                levels, line.due_date, today, line.last_level, line.last_date
            )
            if step and (step.is_due(today) or line.key in force):
                triggered[line.key] = step.level.key
        if not triggered:
            continue
        listed = [
            line
            for line in partner_lines
            if not line.paused
            and line.residual > 0
            and (line.key in triggered or line.due_date <= today)
        ]
        partner_credits = credits_by_partner.get(partner, [])
        net_company = round(
            sum(line.residual_company for line in listed)
            - sum(credit.amount_company for credit in partner_credits),
            rounding,
        )
        if net_company <= 0:
            skipped[partner] = SKIP_NOT_POSITIVE
            continue
        if net_company < min_amount:
            skipped[partner] = SKIP_BELOW_MINIMUM
            continue
        totals = defaultdict(Totals)
        for line in listed:
            totals[line.currency].due += line.residual
        for credit in partner_credits:
            totals[credit.currency].credit += credit.amount
        reminders.append(
            Reminder(
                partner=partner,
                level=max(triggered.values(), key=rank.__getitem__),
                triggered=triggered,
                lines=sorted(listed, key=lambda line: (line.due_date, line.key)),
                credits=partner_credits,
                totals={
                    currency: Totals(round(t.due, rounding), round(t.credit, rounding))
                    for currency, t in sorted(totals.items())
                },
                net_company=net_company,
            )
        )
    reminders.sort(key=lambda reminder: reminder.partner)
    return reminders, skipped


def skip_unneeded_levels(lines, levels, today, threshold, paid_before, force=()):
    """The "no action needed" rule: a line whose level is due today is not
    reminded at that level when its probability of being paid before the
    next level is at least ``threshold`` (0..1; 0 or None: the rule is off).

    ``paid_before(candidates)`` gets ``[(line, days)]``, a line and the
    number of days after its due date at which the next level is triggered,
    and returns for each the probability that the line is paid earlier than
    that (None: unknown, nothing is skipped). The last level is never
    skipped, nor a line of ``force``.

    Returns ``(lines, skips)``: the lines, a skipped one marked as having
    had the skipped level (its last reminder date unchanged), so that it
    climbs to the next level on that level's day; and the
    :class:`LevelSkip` of each.
    """
    lines = list(lines)
    if not threshold:
        return lines, []
    ordered = sorted(levels, key=lambda level: (level.trigger_days, level.key))
    candidates = []
    for index, line in enumerate(lines):
        if line.paused or line.residual <= 0 or line.key in force:
            continue
        step = next_step(levels, line.due_date, today, line.last_level, line.last_date)
        if not step or not step.is_due(today):
            continue
        position = ordered.index(step.level)
        if position + 1 == len(ordered):
            continue
        candidates.append((index, step.level, ordered[position + 1]))
    if not candidates:
        return lines, []
    probabilities = paid_before(
        [
            (lines[index], upcoming.trigger_days)
            for index, _level, upcoming in candidates
        ]
    )
    skips = []
    for (index, level, upcoming), probability in zip(
        candidates, probabilities, strict=True
    ):
        if probability is None or probability < threshold:
            continue
        line = lines[index]
        lines[index] = replace(line, last_level=level.key)
        skips.append(
            LevelSkip(
                key=line.key,
                partner=line.partner,
                level=level.key,
                next_level=upcoming.key,
                probability=float(probability),
            )
        )
    return lines, skips
