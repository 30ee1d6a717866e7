"""What a bank line's amount can pay.

Amounts are compared in minor units (:mod:`.currencies`): a line settles one
item exactly, with its early payment discount or within the write-off
tolerance, several items adding up to it (subset sums of up to
``max_subset_size`` items, credit notes included), or the items it quotes in
part. A line in another currency is converted at the rate the matcher is
given. :class:`AmountsMixin` holds the lookups ``Matcher.match`` makes over
the amount indexes (partner to items, amount to items) built in
``Matcher.__init__``; :class:`_Group` the arithmetic, which returns
:class:`_Candidate` objects for the matcher to score.
"""

import math
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from .currencies import _money, _units, decimals
from .types import Money, Signal

# Days after the discount date a payment still earns the discount (the
# transfer was ordered in time, the bank took a few days).
DISCOUNT_GRACE_DAYS = 3


@dataclass
class _Candidate:
    partner_id: int
    items: tuple  # OpenItem, oldest first
    kind: str
    amounts: tuple  # allocation amounts, item currency units, like items
    signals: list
    difference: float = 0.0


class AmountsMixin:
    """The amount lookups of :class:`~.matcher.Matcher`."""

    def _shelf(self, partner_id, currency):
        """A partner's items in one currency sorted by amount, built on first
        use (items removed since are skipped by the readers)."""
        shelf = self._shelves.get((partner_id, currency))
        if shelf is None:
            items = [
                self._items[i]
                for i in self._by_partner.get(partner_id, ())
                if self._items[i].currency == currency
            ]
            pairs = sorted((self._units_of[item.id], item.id) for item in items)
            shelf = _Shelf(
                [units for units, _id in pairs],
                [item_id for _units, item_id in pairs],
                _ratio(items),
                [item for item in items if item.discount_amount and item.discount_date],
            )
            self._shelves[partner_id, currency] = shelf
        return shelf

    def _oldest(self, partner_id, currency, count, first=()):
        """``first``, then the partner's oldest open items in ``currency``,
        ``count`` in all, oldest first."""
        chosen = {item.id: item for item in first}
        for item_id in self._by_partner.get(partner_id, ()):
            if len(chosen) >= count:
                break
            item = self._items.get(item_id)
            if item is not None and item.currency == currency:
                chosen.setdefault(item_id, item)
        return sorted(list(chosen.values())[:count], key=lambda i: (i.date, i.id))

    # What the line could pay.

    def _partner_candidates(self, context, partner_id, hits):
        out = []
        for currency in sorted(self._currencies_of.get(partner_id, ())):
            target = context.target(currency)
            if target is None:
                continue
            shelf = self._shelf(partner_id, currency)
            group = _Group(self, context, currency, target, shelf.ratio, set(hits))
            quoted = sorted(
                (
                    item
                    for item in self._live(hits)
                    if item.partner_id == partner_id and item.currency == currency
                ),
                key=lambda item: (item.date, item.id),
            )
            # What the line pays in part: what it quotes exactly, if anything.
            exactly = [i for i in quoted if hits[i.id][0] != "reference_fuzzy"]
            low = bisect_left(shelf.amounts, group.units - group.tolerance)
            high = bisect_left(shelf.amounts, group.units + group.tolerance + 1)
            near = self._live(shelf.ids[low:high])
            near_ids = {item.id for item in near}
            near += [
                item
                for item in shelf.discounted
                if item.id in self._items and item.id not in near_ids
            ]
            singles = group.singles(near)
            out.extend(singles)
            # An invoice paid in instalments has several items under one
            # number: the line paying exactly one of them pays that one, not
            # a part of all of them.
            instalment = any(
                c.kind == "full" and c.items[0].id in hits for c in singles
            )
            if quoted:
                out.extend(group.quoted_set(exactly or quoted, partial=not instalment))
            # The quoted items fitting exactly say what the line pays: no need
            # to look for other combinations.
            settled = any(
                c.items == tuple(quoted) and c.kind != "partial" for c in out
            ) or any(len(c.items) == 1 and c.items[0].id in hits for c in singles)
            if not settled:
                pool = self._oldest(
                    partner_id, currency, self.max_subset_items, first=quoted
                )
                out.extend(group.combinations(pool))
        return out

    def _amount_only(self, context, partners, limit=10):
        """Single items of other partners with exactly the line's amount."""
        out = []
        line = context.line
        exact = _units(line.amount, line.currency)
        ids = self._by_amount.get((line.currency, exact), ())
        ids = list(ids) + list(self._by_discount.get((line.currency, exact), ()))
        for currency in context.other_currencies():
            target = context.target(currency)
            if target is not None:
                ids.extend(self._near_amount(currency, target[0], target[2]))
        seen = set()
        for item_id in ids:
            item = self._items.get(item_id)
            if item is None or item.partner_id in partners or item_id in seen:
                continue
            seen.add(item_id)
            target = context.target(item.currency)
            group = _Group(self, context, item.currency, target, _ratio([item]))
            out.extend(
                c for c in group.singles([item]) if c.kind in ("full", "discount")
            )
            if len(out) >= limit:
                break
        return out

    def _near_amount(self, currency, units, slack):
        if currency not in self._sorted_amounts:
            pairs = sorted(
                (_units(item.residual, currency), item.id)
                for item in self._items.values()
                if item.currency == currency and item.residual > 0
            )
            self._sorted_amounts[currency] = (
                [amount for amount, _id in pairs],
                [item_id for _amount, item_id in pairs],
            )
        amounts, ids = self._sorted_amounts[currency]
        low = bisect_left(amounts, units - slack)
        high = bisect_left(amounts, units + slack + 1)
        return ids[low:high]


class _Line:
    """One bank line with the amounts the matcher derives from it."""

    def __init__(self, matcher, line):
        self.matcher = matcher
        self.line = line
        self._targets = {}

    def target(self, currency):
        """``(units, rate, slack)``: the line's amount in ``currency`` minor
        units, the rate used (None in its own currency) and the rounding
        slack of the conversion; None when it cannot be converted."""
        if currency not in self._targets:
            self._targets[currency] = self._convert(currency)
        return self._targets[currency]

    def _convert(self, currency):
        line = self.line
        if currency == line.currency:
            return _units(line.amount, currency), None, 0
        if self.matcher.rate is None:
            return None
        rate = self.matcher.rate(line.currency, currency, line.date)
        if not rate:
            return None
        units = round(line.amount * rate * 10 ** decimals(currency))
        shift = 10 ** (decimals(currency) - decimals(line.currency))
        return units, rate, math.ceil(0.5 * rate * shift + 0.5)

    def other_currencies(self):
        if self.matcher.rate is None:
            return ()
        return [c for c in self.matcher._currencies if c != self.line.currency]

    def fits(self, item):
        """True when the line could settle ``item`` alone (exactly, with a
        discount or within the write-off tolerance)."""
        target = self.target(item.currency)
        if target is None or item.residual <= 0:
            return False
        group = _Group(self.matcher, self, item.currency, target, _ratio([item]))
        return bool(group.singles([item]))

    def fits_any(self, items):
        """True when the line could settle one of ``items``, or all those of
        one customer in one currency."""
        if any(self.fits(item) for item in items):
            return True
        groups = defaultdict(list)
        for item in items:
            groups[item.partner_id, item.currency].append(item)
        for (_partner_id, currency), group_items in groups.items():
            target = self.target(currency)
            if len(group_items) < 2 or target is None:
                continue
            group = _Group(self.matcher, self, currency, target, _ratio(group_items))
            total = sum(self.matcher._units_of[item.id] for item in group_items)
            if group._settle(group_items, total) is not None:
                return True
        return False


class _Shelf:
    """A partner's items in one currency, sorted by amount."""

    __slots__ = ("amounts", "ids", "ratio", "discounted")

    def __init__(self, amounts, ids, ratio, discounted):
        self.amounts = amounts
        self.ids = ids
        self.ratio = ratio
        self.discounted = discounted


def _ratio(items):
    """Company currency per unit of the items' currency, as booked."""
    total = sum(abs(item.residual) for item in items)
    if not total:
        return 1.0
    return sum(abs(item.residual_company) for item in items) / total


class _Group:
    """A partner's open items in one currency, against one bank line."""

    def __init__(self, matcher, context, currency, target, ratio, quoted=()):
        self.matcher = matcher
        self.quoted = quoted  # ids of the items the line quotes
        self.context = context
        self.currency = currency
        self.units, self.rate, self.slack = target
        self.scale = 10 ** decimals(currency)
        self.ratio = ratio
        amount_company = self.units / self.scale * ratio
        tolerance = min(matcher.writeoff_abs, matcher.writeoff_rel * amount_company)
        self.tolerance_company = round(tolerance, 2)
        self.tolerance = max(int(tolerance / ratio * self.scale + 1e-9), self.slack)
        self.residuals = matcher._units_of

    def _company(self, units, items):
        return round(units / self.scale * _ratio(items), 2)

    def _discount_units(self, item):
        """The discounted amount of ``item`` if the line earns it, else None."""
        if not item.discount_amount or not item.discount_date:
            return None
        if self.context.line.date > item.discount_date + self.matcher.discount_grace:
            return None
        return _units(item.discount_amount, self.currency)

    def _base_signals(self, items):
        signals = []
        notes = [item for item in items if item.residual < 0]
        if notes:
            params = (("document", ", ".join(item.move_name for item in notes)),)
            signals.append(Signal("credit_note", 1.0, params))
        if self.rate is not None:
            params = (
                ("from", self.context.line.currency),
                ("to", self.currency),
                ("rate", float(f"{self.rate:.6g}")),
            )
            signals.append(Signal("currency", 1.0, params))
        return signals

    def _settle(self, items, total):
        """The candidate closing ``items`` (residuals adding up to ``total``
        units) with the line, or None when the amounts do not fit."""
        diff = total - self.units  # > 0: the line brings less than the items
        if abs(diff) > max(self.tolerance, self.slack):
            return None
        items = tuple(sorted(items, key=lambda item: (item.date, item.id)))
        amounts = tuple(self.residuals[item.id] for item in items)
        signals = self._base_signals(items)
        amount = Money(_money(self.units, self.currency), self.currency)
        several = len(items) > 1
        if abs(diff) <= self.slack:
            if several:
                params = (("count", str(len(items))), ("amount", amount))
                signals.append(Signal("amount_sum", 1.0, params))
            else:
                params = (("document", items[0].move_name), ("amount", amount))
                signals.append(Signal("amount_exact", 1.0, params))
            return _Candidate(items[0].partner_id, items, "full", amounts, signals)
        if abs(diff) > self.tolerance:
            return None
        # Nearer the tolerance, less sure; a combination of several items, or
        # an item the line does not quote, far less: among many combinations
        # or a customer's many items, one falls within by chance.
        strength = 1.0 - 0.3 * abs(diff) / max(self.tolerance, 1)
        if several or not any(item.id in self.quoted for item in items):
            strength *= 0.5
        strength = round(strength, 4)
        company = self._company(abs(diff), items)
        params = (
            ("difference", Money(company, self.matcher.company_currency)),
            ("tolerance", Money(self.tolerance_company, self.matcher.company_currency)),
        )
        # diff > 0: the payer paid less (bank fees); < 0: a little more.
        signals.append(Signal("writeoff" if diff > 0 else "overpaid", strength, params))
        return _Candidate(
            items[0].partner_id, items, "writeoff", amounts, signals, difference=company
        )

    def _discounted(self, items, total_discounted):
        """The candidate settling ``items`` with their early payment
        discounts, or None."""
        if abs(total_discounted - self.units) > self.slack:
            return None
        items = tuple(sorted(items, key=lambda item: (item.date, item.id)))
        amounts = tuple(self.residuals[item.id] for item in items)
        discounted = [item for item in items if self._discount_units(item) is not None]
        saved = sum(self.residuals[i.id] - self._discount_units(i) for i in discounted)
        company = self._company(saved, items)
        signals = self._base_signals(items)
        params = (
            ("discount_date", max(i.discount_date for i in discounted)),
            ("difference", Money(company, self.matcher.company_currency)),
        )
        signals.append(Signal("discount", 1.0, params))
        return _Candidate(
            items[0].partner_id, items, "discount", amounts, signals, difference=company
        )

    def singles(self, items):
        """Candidates settling one of ``items`` each."""
        out = []
        for item in items:
            residual = self.residuals[item.id]
            if residual <= 0:
                continue
            discount = self._discount_units(item)
            if discount is not None and abs(discount - self.units) <= self.slack:
                out.append(self._discounted([item], discount))
                continue
            candidate = self._settle([item], residual)
            if candidate is not None:
                out.append(candidate)
        return out

    def quoted_set(self, quoted, partial=True):
        """Candidates for the items the line quotes: all of them settled, or
        (with ``partial``) paid in part, oldest first."""
        out = []
        total = sum(self.residuals[item.id] for item in quoted)
        if len(quoted) > 1:
            candidate = self._settle(quoted, total)
            if candidate is not None:
                out.append(candidate)
        if partial and 0 < self.units < total - self.tolerance:
            out.append(self._partial(quoted))
        return out

    def _partial(self, quoted):
        # oldest first; an invoice's instalments by due date, as Odoo
        # allocates a payment registered on it
        items = tuple(
            sorted(
                quoted,
                key=lambda item: (item.date, item.due_date or item.date, item.id),
            )
        )
        # Credit notes are used in full; the money pays the oldest first.
        left = self.units - sum(self.residuals[i.id] for i in items if i.residual < 0)
        amounts, paid = [], []
        for item in items:
            residual = self.residuals[item.id]
            if residual < 0:
                amounts.append(residual)
                paid.append(item)
                continue
            if left <= 0:
                continue
            amount = min(residual, left)
            left -= amount
            amounts.append(amount)
            paid.append(item)
        if not any(amount > 0 for amount in amounts):
            return None
        signals = self._base_signals(paid)
        last = paid[-1]
        params = (
            ("document", ", ".join(item.move_name for item in items)),
            ("amount", Money(_money(self.units, self.currency), self.currency)),
            (
                "residual",
                Money(
                    _money(sum(self.residuals[i.id] for i in items), self.currency),
                    self.currency,
                ),
            ),
        )
        signals.append(Signal("partial", 1.0, params))
        return _Candidate(
            last.partner_id, tuple(paid), "partial", tuple(amounts), signals
        )

    def combinations(self, pool):
        """Candidates of 2 to ``max_subset_size`` items of ``pool`` adding up
        to the amount (within the write-off tolerance, or exactly with early
        payment discounts)."""
        if len(pool) < 2:
            return []
        out = []
        values = [self.residuals[item.id] for item in pool]
        for chosen, total in _subset_sums(
            values, self.units, self.tolerance, self.matcher.max_subset_size
        ):
            candidate = self._settle([pool[i] for i in chosen], total)
            if candidate is not None:
                out.append(candidate)
        discounts = [self._discount_units(item) for item in pool]
        if any(d is not None for d in discounts):
            values = [
                d if d is not None else v
                for d, v in zip(discounts, values, strict=True)
            ]
            for chosen, total in _subset_sums(
                values, self.units, self.slack, self.matcher.max_subset_size
            ):
                if any(discounts[i] is not None for i in chosen):
                    candidate = self._discounted([pool[i] for i in chosen], total)
                    if candidate is not None:
                        out.append(candidate)
        return out


def _subset_sums(values, target, tolerance, max_size, cap=25):
    """Index tuples of 2 to ``max_size`` values whose sum is within
    ``tolerance`` of ``target``, with the sum; at most ``cap`` of them.
    Values may be negative (credit notes)."""
    n = len(values)
    most, least = [0] * (n + 1), [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        most[i] = most[i + 1] + max(values[i], 0)
        least[i] = least[i + 1] + min(values[i], 0)
    low, high = target - tolerance, target + tolerance
    found, chosen = [], []

    def walk(start, total):
        if len(chosen) >= 2 and low <= total <= high:
            found.append((tuple(chosen), total))
        if len(chosen) == max_size:
            return
        for i in range(start, n):
            # What the remaining values can still add cannot reach the target.
            if total + most[i] < low or total + least[i] > high or len(found) >= cap:
                break
            chosen.append(i)
            walk(i + 1, total + values[i])
            chosen.pop()

    walk(0, 0)
    return found
