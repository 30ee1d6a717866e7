"""The matcher: one company's book, asked for proposals line by line.

Indexes are built once, in ``Matcher.__init__``: reference digit runs to
references to items (exact and fuzzy lookups), IBAN to partners, name tokens
to partners, partner to items, amount to items. ``match`` then only looks up
what one line says: the items its communication quotes (:mod:`.quoted`), who
pays (:mod:`.payers`), what its amount settles (:mod:`.amounts`), and ranks
the candidates by confidence (:mod:`.scoring`) into
:class:`~.types.Proposal` objects, best first.
"""

import math
from bisect import insort
from collections import defaultdict
from datetime import timedelta

from ..references import compact
from .amounts import DISCOUNT_GRACE_DAYS, AmountsMixin, _Line
from .currencies import _money, _units
from .payers import PayersMixin
from .quoted import QuotedMixin
from .scoring import (
    AMBIGUITY_GAP,
    DEFAULT_MODEL,
    _sigmoid,
    check_model,
    features,
    logit,
)
from .types import Proposal, Signal


class Matcher(QuotedMixin, PayersMixin, AmountsMixin):
    """Proposals of open items for bank lines, over one company's book."""

    def __init__(
        self,
        items,
        partners,
        *,
        company_currency,
        rate=None,
        writeoff_abs=5.0,
        writeoff_rel=0.01,
        max_subset_items=12,
        max_subset_size=5,
        weights=None,
        discount_grace_days=DISCOUNT_GRACE_DAYS,
    ):
        """Index ``items`` (:class:`OpenItem`) and ``partners``
        (:class:`Partner`). ``rate(from_currency, to_currency, day)`` gives
        the multiplier converting an amount (None: lines match items of their
        own currency only). A difference is written off when it is at most
        ``min(writeoff_abs, writeoff_rel * amount)`` in company currency.
        ``weights``: None for :data:`DEFAULT_MODEL`, or what ``learning.fit``
        returns."""
        self.company_currency = company_currency
        self.rate = rate
        self.writeoff_abs = writeoff_abs
        self.writeoff_rel = writeoff_rel
        self.max_subset_items = max_subset_items
        self.max_subset_size = max_subset_size
        self.model = check_model(weights) if weights is not None else DEFAULT_MODEL
        self.discount_grace = timedelta(days=discount_grace_days)
        self._items = {}
        self._by_partner = defaultdict(list)
        self._by_amount = defaultdict(list)
        self._by_discount = defaultdict(list)
        self._units_of = {}  # item id -> residual in minor units
        self._currencies_of = defaultdict(set)  # partner id -> currencies
        self._sorted_amounts = {}  # currency -> ([units], [item id]), lazily
        self._shelves = {}  # (partner id, currency) -> _Shelf, lazily
        self._removed = {}  # item id -> item taken out by remove()
        for item in items:
            self._items[item.id] = item
            self._by_partner[item.partner_id].append(item.id)
            self._currencies_of[item.partner_id].add(item.currency)
            units = self._units_of[item.id] = _units(item.residual, item.currency)
            if units > 0:
                self._by_amount[item.currency, units].append(item.id)
                if item.discount_amount and item.discount_date:
                    key = (item.currency, _units(item.discount_amount, item.currency))
                    self._by_discount[key].append(item.id)
        for ids in self._by_partner.values():
            ids.sort(key=lambda item_id: (self._items[item_id].date, item_id))
        self._currencies = sorted({currency for currency, _units in self._by_amount})
        self._index_references(items)
        self._index_partners(partners)

    # Book upkeep --------------------------------------------------------------

    def remove(self, item_ids):
        """Forget items reconciled meanwhile, so that a run over many lines
        does not propose them twice."""
        for item_id in item_ids:
            item = self._items.pop(item_id, None)
            if item is None:
                continue
            self._removed[item_id] = item
            partner_items = self._by_partner.get(item.partner_id)
            if partner_items and item_id in partner_items:
                partner_items.remove(item_id)

    def restore(self, residuals):
        """Put back items taken out by :meth:`remove` whose reconciliation
        failed. ``residuals`` gives ``{item id: residual}`` as the items stand
        now; an item whose residual changed meanwhile stays out."""
        for item_id, residual in residuals.items():
            item = self._removed.get(item_id)
            if (
                item is None
                or _units(residual, item.currency) != self._units_of[item_id]
            ):
                continue
            del self._removed[item_id]
            self._items[item_id] = item
            insort(
                self._by_partner[item.partner_id],
                item_id,
                key=lambda i: (self._items[i].date, i),
            )
            # a shelf built while the item was out does not list it
            self._shelves.pop((item.partner_id, item.currency), None)

    def _live(self, item_ids):
        items = self._items
        return [items[i] for i in item_ids if i in items]

    # Matching -------------------------------------------------------------

    def match(self, line, limit=3):
        """At most ``limit`` proposals for ``line`` (:class:`BankLine`), best
        first, never two for the same set of items."""
        if line.amount <= 0:
            return []
        context = _Line(self, line)
        hits = self._reference_hits(context)
        evidence, iban_partners = self._partner_evidence(line)
        partners = self._candidate_partners(evidence, hits)
        candidates = []
        for partner_id in partners:
            candidates.extend(self._partner_candidates(context, partner_id, hits))
        candidates.extend(self._amount_only(context, set(partners)))
        return self._rank(context, candidates, hits, evidence, iban_partners, limit)

    # How sure.

    def _rank(self, context, candidates, hits, evidence, iban_partners, limit):
        best = {}
        for candidate in candidates:
            signals = list(evidence.get(candidate.partner_id, ()))
            if iban_partners and candidate.partner_id not in iban_partners:
                iban = compact(context.line.payer_iban)
                signals.append(Signal("payer_other", 1.0, (("iban", iban),)))
            signals.extend(self._reference_signals(candidate, hits))
            signals.extend(candidate.signals)
            feats = features(signals, candidate.kind, len(candidate.items))
            z = logit(self.model, feats)
            ids = frozenset(item.id for item in candidate.items)
            if ids not in best or best[ids][0] < z:
                best[ids] = (z, candidate, signals)
        ranked = sorted(
            best.values(), key=lambda entry: (-entry[0], len(entry[1].items))
        )
        # The rivals of a proposal weigh together: their log-sum-exp score.
        top = ranked[0][0] if ranked else 0.0
        mass = sum(math.exp(z - top) for z, _c, _s in ranked)
        proposals = []
        for z, candidate, signals in ranked:
            others = mass - math.exp(z - top)
            if others > 1e-12 and z - (top + math.log(others)) < AMBIGUITY_GAP:
                gap = z - (top + math.log(others))
                closeness = min(1.0, (AMBIGUITY_GAP - gap) / AMBIGUITY_GAP)
                strength = closeness * closeness
                rival = next(entry for entry in ranked if entry[1] is not candidate)
                other = ", ".join(item.move_name for item in rival[1].items)
                signals = [
                    *signals,
                    Signal("ambiguous", round(strength, 4), (("other", other),)),
                ]
                z = logit(
                    self.model, features(signals, candidate.kind, len(candidate.items))
                )
            proposal = self._proposal(candidate, signals, _sigmoid(z))
            # equally sure: fewer items, then the oldest, first
            age = tuple((item.date, item.id) for item in candidate.items)
            proposals.append(((-proposal.confidence, len(age), age), proposal))
        proposals.sort(key=lambda pair: pair[0])
        return [proposal for _key, proposal in proposals[:limit]]

    def _proposal(self, candidate, signals, conf):
        allocations = tuple(
            (item.id, _money(units, item.currency))
            for item, units in zip(candidate.items, candidate.amounts, strict=True)
        )
        return Proposal(
            partner_id=candidate.partner_id,
            allocations=allocations,
            confidence=round(conf, 6),
            signals=tuple(signals),
            kind=candidate.kind,
            difference=candidate.difference,
        )

    def _reference_signals(self, candidate, hits):
        """Reference signals of a proposal: the share of its items the line
        quotes, lowered by the items of the same partner it quotes besides."""
        chosen = {item.id for item in candidate.items}
        # the other instalments of a chosen invoice share its number: quoting
        # it quotes the invoice, and leaves none of them out
        documents = {item.move_name for item in candidate.items}
        quoted_elsewhere = 0
        if any(
            hits.get(i, ("reference_fuzzy",))[0] != "reference_fuzzy" for i in chosen
        ):
            # Items quoted exactly and left out count against; not against a
            # proposal resting on approximate quotes only: for it, the exact
            # quote is the typo.
            quoted_elsewhere = sum(
                1
                for item_id, (code, _strength, _params) in hits.items()
                if item_id not in chosen
                and code != "reference_fuzzy"
                and self._items.get(item_id) is not None
                and self._items[item_id].partner_id == candidate.partner_id
                and self._items[item_id].move_name not in documents
            )
        denominator = len(chosen) + quoted_elsewhere
        by_code = {}
        for item in candidate.items:
            if item.id in hits:
                code, strength, params = hits[item.id]
                total, first = by_code.get(code, (0.0, params))
                by_code[code] = (total + strength, first)
        return [
            Signal(code, round(total / denominator, 4), params)
            for code, (total, params) in by_code.items()
        ]
