"""The learnt payment-date model.

:func:`fit` learns a :class:`Model`: gradient-boosted trees exported to
plain JSON (no pickle: nothing a user stores can run code) and evaluated
with numpy, with a SHA-256 checksum verified on load. scikit-learn is
imported by :func:`fit` only: a stored model is loaded and used without it.
"""

import hashlib
import json
import math

import numpy as np

from .baselines import _Predictor
from .history import FEATURES, _ordinals

MIN_TRAIN = 50  # paid invoices fit() needs at the very least
BAND = (0.1, 0.9)  # quantiles of the forecast's low and high scenarios
_Z_LEVELS = tuple(i / 200 for i in range(201))  # quantiles of the residuals kept
MODEL_VERSION = 2
FIT_THREADS = 1  # OpenMP threads of scikit-learn while learning


def _canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _checksum(payload):
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


class _Ensemble:
    """Boosted trees from their JSON form, evaluated with numpy: all trees
    of a row at once, leaves pointing to themselves."""

    def __init__(self, data, n_features):
        self.base = float(data["base"])
        feature, threshold, left, right, value, roots = [], [], [], [], [], []
        for tree in data["trees"]:
            size = len(tree["feature"])
            if not size or any(
                len(tree[key]) != size
                for key in ("threshold", "left", "right", "value")
            ):
                raise ValueError("The model holds a malformed tree.")
            offset = len(feature)
            roots.append(offset)
            for i in range(size):
                f = int(tree["feature"][i])
                if f >= n_features or not (
                    f < 0
                    or (0 <= tree["left"][i] < size and 0 <= tree["right"][i] < size)
                ):
                    raise ValueError("The model holds a malformed tree.")
                leaf = f < 0
                feature.append(0 if leaf else f)
                threshold.append(math.inf if leaf else float(tree["threshold"][i]))
                left.append(offset + (i if leaf else int(tree["left"][i])))
                right.append(offset + (i if leaf else int(tree["right"][i])))
                value.append(float(tree["value"][i]))
        self.depth = int(data["depth"])
        if not 0 <= self.depth <= 64:
            raise ValueError("The model holds a malformed tree.")
        self.feature = np.array(feature, np.int64)
        self.threshold = np.array(threshold)
        self.left = np.array(left, np.int64)
        self.right = np.array(right, np.int64)
        self.value = np.array(value)
        self.roots = np.array(roots, np.int64)

    def raw(self, X, chunk=2048):
        out = np.full(len(X), self.base)
        if not len(self.roots):
            return out
        for first in range(0, len(X), chunk):
            rows = X[first : first + chunk]
            index = np.arange(len(rows))[:, None]
            node = np.broadcast_to(self.roots, (len(rows), len(self.roots)))
            for _ in range(self.depth):
                go_left = rows[index, self.feature[node]] <= self.threshold[node]
                node = np.where(go_left, self.left[node], self.right[node])
            out[first : first + chunk] += self.value[node].sum(axis=1)
        return out


def _export(estimator, X, predict):
    """A fitted scikit-learn histogram gradient boosting model as JSON-able
    trees (numeric features only; missing values never occur here).

    The exported trees must give scikit-learn's own answers on the first
    rows of ``X``: this guards against a change of the fitted attributes
    read here, which are not public."""
    trees, depth = [], 0
    for iteration in estimator._predictors:
        nodes = iteration[0].nodes
        leaf = nodes["is_leaf"].astype(bool)
        threshold = np.where(leaf, 0.0, nodes["num_threshold"])
        threshold = np.clip(threshold, -1e300, 1e300)  # JSON has no infinity
        trees.append(
            {
                "feature": np.where(leaf, -1, nodes["feature_idx"]).tolist(),
                "threshold": threshold.tolist(),
                "left": nodes["left"].astype(np.int64).tolist(),
                "right": nodes["right"].astype(np.int64).tolist(),
                "value": np.where(leaf, nodes["value"], 0.0).tolist(),
            }
        )
        depth = max(depth, int(nodes["depth"].max()))
    base = float(np.asarray(estimator._baseline_prediction).ravel()[0])
    exported = {"base": base, "depth": depth, "trees": trees}
    sample = X[:1000]
    mine = _Ensemble(exported, X.shape[1]).raw(sample)
    if not np.allclose(mine, predict(sample), rtol=1e-7, atol=1e-7):
        raise RuntimeError(
            "The exported trees differ from scikit-learn's predictions: this "
            "version of scikit-learn is not supported."
        )
    return exported


class Model(_Predictor):
    """A learnt payment-date model: plain JSON numbers, evaluated with
    numpy. ``to_json()`` and ``from_json()`` store and load it."""

    def __init__(self, payload):
        if payload.get("version") != MODEL_VERSION:
            raise ValueError(
                f"This model has version {payload.get('version')!r}; "
                f"version {MODEL_VERSION} is expected. Train the model again."
            )
        if list(payload.get("features", ())) != list(FEATURES):
            raise ValueError(
                "This model was learnt on other features. Train the model again."
            )
        self.payload = payload
        self.company_currency = payload["company_currency"]
        self.train_count = payload["train_count"]
        self.offset = FEATURES.index(payload["offset_feature"])
        self.regressor = _Ensemble(payload["regressor"], len(FEATURES))
        self.classifier = _Ensemble(payload["classifier"], len(FEATURES))
        self.scale = _Ensemble(payload["scale"], len(FEATURES))
        self.z_levels = np.array(payload["z_levels"], float)
        z = np.array(payload["z_quantiles"], float)
        if len(z) != len(self.z_levels) or len(z) < 2:
            raise ValueError("The model's residual quantiles are malformed.")
        # strictly increasing, as interpolation wants it
        self.z_quantiles = np.maximum.accumulate(z) + np.arange(len(z)) * 1e-9
        self.band = (self._z_at(BAND[0]), self._z_at(BAND[1]))

    def to_json(self):
        """The model as canonical JSON text, with the SHA-256 checksum of
        its content in ``checksum``."""
        return _canonical({**self.payload, "checksum": _checksum(self.payload)})

    @classmethod
    def from_json(cls, text):
        """The model stored by :meth:`to_json`; ValueError when the text is
        not a model or its checksum does not match its content."""
        try:
            payload = json.loads(text)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"This is not a stored prediction model: {error}"
            ) from None
        if not isinstance(payload, dict):
            raise ValueError("This is not a stored prediction model.")
        checksum = payload.pop("checksum", None)
        if checksum != _checksum(payload):
            raise ValueError(
                "checksum mismatch: the stored model was altered; train it again."
            )
        try:
            return cls(payload)
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(
                f"This stored prediction model is incomplete: {error}"
            ) from None

    def _z_at(self, level):
        return float(np.interp(level, self.z_levels, self.z_quantiles))

    def _parts(self, X):
        days = X[:, self.offset] + self.regressor.raw(X)
        spread = np.maximum(self.scale.raw(X), 1.0)
        p_late = 1.0 / (1.0 + np.exp(-np.clip(self.classifier.raw(X), -50, 50)))
        return days, spread, p_late

    def predict_many(self, invoices, history):
        """Arrays over ``invoices``: ``days`` (expected delay), ``low`` and
        ``high`` (delays at the band's quantiles), ``p_late``
        (P(delay > 0))."""
        X = history.matrix(invoices, self.company_currency)
        days, spread, p_late = self._parts(X)
        return {
            "days": days,
            "low": days + spread * self.band[0],
            "high": days + spread * self.band[1],
            "p_late": p_late,
        }

    def probabilities_after(self, invoices, history, days_after_due, today=None):
        invoices = list(invoices)
        days = np.asarray(days_after_due, dtype=float)
        if not invoices:
            return np.zeros(days.shape)
        d = days.reshape(len(invoices), -1)
        X = history.matrix(invoices, self.company_currency)
        _days, spread, p_late = self._parts(X)
        shift = np.interp(1.0 - p_late, self.z_levels, self.z_quantiles)[:, None]
        spread = spread[:, None]

        def survival(after):
            z = after / spread + shift
            return 1.0 - np.interp(z, self.z_quantiles, self.z_levels)

        if today is None:
            return survival(d).reshape(days.shape)
        due = _ordinals([inv.due_date for inv in invoices])
        elapsed = (today.toordinal() - due).astype(float)[:, None]
        reached = survival(np.broadcast_to(elapsed, d.shape))
        with np.errstate(divide="ignore", invalid="ignore"):
            conditional = np.where(
                reached > 1e-9,
                np.minimum(1.0, survival(d) / np.maximum(reached, 1e-12)),
                np.exp(-(d - elapsed) / 30.0),  # beyond what was ever seen
            )
        return np.where(d <= elapsed, 1.0, conditional).reshape(days.shape)

    def _survival(self, invoice, history):
        # The residual shape scaled to this invoice, placed so that its
        # chance of paying after the due date is the classifier's.
        X = history.matrix([invoice], self.company_currency)
        _days, spread, p_late = (float(a[0]) for a in self._parts(X))
        shift = float(np.interp(1.0 - p_late, self.z_levels, self.z_quantiles))

        def survival(days):
            z = days / spread + shift
            return float(1.0 - np.interp(z, self.z_quantiles, self.z_levels))

        return survival


def fit(train_invoices, history, company_currency, seed=0):
    """A :class:`Model` learnt from the paid invoices of ``train_invoices``,
    their features read from ``history``.

    Three sets of boosted trees: the delay (corrections to the customer's
    median, for the smallest mean absolute error), the chance of paying
    after the due date, and the size of the error, whose spread over the
    training invoices gives the bands and the chances of paying later than
    any day. Raises ValueError with fewer than :data:`MIN_TRAIN` paid
    invoices.
    """
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from threadpoolctl import threadpool_limits

    paid = [inv for inv in train_invoices if inv.paid_date is not None]
    if len(paid) < MIN_TRAIN:
        raise ValueError(
            f"Learning needs at least {MIN_TRAIN} paid invoices; there are {len(paid)}."
        )
    X = history.matrix(paid, company_currency)
    y = np.array([inv.delay for inv in paid], float)
    offset = FEATURES.index("habit_delay")
    trees = dict(
        early_stopping=False,
        random_state=seed,
        min_samples_leaf=100,
        l2_regularization=1.0,
        max_depth=6,
        learning_rate=0.1,
    )
    # One thread: OpenMP threads spinning beside Odoo's busy workers made
    # learning four times slower than one thread alone.
    with threadpool_limits(FIT_THREADS):
        regressor = HistGradientBoostingRegressor(
            loss="absolute_error", max_iter=200, max_leaf_nodes=31, **trees
        ).fit(X, y - X[:, offset])
        days = X[:, offset] + regressor.predict(X)
        late = (y > 0).astype(int)
        if 0 < late.sum() < len(late):
            classifier = HistGradientBoostingClassifier(
                max_iter=100, max_leaf_nodes=15, **trees
            ).fit(X, late)
            classification = _export(classifier, X, classifier.decision_function)
        else:  # one class only: a constant chance
            share = min(max(late.mean(), 1e-3), 1 - 1e-3)
            classification = {
                "base": math.log(share / (1 - share)),
                "depth": 0,
                "trees": [],
            }
        scaler = HistGradientBoostingRegressor(
            max_iter=60, max_leaf_nodes=15, **trees
        ).fit(X, np.abs(y - days))
        spread = np.maximum(scaler.predict(X), 1.0)
    z = np.quantile((y - days) / spread, _Z_LEVELS)
    residual = np.quantile(y - days, BAND)
    payload = {
        "version": MODEL_VERSION,
        "features": list(FEATURES),
        "offset_feature": FEATURES[offset],
        "company_currency": company_currency or "",
        "train_count": len(paid),
        "trained_until": max(inv.invoice_date for inv in paid).isoformat(),
        "regressor": _export(regressor, X, regressor.predict),
        "classifier": classification,
        "scale": _export(scaler, X, scaler.predict),
        "z_levels": list(_Z_LEVELS),
        "z_quantiles": [float(v) for v in z],
        "residual_days": {"p10": float(residual[0]), "p90": float(residual[1])},
    }
    return Model(payload)
