"""Measure the payment-date model against its baselines, and its learning
time.

    python3 -m suite.bench_prediction DB
    python3 -m suite.bench_prediction --history FILE.csv

Run by ``setup/bench prediction``. With a database (a copy of the generated
data set, two years of invoices), each company's model is learnt as the
weekly cron does (``collection.prediction._train``: read the invoices,
learn, measure on the newest paid invoices, predict the open ones and their
chances per level); its stored figures are reported, pooled over the
companies by the number of invoices measured, and the learning alone is
timed on a synthetic history of 200,000 paid invoices. With ``--history``,
a CSV history is read and measured the same way as the backtest screen does,
without any database. Prints one JSON line.
"""

import argparse
import importlib
import json
import sys
import time
import types
from collections import Counter
from datetime import date

from . import odoo_env, runtime


def _engine(name="prediction"):
    """A module of the add-on's plain-Python prediction engine, imported
    without the add-on's Odoo models (as the plain tests do)."""
    if "collections_management" not in sys.modules:
        package = types.ModuleType("collections_management")
        package.__path__ = [str(runtime.REPO / "collections_management")]
        sys.modules["collections_management"] = package
    return importlib.import_module(f"collections_management.engine.{name}")


prediction = _engine()
synthetic = _engine("prediction.synthetic")  # the tests' and benchmarks' only

FIGURES = (
    "model_mae_days",
    "median_baseline_mae_days",
    "due_date_baseline_mae_days",
    "late_accuracy",
)


def _pooled(trainings):
    """The figures of several trainings as one, weighted by the invoices
    each was measured on."""
    total = sum(t["holdout_count"] for t in trainings)
    out = {
        "holdout_count": total,
        "train_count": sum(t["train_count"] for t in trainings),
    }
    for key in FIGURES:
        out[key] = (
            round(sum(t[key] * t["holdout_count"] for t in trainings) / total, 3)
            if total
            else None
        )
    if out["median_baseline_mae_days"]:
        out["model_vs_median"] = round(
            out["model_mae_days"] / out["median_baseline_mae_days"], 3
        )
    return out


def from_history(path):
    with open(path, "rb") as handle:
        invoices = prediction.read_history_csv(handle, "")
    # the company's currency: the one most invoices are in (an empty
    # currency already means the company's)
    currency = Counter(inv.currency for inv in invoices if inv.currency)
    company_currency = currency.most_common(1)[0][0] if currency else ""
    started = time.monotonic()
    model, figures, reason = prediction.train_and_evaluate(invoices, company_currency)
    elapsed = time.monotonic() - started
    out = {
        "invoices": len(invoices),
        "paid": sum(1 for inv in invoices if inv.paid_date is not None),
        "reason": reason,
        **_pooled([figures | {"late_accuracy": figures["late_accuracy"] or 0.0}]),
        "train_s": round(elapsed, 1),
    }
    if model is None and reason == prediction.BASELINE_BETTER:
        out["used"] = "median_baseline"
    return out


def synthetic_fit_seconds(paid_target=200_000):
    """Seconds to learn on ``paid_target`` paid invoices of a synthetic
    two-year history (features included), and the count learnt on."""
    invoices = synthetic.synthetic_history(7500, 30, date(2024, 1, 1), 730, seed=1)
    paid = [inv for inv in invoices if inv.paid_date is not None][:paid_target]
    started = time.monotonic()
    history = prediction.History(invoices)
    prediction.fit(paid, history, synthetic.SYNTHETIC_CURRENCY)
    return round(time.monotonic() - started, 1), len(paid)


def from_database(db):
    odoo_rt, reason = runtime.find_odoo()
    if not odoo_rt:
        print(f"bench_prediction: Odoo 18 is needed: {reason}", file=sys.stderr)
        return None
    pg = runtime.ensure_postgres()
    out = {}
    trainings = []
    with odoo_env.environment(odoo_rt, pg, db) as env:
        Prediction = env["collection.prediction"]
        started = time.monotonic()
        for index, company in enumerate(env["res.company"].search([], order="id")):
            training = Prediction._train(company)
            env.cr.commit()
            if not training.holdout_count:
                continue
            figures = {
                "holdout_count": training.holdout_count,
                "train_count": training.train_count,
                "model_mae_days": training.model_mae_days
                if training.state == "model"
                else training.median_baseline_mae_days,
                "median_baseline_mae_days": training.median_baseline_mae_days,
                "due_date_baseline_mae_days": training.due_date_baseline_mae_days,
                "late_accuracy": training.late_accuracy / 100,
            }
            trainings.append(figures)
            prefix = f"c{index + 1}_"
            out[prefix + "state"] = training.state
            out[prefix + "train_s"] = round(training.duration, 1)
            out[prefix + "model_vs_median"] = round(
                figures["model_mae_days"] / figures["median_baseline_mae_days"], 3
            )
        out["train_all_s"] = round(time.monotonic() - started, 1)
        out["level_chances"] = env["collection.level.probability"].search_count([])
    out.update(_pooled(trainings))
    out["fit_200k_s"], out["fit_200k_paid"] = synthetic_fit_seconds()
    out["peak_rss_mb"] = round(odoo_env.peak_rss_mb())
    return out


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("db", nargs="?")
    parser.add_argument("--history")
    args = parser.parse_args(argv)
    if args.history:
        try:
            figures = from_history(args.history)
        except (OSError, prediction.HistoryError) as error:
            print(f"bench_prediction: {args.history}: {error}", file=sys.stderr)
            return 2
    else:
        figures = from_database(args.db)
        if figures is None:
            return 2
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
