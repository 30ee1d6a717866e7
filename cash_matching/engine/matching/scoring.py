"""The signals and how sure they make a proposal.

A proposal carries the evidence it rests on as :class:`~.types.Signal`
objects (codes in :data:`SIGNAL_CODES`, English explanations in
:data:`SIGNAL_HELP`) and a confidence: the logistic combination of those
signals' strengths with the weights of :data:`DEFAULT_MODEL`, or of a model
learnt from reviewers' decisions (``learning.fit``), so that a threshold
(95 % by default) decides which lines are reconciled without review.
"""

import math
from collections import defaultdict

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
