"""Which open items a bank line's communication quotes.

The references of the items (their number, payment and customer references)
are indexed once, in ``Matcher.__init__``, by their longest digit run: digit
runs to references to items. A line's communication and structured reference
are then read for those numbers exactly (signals ``reference`` and
``structured``, the latter when the check digits of an RF, BE or QRR
reference hold) and, when nothing quoted exactly fits the amount,
approximately (``reference_fuzzy``, by the methods of
:data:`FUZZY_METHODS`). Structured references themselves are parsed and
checked by the sibling module ``engine/references.py``.
"""

import re
from bisect import bisect_left
from collections import defaultdict

from ..references import (
    compact,
    find_structured_references,
    is_valid_be,
    is_valid_qrr,
    is_valid_rf,
)
from .names import within_one_edit

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


class QuotedMixin:
    """The reference index of :class:`~.matcher.Matcher` and its lookups."""

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
