"""How alike two company or person names are.

Names are compared as tokens (:func:`name_tokens`: accents, case, legal forms
and titles dropped) by a Dice similarity (:func:`name_similarity`) that
forgives a word cut by the bank's field length or one typo away
(:func:`within_one_edit`, which the reference lookups use too).
"""

import re
import unicodedata

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
