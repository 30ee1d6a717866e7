"""Whether a model is kept: the backtest figures.

:func:`train_and_evaluate` learns on the older invoices (:func:`time_split`),
measures on the newer ones (:func:`evaluate`) against the customer's median
delay, and keeps the model only when it is better;
:class:`~.baselines.MedianBaseline` stands in otherwise, and the reason it
returns says why.
"""

import numpy as np

from .baselines import MedianBaseline, _predictor
from .history import History, _dates, _ordinals
from .model import MIN_TRAIN, fit

MIN_HISTORY = 200  # paid invoices below which no model is learnt

# Why train_and_evaluate keeps or refuses the model.
TOO_LITTLE_HISTORY = "too_little_history"
BASELINE_BETTER = "baseline_better"
MODEL = "model"


def time_split(invoices, holdout_share=0.2):
    """``(train, holdout)``: the newest ``holdout_share`` of the invoices by
    invoice date are the holdout, all of them issued after every invoice of
    train (invoices of the boundary day go to the holdout)."""
    if not 0 <= holdout_share < 1:
        raise ValueError("holdout_share must be at least 0 and below 1.")
    ordered = sorted(invoices, key=lambda inv: inv.invoice_date)
    cut = len(ordered) - round(len(ordered) * holdout_share)
    if cut >= len(ordered):
        return ordered, []
    cutoff = ordered[cut].invoice_date
    train = [inv for inv in ordered if inv.invoice_date < cutoff]
    return train, ordered[len(train) :]


def evaluate(model_or_none, holdout, history):
    """How well the model (None: the median baseline) predicts the paid
    invoices of ``holdout``: mean absolute error in days of the predicted
    paid date for the model and both baselines, and the share of invoices
    rightly predicted paid late or not (late when P(late) > 0.5).
    MAE figures are None without paid invoices."""
    paid = [inv for inv in holdout if inv.paid_date is not None]
    figures = {
        "model_mae_days": None,
        "median_baseline_mae_days": None,
        "due_date_baseline_mae_days": None,
        "late_accuracy": None,
        "train_count": getattr(model_or_none, "train_count", 0),
        "holdout_count": len(paid),
    }
    if not paid:
        return figures
    actual = _ordinals([inv.paid_date for inv in paid])
    predicted = _predictor(model_or_none).predict_many(paid, history)
    median = MedianBaseline().predict_many(paid, history)["days"]

    def mae(days):
        return round(float(np.mean(np.abs(_dates(paid, days) - actual))), 4)

    late = np.array([inv.delay > 0 for inv in paid])
    figures.update(
        model_mae_days=mae(predicted["days"]),
        median_baseline_mae_days=mae(median),
        due_date_baseline_mae_days=mae(np.zeros(len(paid))),
        late_accuracy=round(float(np.mean((predicted["p_late"] > 0.5) == late)), 4),
    )
    return figures


def train_and_evaluate(
    invoices, company_currency, min_history=MIN_HISTORY, holdout_share=0.2, seed=0
):
    """``(model or None, figures, reason)``: a model learnt on the older
    paid invoices and measured (:func:`evaluate`) on the newer ones.

    The model is None, the median baseline to be used, when there are fewer
    than ``min_history`` paid invoices (``reason`` ``too_little_history``)
    or when it does not beat the customer's median on the holdout
    (``baseline_better``); ``reason`` is ``model`` when it is kept.
    ``figures["train_count"]`` is the number of training invoices.
    """
    invoices = list(invoices)
    history = History(invoices)
    paid = [inv for inv in invoices if inv.paid_date is not None]
    train, holdout = time_split(paid, holdout_share)
    if len(paid) < max(min_history, MIN_TRAIN) or len(train) < MIN_TRAIN or not holdout:
        figures = evaluate(None, holdout, history)
        figures["train_count"] = len(train)
        return None, figures, TOO_LITTLE_HISTORY
    model = fit(train, history, company_currency, seed=seed)
    figures = evaluate(model, holdout, history)
    figures["train_count"] = len(train)
    if figures["model_mae_days"] >= figures["median_baseline_mae_days"]:
        return None, figures, BASELINE_BETTER
    return model, figures, MODEL
