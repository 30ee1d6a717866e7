"""Match incoming bank lines to the open receivable items they pay.

Plain Python, no Odoo: the models adapt journal items, partners and bank
statement lines to :class:`OpenItem`, :class:`Partner` and :class:`BankLine`,
build one :class:`Matcher` per run and ask it for :class:`Proposal` objects,
best first.

A proposal carries the evidence it rests on as :class:`Signal` objects (codes
in :data:`SIGNAL_CODES`, English explanations in :data:`SIGNAL_HELP`) and a
confidence: the logistic combination of those signals' strengths with the
weights of :data:`DEFAULT_MODEL`, or of a model learnt from reviewers'
decisions (``learning.fit``), so that a threshold (95 % by default) decides
which lines are reconciled without review.

Indexes are built once, in ``Matcher.__init__``: reference digit runs to
references to items (exact and fuzzy lookups), IBAN to partners, name tokens
to partners, partner to items, amount to items. ``match`` then only looks up
what one line says.
"""

import math
import re
import unicodedata
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from .references import (
    compact,
    find_structured_references,
    is_valid_be,
    is_valid_qrr,
    is_valid_rf,
)


@dataclass(frozen=True)
class OpenItem:
    """One open receivable journal item of the company."""

    id: int  # account.move.line id
    partner_id: int  # commercial partner id
    move_name: str  # "INV/2026/00012", "RINV/2026/00003" (credit note)
    currency: str  # ISO code of the item's currency
    residual: float  # open amount, item currency, + invoice, - credit note
    residual_company: float  # the same in company currency, signed
    date: date  # document date
    due_date: date | None = None
    # Payment reference (the invoice number or a structured RF/BE/QRR one),
    # customer reference, sale order names.
    references: tuple[str, ...] = ()
    # Amount that settles the item when paid by discount_date (early payment
    # discount), item currency, signed like residual.
    discount_amount: float | None = None
    discount_date: date | None = None


@dataclass(frozen=True)
class Partner:
    id: int
    name: str
    ibans: tuple[str, ...] = ()


@dataclass(frozen=True)
class BankLine:
    id: int
    amount: float  # line currency, > 0 money received
    currency: str
    date: date
    payer_name: str = ""
    payer_iban: str = ""
    communication: str = ""  # free text
    structured_ref: str = ""  # structured reference field of the import
    partner_id: int | None = None  # partner set on the line by the import


@dataclass(frozen=True)
class Money:
    """An amount in a signal's parameters: kept as a number with its
    currency, so that each reader sees it in the format of their language
    (``str`` gives the English one)."""

    amount: float
    currency: str  # ISO code

    def __str__(self):
        return _fmt(self.amount, self.currency)


@dataclass(frozen=True)
class Signal:
    code: str  # one of SIGNAL_CODES
    strength: float  # 0..1
    # placeholders of SIGNAL_HELP[code]: text, or Money, date and float
    # values that the reader's language formats
    params: tuple[tuple[str, str | Money | date | float], ...] = ()


@dataclass(frozen=True)
class Proposal:
    """Items a bank line pays.

    ``allocations`` are ``(item id, amount)`` pairs, oldest item first, in
    the item's currency and signed like its residual: the amount by which
    the item is settled. For "full", "discount" and "writeoff" that is the
    whole residual (the items are closed); for "partial" the part paid.
    ``difference`` (company currency, > 0) is what is written off to close
    the items of a "discount" or "writeoff" proposal: the bank line brings
    the allocations minus the difference, or plus it when the payer paid a
    little more than the items (signal "overpaid" instead of "writeoff").
    """

    partner_id: int
    allocations: tuple[tuple[int, float], ...]
    confidence: float  # 0..1
    signals: tuple[Signal, ...]
    kind: str  # "full" | "partial" | "discount" | "writeoff"
    difference: float = 0.0

    @property
    def item_ids(self):
        return frozenset(item_id for item_id, _amount in self.allocations)


SIGNAL_CODES = (
    "iban",
    "name",
    "reference",
    "reference_fuzzy",
    "structured",
    "amount_exact",
    "amount_sum",
    "partial",
    "discount",
    "writeoff",
    "credit_note",
    "currency",
    "ambiguous",
    # Additions to the product issue's list.
    "partner",
    "payer_other",
    "overpaid",
)

SIGNAL_HELP = {
    "iban": "The payer's account {iban} is a bank account of {partner}.",
    "name": "The payer's name {payer} is close to {partner} ({similarity} % alike).",
    "partner": "The bank import already named the customer {partner}.",
    "payer_other": "The payer's account {iban} belongs to another customer.",
    "reference": "The communication quotes {reference}.",
    "reference_fuzzy": "The communication quotes {reference} approximately "
    "({how}): {found}.",
    "structured": "The structured reference {reference} has valid check digits.",
    "amount_exact": "The amount is exactly what {document} leaves open: {amount}.",
    "amount_sum": "The amount is the total of {count} open items: {amount}.",
    "partial": "The amount {amount} pays part of {document}, open for {residual}.",
    "discount": "Paid by {discount_date} with the early payment discount: "
    "{difference} is deducted.",
    "writeoff": "The difference of {difference} is within the write-off "
    "tolerance of {tolerance}.",
    "overpaid": "The line brings {difference} more than the items, within the "
    "write-off tolerance of {tolerance}.",
    "credit_note": "The open credit note {document} is deducted.",
    "currency": "The amount was converted from {from} to {to} at {rate}.",
    "ambiguous": "Another match scores close: {other}.",
}

KINDS = ("full", "partial", "discount", "writeoff")
FEATURES = SIGNAL_CODES + tuple(f"kind_{kind}" for kind in KINDS) + ("items",)

# Hand-tuned default weights of the logistic confidence
# sigmoid(bias + sum(weight * feature)), features as in ``features``. With a
# single item the starting point is bias + items = -4.0 (2 %), then:
# - a clean reference (+6.5) and the exact amount (+3.0) give 5.5: 99.6 %;
#   a structured reference with valid check digits (+7.5) more;
# - a reference with one typo (+5.0, unique) and the exact amount: 4.0, 98 %;
# - a known IBAN (+5.0) or an equal payer name (+5.5 x similarity) and the
#   exact amount: 4.0 and 4.5 (98 %, 99 %); a name 70 % alike stays below
#   95 %. Who pays is one fact: a name or the import's partner confirming a
#   known account adds a fifth of its weight (see ``CONFIRMING``);
# - several items summing exactly (+3.0, -0.2 an item) with a known IBAN or
#   name, or a reference: >= 3.2 (96 %) up to five items;
# - a partial payment (+1.0) with a clean reference: 3.5 (97 %), an early
#   payment discount (+3.0, like an exact amount) with a reference: 99.6 %;
# - a difference within the write-off tolerance (+2.0 x 0.7..1, -0.85 for the
#   kind) with a reference: >= 3.05 (95.5 %); for a combination of items or
#   an item the line does not quote it counts half, so that a known payer
#   alone (no reference) leaves it to review;
# - the amount alone: -1.0 (27 %), whatever the size of the book;
# - another proposal for other items scoring close: up to -12.0 (ambiguous),
#   enough to bring two equal proposals of a known payer quoting a reference
#   below 50 %.
DEFAULT_MODEL = {
    "version": 1,
    "bias": -3.8,
    "weights": {
        "iban": 5.0,
        "name": 5.5,
        "partner": 4.5,
        "payer_other": -1.5,
        "reference": 6.5,
        "reference_fuzzy": 5.0,
        "structured": 7.5,
        "amount_exact": 3.0,
        "amount_sum": 3.0,
        "partial": 1.0,
        "discount": 3.0,
        "writeoff": 2.0,
        "overpaid": 2.0,
        "credit_note": -0.3,
        "currency": -0.5,
        "ambiguous": -12.0,
        "kind_full": 0.0,
        "kind_partial": 0.0,
        "kind_discount": 0.0,
        "kind_writeoff": -0.85,
        "items": -0.2,
    },
    "samples": 0,
    "accepted": 0,
}
# The share of its strength a payer signal keeps when a stronger one already
# names the same customer (the import's partner and the name confirm the
# account; the name confirms the import's partner).
CONFIRMING = 0.2

# Rivals (proposals for other items; their log-sum-exp score, so that many
# weak ones weigh like one stronger) within this many logit units of a
# proposal make it ambiguous: the signal's strength is the square of the
# closeness (1 at equal scores, 0.25 halfway, 0 at the gap).
AMBIGUITY_GAP = 3.0
# Days after the discount date a payment still earns the discount (the
# transfer was ordered in time, the bank took a few days).
DISCOUNT_GRACE_DAYS = 3
MIN_NAME_SIMILARITY = 0.6
# Name words more customers than this share only help to find a name when
# they are its rarest word.
MAX_NAME_POSTING = 2000

# Currencies whose minor unit is not the cent (ISO 4217).
_DECIMALS = {
    "BHD": 3,
    "CLP": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
}


def decimals(currency):
    return _DECIMALS.get(currency, 2)


def _units(amount, currency):
    return round(amount * 10 ** decimals(currency))


def _money(units, currency):
    return round(units / 10 ** decimals(currency), decimals(currency))


def _fmt(amount, currency):
    return f"{amount:,.{decimals(currency)}f} {currency}"


def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def features(signals, kind, n_items):
    """Features of a proposal for the logistic confidence: the strength of
    each signal code present, a one-hot ``kind_*`` and the item count."""
    out = {}
    for signal in signals:
        out[signal.code] = max(out.get(signal.code, 0.0), float(signal.strength))
    out[f"kind_{kind}"] = 1.0
    out["items"] = float(n_items)
    return out


def logit(model, feats):
    weights = model["weights"]
    return model["bias"] + sum(weights.get(k, 0.0) * v for k, v in feats.items())


def confidence(model, feats):
    """The confidence (0..1) ``model`` gives a proposal with ``feats``."""
    return _sigmoid(logit(model, feats))


def describe(signal):
    """The English sentence explaining ``signal``."""
    return SIGNAL_HELP[signal.code].format_map(defaultdict(str, signal.params))


def check_model(model):
    """``model`` if it has the shape ``learning.fit`` returns, else
    ValueError."""
    if not isinstance(model, dict) or model.get("version") != 1:
        raise ValueError("a matching model is a dict with version 1")
    if not isinstance(model.get("weights"), dict) or "bias" not in model:
        raise ValueError("a matching model needs a bias and weights")
    return model


# Names ---------------------------------------------------------------------

LEGAL_FORMS = frozenset(
    "ab ag as aps bv bvba co corp corporation cie company cv eurl gbr gmbh "
    "inc incorporated kft kg llc llp lp ltd limited nv ohg oy plc pte pty "
    "sa sarl sas sasu sc sci scrl scs sl slu snc spa sprl srl sro ug".split()
)
# Titles and short words banks and payers add or drop.
_NAME_NOISE = frozenset(
    "m mr mrs ms mme mlle dr herr frau and the et und de du des la le les "
    "van der den von of".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def name_tokens(name):
    """The words of a company or person name that tell it apart: accents,
    case, punctuation, legal forms (SA, SARL, GmbH, Ltd...), titles and
    initials dropped."""
    text = unicodedata.normalize("NFKD", (name or "").replace("ß", "ss"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    # Single letters are initials or dotted legal forms (S.A.R.L.): dropped.
    return tuple(
        word
        for word in _WORD.findall(text.lower())
        if len(word) > 1 and word not in LEGAL_FORMS and word not in _NAME_NOISE
    )


def _token_similarity(a, b):
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)):
        return 0.9  # cut by the bank's field length
    if min(len(a), len(b)) >= 4 and within_one_edit(a, b):
        return 0.85
    return 0.0


def name_similarity(a, b):
    """Dice similarity (0..1) of two token tuples, a token matching another
    that is equal, cut short or one typo away, whatever the order."""
    if not a or not b:
        return 0.0
    unused = list(b)
    total = 0.0
    for token in a:
        best, best_at = 0.0, -1
        for at, other in enumerate(unused):
            value = _token_similarity(token, other)
            if value > best:
                best, best_at = value, at
                if value == 1.0:
                    break
        if best_at >= 0:
            total += best
            del unused[best_at]
    return 2.0 * total / (len(a) + len(b))


def within_one_edit(a, b):
    """True when ``a`` and ``b`` differ by at most one substitution,
    insertion, deletion or transposition of adjacent characters."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i, n = 0, min(la, lb)
    while i < n and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return (
            i + 1 < la
            and a[i] == b[i + 1]
            and a[i + 1] == b[i]
            and a[i + 2 :] == b[i + 2 :]
        )
    if la > lb:
        return a[i + 1 :] == b[i:]
    return a[i:] == b[i + 1 :]


# References ------------------------------------------------------------------

_PART = re.compile(r"[0-9]+|[A-Za-z]+")
_DIGIT_RUN = re.compile(r"[0-9]+")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
# O for 0, I or l for 1 next to digits: what a payer copying a number types.
_LOOKALIKES = re.compile(r"(?<=[0-9])[OoIl]+|[OoIl]+(?=[0-9])")
_LOOKALIKE_MAP = str.maketrans("OoIl", "0011")
MAX_GLUED_GROUPS = 6  # digit groups a payer splits one number into (QRR: 6)
MIN_SIGNIFICANT = 8  # characters a truncated reference keeps
MIN_TYPO_LENGTH = 7  # shorter references (S00042) are not read through typos
MAX_TRUNCATED = 20  # references a truncated one may stand for
# A reference quoted approximately while the text quotes another open item
# exactly (the typo turned one number into another) counts this much.
QUOTED_OTHER_FACTOR = 0.85
# Fuzzy lookups, best first, and the strength each gives a unique match.
FUZZY_METHODS = {
    "missing leading zeros": 1.0,
    "one typo": 1.0,
    "number without its prefix": 0.8,
    "truncated": 0.9,
}


def _anchor(key):
    """The longest digit run of a compact reference and its offset."""
    best = None
    for match in _DIGIT_RUN.finditer(key):
        if best is None or len(match.group()) > len(best[0]):
            best = (match.group(), match.start())
    return best


def _indexable(key, anchor):
    if anchor is None or len(key) < 4 or len(anchor[0]) < 3:
        return False
    return len(key) >= 6 or anchor[0] != key  # bare numbers: 6 digits or more


def zero_stripped(text):
    """``text`` compacted without the leading zeros of its numbers
    ("INV/2026/00012" -> "INV202612")."""
    return compact(_LEADING_ZEROS.sub("", text or ""))


def _scan(text):
    """The compact text and its candidate numbers: each run of digit groups
    separated only by separators ("2026/00012" -> "202600012"), as
    ``(start, digits, end, zero-stripped digits)`` with positions in the
    compact text."""
    parts, chains, chain, pos = [], [], None, 0
    for match in _PART.finditer(text or ""):
        part = match.group().upper()
        parts.append(part)
        if part[0].isdigit():
            if chain is None:
                chain = []
                chains.append(chain)
            chain.append((pos, part))
        else:
            chain = None
        pos += len(part)
    runs = []
    for chain in chains:
        for i, (start, _digits) in enumerate(chain):
            glued, stripped = "", ""
            for at, group in chain[i : i + MAX_GLUED_GROUPS]:
                glued += group
                stripped += group.lstrip("0") or "0"
                runs.append((start, glued, at + len(group), stripped))
    return "".join(parts), runs


def _digit_edits(digits):
    """Every string of digits one edit away from ``digits``."""
    out = set()
    for i in range(len(digits) + 1):
        head, tail = digits[:i], digits[i:]
        for char in "0123456789":
            out.add(head + char + tail)
            if tail:
                out.add(head + char + tail[1:])
        if tail:
            out.add(head + tail[1:])
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])
    out.discard(digits)
    return out


def _affix_typo(text, start, end, prefix, suffix):
    """True when the letters around a number at ``start:end`` of ``text``
    are ``prefix`` and ``suffix`` with one edit between them."""
    before_ok = text[max(0, start - len(prefix)) : start] == prefix
    after_ok = text[end : end + len(suffix)] == suffix
    if before_ok and not after_ok:
        return any(
            within_one_edit(text[end : end + length], suffix)
            for length in (len(suffix) - 1, len(suffix) + 1, len(suffix))
            if length >= 0
        )
    if after_ok and not before_ok:
        return any(
            within_one_edit(text[max(0, start - length) : start], prefix)
            for length in (len(prefix) - 1, len(prefix) + 1, len(prefix))
            if 0 <= length <= start
        )
    return False


def _structured_scheme(key):
    if key.startswith("RF") and is_valid_rf(key):
        return "rf"
    if len(key) == 12 and key.isdigit() and is_valid_be(key):
        return "be"
    if len(key) == 27 and key.isdigit() and is_valid_qrr(key):
        return "qrr"
    return None


@dataclass
class _Candidate:
    partner_id: int
    items: tuple  # OpenItem, oldest first
    kind: str
    amounts: tuple  # allocation amounts, item currency units, like items
    signals: list
    difference: float = 0.0


class Matcher:
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

    def _index_references(self, items):
        self._key_items = defaultdict(list)  # compact reference -> item ids
        self._key_text = {}  # compact reference -> as written on the item
        self._runs = defaultdict(list)  # digit run -> [(key, offset)]
        self._zero_runs = defaultdict(list)  # zero-stripped run -> [(key, offset)]
        self._key_offset = {}  # key -> offset of its digit run
        self._schemes = {}
        for item in items:
            seen = set()
            for text in (item.move_name, *item.references):
                key = compact(text)
                if key in seen or not key:
                    continue
                seen.add(key)
                items_of_key = self._key_items[key]
                items_of_key.append(item.id)
                if len(items_of_key) > 1:
                    continue
                self._key_text[key] = text
                anchor = _anchor(key)
                if not _indexable(key, anchor):
                    continue
                run, offset = anchor
                self._runs[run].append((key, offset))
                self._key_offset[key] = offset
                stripped = zero_stripped(text)
                if stripped != key:
                    stripped_anchor = _anchor(stripped)
                    if (
                        stripped_anchor
                        and stripped[: stripped_anchor[1]] == key[:offset]
                    ):
                        self._zero_runs[stripped_anchor[0]].append((key, offset))
        self._run_list = sorted(self._runs)

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

    # Which items the communication quotes.

    def _reference_hits(self, context):
        """Items quoted by the line: ``{item id: (code, strength, params)}``."""
        line = context.line
        texts = [t for t in (line.communication, line.structured_ref) if t]
        scans = [_scan(text) for text in texts]
        exact = {}  # key -> code
        for (text_compact, runs), text in zip(scans, texts, strict=True):
            for start, digits, _end, _stripped in runs:
                for key, offset in self._runs.get(digits, ()):
                    if start >= offset and text_compact.startswith(key, start - offset):
                        exact[key] = "reference"
            for _scheme, reference in find_structured_references(text):
                if compact(reference) in self._key_items:
                    exact[compact(reference)] = "structured"
        hits = {}
        for key, code in exact.items():
            if code == "reference" and self._scheme(key):
                code = "structured"
            params = (("reference", self._key_text[key]),)
            self._add_hit(hits, key, code, 1.0, params)
        if context.fits_any(self._live(hits)):
            return hits
        # Nothing quoted exactly fits the amount: look for references quoted
        # approximately. When the text quotes other items exactly, only those
        # the amount settles count, and less (the typo made another number).
        factor = QUOTED_OTHER_FACTOR if hits else 1.0

        def fits(key):
            return any(context.fits(item) for item in self._key_live(key))

        fuzzy = self._fuzzy_hits(scans, texts, set(exact), fits, fit_only=bool(hits))
        for key, (method, strength, found) in fuzzy.items():
            params = (
                ("reference", self._key_text[key]),
                ("how", method),
                ("found", found),
            )
            self._add_hit(hits, key, "reference_fuzzy", strength * factor, params)
        return hits

    def _key_live(self, key):
        return self._live(self._key_items.get(key, ()))

    def _add_hit(self, hits, key, code, strength, params):
        items = self._key_live(key)
        if not items:
            return
        # A reference several customers use tells less about each.
        strength /= len({item.partner_id for item in items})
        rank = ("reference_fuzzy", "reference", "structured").index(code)
        for item in items:
            old = hits.get(item.id)
            if old is None or (rank, strength) > (
                ("reference_fuzzy", "reference", "structured").index(old[0]),
                old[1],
            ):
                hits[item.id] = (code, strength, params)

    def _scheme(self, key):
        if key not in self._schemes:
            self._schemes[key] = _structured_scheme(key)
        return self._schemes[key]

    def _fuzzy_hits(self, scans, texts, exact_keys, fits, fit_only):
        """References quoted approximately: ``{key: (method, strength,
        found)}``. Each number of the text stands for the references the
        amount settles among those any method finds (when ``fit_only``, only
        those), else for those of the first method finding any; they share
        the method's strength."""
        found = {}
        for (text_compact, runs), text in zip(scans, texts, strict=True):
            occurrences = [
                (text_compact, start, end, self._fuzzy_candidates(text_compact, run))
                for run in runs
                if len(run[1]) >= 3
                for start, end in [(run[0], run[2])]
            ]
            lookalike = _LOOKALIKES.sub(
                lambda m: m.group().translate(_LOOKALIKE_MAP), text
            )
            if lookalike != text:
                alt_compact, alt_runs = _scan(lookalike)
                for start, digits, end, _stripped in alt_runs:
                    keys = [
                        (key, "one typo")
                        for key, offset in self._runs.get(digits, ())
                        if start >= offset
                        and alt_compact.startswith(key, start - offset)
                    ]
                    occurrences.append((alt_compact, start, end, keys))
            for source, start, end, candidates in occurrences:
                candidates = [(k, m) for k, m in candidates if k not in exact_keys]
                fitting = [(k, m) for k, m in candidates if fits(k)]
                if fitting:
                    chosen = fitting
                elif fit_only or not candidates:
                    continue
                else:
                    chosen = [(k, m) for k, m in candidates if m == candidates[0][1]]
                truncated = sum(1 for _k, m in candidates if m == "truncated")
                for key, method in chosen:
                    strength = FUZZY_METHODS[method] / len(chosen)
                    if method == "truncated":
                        # a cut reference counts when unique, whatever the amount
                        strength = FUZZY_METHODS[method] / truncated
                    written = source[max(0, start - self._key_offset[key]) : end]
                    if key not in found or found[key][1] < strength:
                        found[key] = (method, strength, written)
        return found

    def _fuzzy_candidates(self, text, run):
        """``[(key, method)]`` for a number of the text, each key with the
        first method finding it, methods in the order of FUZZY_METHODS."""
        start, digits, end, stripped = run
        seen = {}
        for method in FUZZY_METHODS:
            for key in self._fuzzy_lookup(method, text, start, digits, end, stripped):
                seen.setdefault(key, method)
        return list(seen.items())

    def _fuzzy_lookup(self, method, text, start, digits, end, stripped):
        """Keys ``method`` finds for the number ``digits`` at ``start:end`` of
        the compact ``text``."""
        if method == "missing leading zeros":
            return {
                key
                for key, offset in self._zero_runs.get(stripped, ())
                if start >= offset and text.startswith(key[:offset], start - offset)
            }
        if method == "one typo":
            return self._typos(text, start, digits, end)
        if method == "number without its prefix":
            if len(digits) < 6:
                return set()
            return {key for key, _offset in self._runs.get(digits, ())}
        return self._truncated(text, start, digits)

    def _typos(self, text, start, digits, end):
        # The number right, a typo in the letters around it.
        keys = {
            key
            for key, offset in self._runs.get(digits, ())
            if len(key) >= MIN_TYPO_LENGTH
            and _affix_typo(text, start, end, key[:offset], key[offset + len(digits) :])
        }
        if len(digits) < 4:
            return keys
        # The letters right, a typo in the number.
        for variant in _digit_edits(digits):
            for key, offset in self._runs.get(variant, ()):
                if (
                    len(key) >= MIN_TYPO_LENGTH
                    and start >= offset
                    and text.startswith(key[:offset], start - offset)
                    and text.startswith(key[offset + len(variant) :], end)
                ):
                    keys.add(key)
        return keys

    def _truncated(self, text, start, digits):
        if len(digits) < 4:
            return set()
        low = bisect_left(self._run_list, digits)
        high = bisect_left(self._run_list, digits + ":")  # ":" follows "9"
        if high - low > MAX_TRUNCATED + 1:
            return set()
        longer = [run for run in self._run_list[low:high] if run != digits]
        if not 0 < len(longer) <= MAX_TRUNCATED:
            return set()
        return {
            key
            for run in longer
            for key, offset in self._runs[run]
            if start >= offset
            and offset + len(digits) >= MIN_SIGNIFICANT
            and text.startswith(key[:offset], start - offset)
        }

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
