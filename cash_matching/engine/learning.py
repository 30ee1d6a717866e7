"""Learn the weights of the matching signals from reviewers' decisions.

Plain Python; scikit-learn is imported by :func:`fit` only, so this module
imports without it. A model is a plain JSON-serialisable dict
(``{"version": 1, "bias", "weights", "samples", "accepted"}``), never a
pickle: nothing a user stores can run code. ``Matcher(weights=model)`` uses
it in place of :data:`matching.DEFAULT_MODEL`, with the same logistic form.
"""

import math

from .matching import DEFAULT_MODEL, FEATURES, check_model, confidence
from .matching import features as _features

MIN_SAMPLES = 20


def features(proposal):
    """What learning reads from a :class:`matching.Proposal`: the strength
    of each signal code present, its kind one-hot (``kind_full``...) and its
    number of items (``items``); the same features the matcher scores."""
    return _features(proposal.signals, proposal.kind, len(proposal.allocations))


class TooFewDecisions(ValueError):
    """Fewer decisions than :data:`MIN_SAMPLES`."""


class OneKindOfDecision(ValueError):
    """Every decision accepted, or every decision rejected: nothing tells a
    good proposal from a bad one."""


def fit(samples, *, regularisation=1.0):
    """A model learnt from ``samples``, ``(features, accepted)`` pairs as
    :func:`features` gives them and the reviewer decided them.

    Returns ``{"version": 1, "bias", "weights", "samples", "accepted",
    "defaulted"}``; a feature no decision showed keeps its default weight
    (listed in ``defaulted``). Raises :class:`TooFewDecisions` with fewer
    than :data:`MIN_SAMPLES` decisions, :class:`OneKindOfDecision` with
    decisions of one kind only (both ValueError).
    ``regularisation`` is scikit-learn's ``C`` (smaller: weights nearer 0).
    """
    samples = list(samples)
    if len(samples) < MIN_SAMPLES:
        raise TooFewDecisions(
            f"Learning needs at least {MIN_SAMPLES} reviewed proposals; "
            f"there are {len(samples)}. Review more proposals first."
        )
    labels = [bool(accepted) for _features, accepted in samples]
    if all(labels) or not any(labels):
        raise OneKindOfDecision(
            "Learning needs both accepted and rejected proposals; all "
            f"{len(samples)} were {'accepted' if labels[0] else 'rejected'}."
        )
    from sklearn.linear_model import LogisticRegression

    seen = [
        name
        for name in FEATURES
        if any(sample.get(name) for sample, _accepted in samples)
    ]
    matrix = [
        [float(sample.get(name, 0.0)) for name in seen] for sample, _accepted in samples
    ]
    regression = LogisticRegression(C=regularisation, max_iter=2000)
    regression.fit(matrix, labels)
    weights = dict(DEFAULT_MODEL["weights"])
    for name, weight in zip(seen, regression.coef_[0], strict=True):
        weights[name] = round(float(weight), 6)
    return {
        "version": 1,
        "bias": round(float(regression.intercept_[0]), 6),
        "weights": weights,
        "samples": len(samples),
        "accepted": sum(labels),
        "defaulted": [name for name in FEATURES if name not in seen],
    }


def predict(model, sample_features):
    """The confidence ``model`` (None: the defaults) gives features."""
    model = DEFAULT_MODEL if model is None else check_model(model)
    return confidence(model, sample_features)


def evaluate(model, samples, threshold=0.95):
    """How ``model`` (None: the defaults) decides ``samples``:
    ``precision`` of what it would reconcile automatically (confidence at
    or above ``threshold``; 1.0 when it reconciles nothing), ``auto_share``
    of the samples it would reconcile, ``accuracy`` at 0.5, ``log_loss``
    and the number of ``samples``."""
    auto = correct = right = 0
    loss = 0.0
    for sample_features, accepted in samples:
        accepted = bool(accepted)
        p = min(max(predict(model, sample_features), 1e-9), 1 - 1e-9)
        loss -= math.log(p if accepted else 1 - p)
        right += (p >= 0.5) == accepted
        if p >= threshold:
            auto += 1
            correct += accepted
    n = len(samples)
    return {
        "precision": round(correct / auto, 6) if auto else 1.0,
        "auto_share": round(auto / n, 6) if n else 0.0,
        "accuracy": round(right / n, 6) if n else 0.0,
        "log_loss": round(loss / n, 6) if n else 0.0,
        "samples": n,
    }


def is_better(after, before):
    """True when the figures of :func:`evaluate` ``after`` learning beat
    those ``before``: no loss of precision on what is reconciled
    automatically, and a lower log-loss."""
    return (
        after["samples"] > 0
        and after["precision"] >= before["precision"]
        and after["log_loss"] < before["log_loss"]
    )
