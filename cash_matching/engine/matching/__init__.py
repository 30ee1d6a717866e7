"""Match incoming bank lines to the open receivable items they pay.

Plain Python, no Odoo: the models adapt journal items, partners and bank
statement lines to :class:`OpenItem`, :class:`Partner` and :class:`BankLine`,
build one :class:`Matcher` per run and ask it for :class:`Proposal` objects,
best first.

One module a concept, each with its design notes: ``types`` (what the
matcher reads and answers), ``currencies`` (minor units), ``scoring``
(signals, weights, confidence), ``names`` (name similarity), ``payers`` (who
pays), ``quoted`` (which items the communication quotes), ``amounts`` (what
the amount pays: exact, discount, write-off, partial, subset sums) and
``matcher`` (the indexes and ``match``). This module only re-exports their
public names.
"""

from .amounts import DISCOUNT_GRACE_DAYS, _subset_sums
from .currencies import decimals
from .matcher import Matcher
from .names import LEGAL_FORMS, name_similarity, name_tokens, within_one_edit
from .payers import MAX_NAME_POSTING, MIN_NAME_SIMILARITY
from .quoted import (
    FUZZY_METHODS,
    MAX_GLUED_GROUPS,
    MAX_TRUNCATED,
    MIN_SIGNIFICANT,
    MIN_TYPO_LENGTH,
    QUOTED_OTHER_FACTOR,
    zero_stripped,
)
from .scoring import (
    AMBIGUITY_GAP,
    CONFIRMING,
    DEFAULT_MODEL,
    FEATURES,
    KINDS,
    SIGNAL_CODES,
    SIGNAL_HELP,
    check_model,
    confidence,
    describe,
    features,
    logit,
)
from .types import BankLine, Money, OpenItem, Partner, Proposal, Signal

__all__ = [
    "AMBIGUITY_GAP",
    "CONFIRMING",
    "DEFAULT_MODEL",
    "DISCOUNT_GRACE_DAYS",
    "FEATURES",
    "FUZZY_METHODS",
    "KINDS",
    "LEGAL_FORMS",
    "MAX_GLUED_GROUPS",
    "MAX_NAME_POSTING",
    "MAX_TRUNCATED",
    "MIN_NAME_SIMILARITY",
    "MIN_SIGNIFICANT",
    "MIN_TYPO_LENGTH",
    "QUOTED_OTHER_FACTOR",
    "SIGNAL_CODES",
    "SIGNAL_HELP",
    "BankLine",
    "Matcher",
    "Money",
    "OpenItem",
    "Partner",
    "Proposal",
    "Signal",
    "_subset_sums",  # the subset-sum search, tested on its own
    "check_model",
    "confidence",
    "decimals",
    "describe",
    "features",
    "logit",
    "name_similarity",
    "name_tokens",
    "within_one_edit",
    "zero_stripped",
]
