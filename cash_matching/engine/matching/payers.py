"""Who pays: the customers a bank line's payer may be.

The payer's IBAN (a bank account of the customer), the payer's name (close to
the customer's, see :mod:`.names`) and the partner the bank import set give
``iban``, ``name`` and ``partner`` signals; with the items the line quotes,
they choose the customers whose items are tried. :class:`PayersMixin` holds
the index (IBAN to partners, name tokens to partners) built in
``Matcher.__init__`` and the lookups ``Matcher.match`` makes.
"""

from collections import Counter, defaultdict

from ..references import compact
from .names import name_similarity, name_tokens
from .scoring import CONFIRMING
from .types import Signal

MIN_NAME_SIMILARITY = 0.6
# Name words more customers than this share only help to find a name when
# they are its rarest word.
MAX_NAME_POSTING = 2000


class PayersMixin:
    """The partner index of :class:`~.matcher.Matcher` and its lookups."""

    def _index_partners(self, partners):
        self._partners = {}
        self._iban = defaultdict(set)
        self._tokens = {}
        self._by_token = defaultdict(list)
        for partner in partners:
            self._partners[partner.id] = partner
            for iban in partner.ibans:
                if compact(iban):
                    self._iban[compact(iban)].add(partner.id)
            tokens = name_tokens(partner.name)
            self._tokens[partner.id] = tokens
            for token in set(tokens):
                self._by_token[token].append(partner.id)

    # Who pays.

    def _partner_evidence(self, line):
        """``{partner id: [Signal]}`` from the payer's IBAN and name and the
        partner the import set, and the partners owning the payer's IBAN."""
        evidence = defaultdict(list)
        iban = compact(line.payer_iban)
        iban_partners = self._iban.get(iban, set()) if iban else set()
        for partner_id in iban_partners:
            params = (("iban", iban), ("partner", self._partners[partner_id].name))
            strength = 1.0 / len(iban_partners)
            evidence[partner_id].append(Signal("iban", strength, params))
        if line.partner_id in self._partners:
            params = (("partner", self._partners[line.partner_id].name),)
            strength = CONFIRMING if line.partner_id in iban_partners else 1.0
            evidence[line.partner_id].append(Signal("partner", strength, params))
        for partner_id, similarity, alike in self._similar_names(line.payer_name):
            params = (
                ("payer", line.payer_name),
                ("partner", self._partners[partner_id].name),
                ("similarity", str(round(similarity * 100))),
            )
            # A name several customers share names none of them.
            strength = similarity / alike
            if partner_id in evidence:
                strength *= CONFIRMING
            evidence[partner_id].append(Signal("name", round(strength, 4), params))
        return evidence, iban_partners

    def _similar_names(self, payer_name, limit=5, compared=60):
        """Partners whose name is close to ``payer_name``, as ``(partner id,
        similarity, partners as close)``, best first. Only the partners
        sharing the most of the payer's words (very common words aside) are
        compared."""
        tokens = name_tokens(payer_name)
        postings = [self._by_token.get(token) for token in set(tokens)]
        postings = sorted((p for p in postings if p), key=len)
        if not postings:
            return []
        shared = Counter()
        for posting in postings:
            if len(posting) <= MAX_NAME_POSTING or posting is postings[0]:
                shared.update(posting)
        ranked = sorted(shared.items(), key=lambda pair: (-pair[1], pair[0]))
        floor = max(1, ranked[0][1] - 1)
        scored = []
        for partner_id, count in ranked[:compared]:
            if count < floor:
                break
            similarity = name_similarity(tokens, self._tokens[partner_id])
            if similarity >= MIN_NAME_SIMILARITY:
                scored.append((similarity, partner_id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return [
            (
                partner_id,
                similarity,
                sum(1 for s, _p in scored if s >= similarity - 0.02),
            )
            for similarity, partner_id in scored[:limit]
        ]

    def _candidate_partners(self, evidence, hits, limit=12):
        weights = self.model["weights"]
        scored = defaultdict(float)
        for partner_id, signals in evidence.items():
            scored[partner_id] += sum(
                max(weights.get(s.code, 0.0), 0.1) * s.strength for s in signals
            )
        for item_id, (code, strength, _params) in hits.items():
            item = self._items.get(item_id)
            if item is not None:
                scored[item.partner_id] += max(weights.get(code, 0.0), 0.1) * strength
        ranked = sorted(scored, key=lambda p: (-scored[p], p))
        return ranked[:limit]
