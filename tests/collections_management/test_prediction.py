"""Predicting when open invoices will be paid (issue #9)."""

import ast
import builtins
import dataclasses
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from collections_management.engine import prediction
from collections_management.engine.prediction import (
    FEATURES,
    History,
    Invoice,
    MedianBaseline,
    Model,
)
from collections_management.engine.prediction.synthetic import synthetic_history

D = date.fromisoformat
START = date(2024, 1, 1)


def invoice(id, invoice_date, due_date, paid_date=None, customer="A", **values):
    values.setdefault("amount", 1000.0)
    values.setdefault("currency", "EUR")
    return Invoice(
        id=id,
        customer=customer,
        invoice_date=D(invoice_date),
        due_date=D(due_date),
        paid_date=D(paid_date) if paid_date else None,
        **values,
    )


# Customer A pays 5 days late, 1 early, 20 late (disputed), 40 late, on time.
A1 = invoice("A1", "2024-01-01", "2024-01-31", "2024-02-05", reminders=1)
A2 = invoice("A2", "2024-02-01", "2024-03-02", "2024-03-01")
A3 = invoice("A3", "2024-03-01", "2024-03-31", "2024-04-20", disputed=True, reminders=2)
A4 = invoice("A4", "2024-04-01", "2024-05-01", "2024-06-10", reminders=3)
A5 = invoice("A5", "2024-05-15", "2024-06-14", "2024-06-14")
# Issued on 1 June: A1-A3 are paid before, A4 and A5 after.
JUNE = invoice(
    "A6", "2024-06-01", "2024-07-01", currency="USD", channel="SMS", amount=3000.0
)
JULY = invoice("A7", "2024-07-01", "2024-07-31")
NEWCOMER = invoice("B1", "2024-06-01", "2024-06-16", customer="B", channel="fax")
TINY = [A1, A2, A3, A4, A5, JUNE, JULY, NEWCOMER]


@pytest.fixture(scope="module")
def tiny():
    return History(TINY)


@pytest.fixture(scope="module")
def synthetic():
    """Two years of 2,000 customers, about 30 invoices each."""
    invoices = synthetic_history(2000, 30, START, 730, seed=7)
    model, figures, reason = prediction.train_and_evaluate(invoices, "EUR")
    return invoices, History(invoices), model, figures, reason


@pytest.fixture(scope="module")
def small():
    """A smaller history and a model learnt on it, for the model's API."""
    invoices = synthetic_history(300, 20, START, 730, seed=3)
    history = History(invoices)
    paid = [inv for inv in invoices if inv.paid_date]
    return invoices, history, prediction.fit(paid, history, "EUR", seed=0)


def test_invoice_delay_and_immutability():
    assert (A1.delay, A2.delay, A3.delay, A4.delay, A5.delay) == (5, -1, 20, 40, 0)
    assert JUNE.delay is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        A1.paid_date = None


def test_features_of_the_invoice_and_the_past_before_it(tiny):
    f = prediction.features(JUNE, tiny, "EUR")
    assert list(f) == list(FEATURES)
    assert all(isinstance(value, float) for value in f.values())
    # Paid before 1 June: A1 (5), A2 (-1), A3 (20); A4 and A5 paid later.
    assert f["paid_count"] == 3
    assert f["mean_delay"] == pytest.approx(8.0)
    assert f["median_delay"] == 5.0
    assert f["std_delay"] == pytest.approx(78**0.5)  # population deviation
    assert f["late_share"] == pytest.approx(2 / 3)
    assert f["trend"] == 0.0  # needs more than 3 payments
    assert f["last_delay"] == 20.0
    assert f["recent_mean_delay"] == pytest.approx(8.0)
    assert f["mean_reminders"] == pytest.approx(1.0)
    assert f["mean_days_to_pay"] == pytest.approx((35 + 29 + 50) / 3)
    assert f["days_since_last_payment"] == 42.0  # 20 April to 1 June
    assert f["prior_invoices"] == 5.0
    assert f["prior_disputed"] == 1.0
    assert f["open_prior_invoices"] == 2.0  # A4 and A5
    # The invoice itself.
    assert f["term_days"] == 30.0
    assert f["log_amount"] == pytest.approx(np.log1p(3000.0))
    assert f["amount_vs_usual"] == pytest.approx(np.log1p(3000.0) - np.log1p(1000.0))
    assert f["is_company_currency"] == 0.0
    assert (f["invoice_month"], f["invoice_weekday"]) == (6.0, 5.0)  # a Saturday
    assert (f["due_day"], f["due_days_to_month_end"]) == (1.0, 30.0)
    assert f["channel_sms"] == 1.0
    assert f["channel_email"] + f["channel_other"] == 0.0


def test_trend_and_recent_payments(tiny):
    f = prediction.features(JULY, tiny, "EUR")
    # In payment order: 5, -1, 20, 40 (10 June), 0 (14 June).
    assert f["paid_count"] == 5
    assert f["median_delay"] == 5.0
    assert f["last_delay"] == 0.0
    assert f["recent_mean_delay"] == pytest.approx(20.0)
    assert f["trend"] == pytest.approx(20.0 - 2.0)
    assert f["ewm_delay"] == pytest.approx(12.4376)
    assert f["is_company_currency"] == 1.0


def test_a_customer_without_history(tiny):
    f = prediction.features(NEWCOMER, tiny, "EUR")
    assert f["paid_count"] == f["prior_invoices"] == 0.0
    assert f["median_delay"] == f["mean_delay"] == f["amount_vs_usual"] == 0.0
    assert f["days_since_last_payment"] == -1.0
    assert f["channel_other"] == 1.0  # fax is none of the known channels
    unknown = invoice("X1", "2024-06-01", "2024-07-01", customer="nobody")
    assert prediction.features(unknown, History([]), "EUR")["paid_count"] == 0.0


def test_baselines_on_a_tiny_history(tiny):
    assert prediction.due_date_baseline(JUNE) == 0.0
    assert prediction.median_baseline(JUNE, tiny) == 5.0
    assert prediction.median_baseline(JULY, tiny) == 5.0
    assert prediction.median_baseline(A4, tiny) == 2.0  # median of 5 and -1
    # A2 was paid on A3's invoice date: not before it.
    assert prediction.median_baseline(A3, tiny) == 5.0
    assert prediction.median_baseline(A1, tiny) == 0.0  # nothing before
    assert prediction.median_baseline(NEWCOMER, tiny) == 0.0
    baseline = MedianBaseline()
    assert baseline.predict_days(JUNE, tiny) == 5.0
    assert baseline.expected_date(JUNE, tiny) == D("2024-07-06")
    # The share of the customer's earlier delays beyond each day.
    assert [baseline.predict_late(JUNE, tiny, d) for d in (-2, 0, 5, 19, 20)] == [
        1.0,
        pytest.approx(2 / 3),
        pytest.approx(1 / 3),
        pytest.approx(1 / 3),
        0.0,
    ]
    assert baseline.predict_late(NEWCOMER, tiny, 0) == 0.0  # due date baseline


def test_no_payment_after_the_invoice_date_changes_its_features(tiny):
    before = prediction.features(JUNE, tiny, "EUR")
    for paid_date in (D("2024-06-01"), D("2025-03-01"), None):
        later = dataclasses.replace(A4, paid_date=paid_date, reminders=9)
        history = History([A1, A2, A3, later, A5, JUNE])
        assert prediction.features(JUNE, history, "EUR") == before
    # The test can fail: the same payment a day before the invoice counts.
    earlier = dataclasses.replace(A4, paid_date=D("2024-05-31"))
    moved = prediction.features(JUNE, History([A1, A2, A3, earlier, A5, JUNE]), "EUR")
    assert moved["paid_count"] == 4 and moved["last_delay"] == 30.0


def test_payments_moved_into_the_future_leave_earlier_features_alone():
    invoices = synthetic_history(200, 20, START, 730, seed=5)
    cutoff = START + timedelta(days=400)
    rng = random.Random(1)
    moved = [
        dataclasses.replace(
            inv,
            paid_date=rng.choice([None, inv.paid_date + timedelta(days=300)]),
            reminders=inv.reminders + 5,
        )
        if inv.paid_date and inv.paid_date >= cutoff
        else inv
        for inv in invoices
    ]
    assert sum(a != b for a, b in zip(invoices, moved, strict=True)) > 1000
    early = [inv for inv in invoices if inv.invoice_date <= cutoff]
    before = History(invoices).matrix(early, "EUR")
    after = History(moved).matrix(early, "EUR")
    assert np.array_equal(before, after)
    # while the features of later invoices do see the difference
    late = [inv for inv in invoices if inv.invoice_date > cutoff + timedelta(60)]
    assert not np.array_equal(
        History(invoices).matrix(late, "EUR"), History(moved).matrix(late, "EUR")
    )


def test_a_customer_paying_on_the_15th_is_expected_on_the_15th():
    # R pays on the 15th of the month, whatever the due date: 13 to 15 days
    # after a due date at the month's turn.
    paid = [
        invoice("R1", "2024-01-01", "2024-01-31", "2024-02-15", customer="R"),
        invoice("R2", "2024-02-01", "2024-03-02", "2024-03-15", customer="R"),
        invoice("R3", "2024-03-01", "2024-03-31", "2024-04-15", customer="R"),
        invoice("R4", "2024-04-01", "2024-05-01", "2024-05-15", customer="R"),
    ]
    mid_month = invoice("R5", "2024-06-01", "2024-07-10", customer="R")
    turn = invoice("R6", "2024-06-01", "2024-07-01", customer="R")
    history = History([*paid, mid_month, turn])
    f = prediction.features(mid_month, history, "EUR")
    assert f["median_delay"] == 14.5 and f["usual_day_spread"] == 0.0
    # due 10 July + 14 days (the middle of 13-15) is 24 July: the nearest
    # 15th is 9 days before
    assert (f["to_usual_day"], f["habit_delay"]) == (-9.0, 5.0)
    assert prediction.features(turn, history, "EUR")["habit_delay"] == 14.0
    # the median alone expects 24 July; the habit, the 15th
    assert MedianBaseline().expected_date(mid_month, history) == D("2024-07-25")
    # The test can fail: a customer paying on any day has no usual day.
    scattered = [
        dataclasses.replace(inv, paid_date=inv.paid_date + timedelta(days=shift))
        for inv, shift in zip(paid, (0, 6, -9, 3), strict=True)
    ]
    f = prediction.features(mid_month, History([*scattered, mid_month]), "EUR")
    assert f["usual_day_spread"] > prediction.RUN_MAX_SPREAD
    assert f["habit_delay"] == f["median_delay"]


def test_a_customer_paying_on_fridays_is_expected_on_a_friday():
    # Q pays on Fridays only; 2024-01-05 is a Friday.
    fridays = [D("2024-01-05") + timedelta(weeks=5 * k) for k in range(5)]
    paid = [
        Invoice(
            id=f"Q{k}",
            customer="Q",
            invoice_date=day - timedelta(days=33 + k),
            due_date=day - timedelta(days=3 + k),
            paid_date=day,
            amount=500.0,
            currency="EUR",
        )
        for k, day in enumerate(fridays)
    ]
    later = invoice("Q9", "2024-06-03", "2024-07-03", customer="Q")  # a Wednesday
    f = prediction.features(later, History([*paid, later]), "EUR")
    assert f["usual_weekday_share"] == 1.0
    assert f["median_delay"] == 5.0  # delays 3 to 7 days: Monday 8 July
    assert (f["to_usual_weekday"], f["habit_delay"]) == (-3.0, 2.0)  # Friday 5th


def test_bulk_features_are_the_single_ones(small):
    invoices, history, _model = small
    sample = invoices[::97]
    matrix = history.matrix(sample, "EUR")
    for row, inv in zip(matrix, sample, strict=True):
        assert dict(zip(FEATURES, row.tolist(), strict=True)) == (
            prediction.features(inv, history, "EUR")
        )


def test_time_split_keeps_the_newest_invoices_apart():
    invoices = synthetic_history(50, 20, START, 365, seed=2)
    shuffled = random.Random(0).sample(invoices, len(invoices))
    train, holdout = prediction.time_split(shuffled, 0.2)
    assert len(train) + len(holdout) == len(invoices)
    assert {inv.id for inv in train} | {inv.id for inv in holdout} == {
        inv.id for inv in invoices
    }
    assert max(inv.invoice_date for inv in train) < min(
        inv.invoice_date for inv in holdout
    )
    assert 0.18 < len(holdout) / len(invoices) < 0.25
    # not random: the same invoices whatever their order
    again = prediction.time_split(invoices, 0.2)
    assert [{inv.id for inv in part} for part in again] == [
        {inv.id for inv in train},
        {inv.id for inv in holdout},
    ]
    assert prediction.time_split(invoices, 0.0)[1] == []
    with pytest.raises(ValueError):
        prediction.time_split(invoices, 1.0)


def test_the_model_beats_the_customer_median_by_a_quarter(synthetic):
    _invoices, _history, model, figures, reason = synthetic
    assert reason == prediction.MODEL and isinstance(model, Model)
    assert figures["model_mae_days"] <= 0.75 * figures["median_baseline_mae_days"]
    assert figures["median_baseline_mae_days"] < figures["due_date_baseline_mae_days"]
    assert figures["late_accuracy"] > 0.8
    assert figures["train_count"] > 3 * figures["holdout_count"] > 30000
    assert set(figures) == {
        "model_mae_days",
        "median_baseline_mae_days",
        "due_date_baseline_mae_days",
        "late_accuracy",
        "train_count",
        "holdout_count",
    }


def test_evaluate_without_a_model_is_the_median_baseline(synthetic):
    invoices, history, _model, figures, _reason = synthetic
    paid = [inv for inv in invoices if inv.paid_date]
    _train, holdout = prediction.time_split(paid)
    baseline = prediction.evaluate(None, holdout, history)
    assert baseline["model_mae_days"] == baseline["median_baseline_mae_days"]
    assert baseline["median_baseline_mae_days"] == figures["median_baseline_mae_days"]
    assert baseline["holdout_count"] == len(holdout)
    empty = prediction.evaluate(None, [], history)
    assert empty["holdout_count"] == 0 and empty["model_mae_days"] is None


def test_too_little_history_keeps_the_baseline():
    invoices = synthetic_history(10, 15, START, 730, seed=1)
    paid = sum(1 for inv in invoices if inv.paid_date)
    assert paid < 200
    model, figures, reason = prediction.train_and_evaluate(invoices, "EUR")
    assert (model, reason) == (None, prediction.TOO_LITTLE_HISTORY)
    assert figures["holdout_count"] > 0
    assert figures["model_mae_days"] == figures["median_baseline_mae_days"]
    with pytest.raises(ValueError, match="at least 50 paid invoices"):
        prediction.fit(invoices[:20], History(invoices), "EUR")


def habits(customers=150, each=12, seed=0):
    """Customers who always pay the same number of days late: the median
    of their past payments is exact, no model can beat it."""
    rng, invoices = random.Random(seed), []
    for customer in range(customers):
        delay = rng.randint(-5, 40)
        for n in range(each):
            issued = START + timedelta(days=rng.randrange(700))
            due = issued + timedelta(days=30)
            invoices.append(
                Invoice(
                    id=f"{customer}-{n}",
                    customer=customer,
                    invoice_date=issued,
                    due_date=due,
                    amount=rng.uniform(100, 5000),
                    currency="EUR",
                    paid_date=due + timedelta(days=delay),
                )
            )
    return invoices


def test_a_model_that_does_not_beat_the_median_is_not_kept():
    model, figures, reason = prediction.train_and_evaluate(habits(), "EUR")
    assert (model, reason) == (None, prediction.BASELINE_BETTER)
    assert figures["median_baseline_mae_days"] == 0.0
    assert figures["model_mae_days"] >= figures["median_baseline_mae_days"]


def test_json_round_trip(small):
    invoices, history, model = small
    text = model.to_json()
    data = json.loads(text, parse_constant=pytest.fail)  # strict JSON
    assert len(data["checksum"]) == 64
    assert data["features"] == list(FEATURES)
    loaded = Model.from_json(text)
    assert loaded.to_json() == text
    sample = invoices[::13]
    for key, values in model.predict_many(sample, history).items():
        assert np.array_equal(values, loaded.predict_many(sample, history)[key])
    assert loaded.company_currency == "EUR"
    assert loaded.train_count == sum(1 for inv in invoices if inv.paid_date)


def test_a_loaded_model_predicts_without_scikit_learn(small, monkeypatch):
    invoices, history, model = small
    text = model.to_json()
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.split(".")[0] in ("sklearn", "threadpoolctl", "pickle"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    loaded = Model.from_json(text)
    assert loaded.predict_days(invoices[5], history) == pytest.approx(
        model.predict_days(invoices[5], history)
    )


PACKAGE = Path(prediction.__file__).parent  # engine/prediction/


def _imports(tree):
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


def test_no_pickle_and_scikit_learn_imported_by_fit_only():
    files = sorted(PACKAGE.glob("*.py"))
    assert {path.name for path in files} >= {"__init__.py", "history.py", "model.py"}
    importing_sklearn = set()
    for path in files:
        tree = ast.parse(path.read_text())
        top_level = [
            node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        assert all("sklearn" not in ast.unparse(node) for node in top_level), path
        imported = _imports(tree)
        assert not [name for name in imported if "pickle" in name or "joblib" in name]
        importing_sklearn |= {
            (path.name, node.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
            and any("sklearn" in name for name in _imports(node))
        }
    assert importing_sklearn == {("model.py", "fit")}


def test_the_add_on_imports_the_synthetic_history_in_its_tests_only():
    assert all(hasattr(prediction, name) for name in prediction.__all__)
    assert not [name for name in prediction.__all__ if "synthetic" in name.lower()]
    addon = PACKAGE.parents[1]
    for path in sorted(addon.rglob("*.py")):
        relative = path.relative_to(addon)
        if relative.parts[0] == "tests" or path == PACKAGE / "synthetic.py":
            continue
        imported = _imports(ast.parse(path.read_text()))
        assert not [name for name in imported if "synthetic" in name], relative


def test_a_tampered_model_is_refused(small):
    _invoices, _history, model = small
    data = json.loads(model.to_json())
    data["regressor"]["trees"][0]["value"][-1] += 1.0
    with pytest.raises(ValueError, match="checksum mismatch"):
        Model.from_json(json.dumps(data))
    data = json.loads(model.to_json())
    del data["checksum"]
    with pytest.raises(ValueError, match="checksum mismatch"):
        Model.from_json(json.dumps(data))
    with pytest.raises(ValueError, match="not a stored prediction model"):
        Model.from_json("{not json")
    data = json.loads(model.to_json())
    data["regressor"]["trees"][0]["left"][0] = 10**6  # with a valid checksum
    data.pop("checksum")
    data["checksum"] = prediction._checksum(data)
    with pytest.raises(ValueError, match="malformed tree"):
        Model.from_json(json.dumps(data))


def test_predict_late_never_increases_with_the_days(small, tiny):
    invoices, history, model = small
    for inv in invoices[::301]:
        chances = [model.predict_late(inv, history, d) for d in range(-40, 121)]
        assert all(0.0 <= p <= 1.0 for p in chances)
        assert all(a >= b for a, b in zip(chances, chances[1:], strict=False))
        assert chances[0] > chances[-1]
        p_late = model.predict_many([inv], history)["p_late"][0]
        assert model.predict_late(inv, history) == pytest.approx(p_late, abs=0.01)
        # Known unpaid 10 days after the due date: certain to be late by 10.
        today = inv.due_date + timedelta(days=10)
        later = [model.predict_late(inv, history, d, today=today) for d in range(40)]
        assert later[:11] == [1.0] * 11
        assert all(a >= b for a, b in zip(later, later[1:], strict=False))
    baseline = [MedianBaseline().predict_late(JUNE, tiny, d) for d in range(-5, 30)]
    assert all(a >= b for a, b in zip(baseline, baseline[1:], strict=False))


def test_probabilities_after_are_predict_late_at_once(small, tiny):
    invoices, history, model = small
    sample = invoices[::97]
    today = START + timedelta(days=700)
    days = [[-3, 0, 7, 21, 35] for _inv in sample]
    many = model.probabilities_after(sample, history, days, today)
    assert many.shape == (len(sample), 5)
    for inv, row, chances in zip(sample, days, many, strict=True):
        single = [model.predict_late(inv, history, d, today=today) for d in row]
        assert chances.tolist() == pytest.approx(single, abs=1e-9)
    # One day count per invoice, without today.
    flat = model.probabilities_after(sample, history, [10] * len(sample))
    assert flat.tolist() == pytest.approx(
        [model.predict_late(inv, history, 10) for inv in sample], abs=1e-9
    )
    # The customer median: before 1 June, A paid 5, -1 and 20 days late.
    baseline = MedianBaseline().probabilities_after([JUNE], tiny, [[0, 5, 40]])
    assert baseline[0].tolist() == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert model.probabilities_after([], history, np.zeros((0, 3))).shape == (0, 3)


def test_expected_date_and_predictions_agree(small):
    invoices, history, model = small
    for inv in invoices[::211]:
        days = model.predict_days(inv, history)
        expected = model.expected_date(inv, history)
        assert expected >= inv.invoice_date
        if expected > inv.invoice_date:
            assert expected == inv.due_date + timedelta(days=int(np.floor(days + 0.5)))
        many = model.predict_many([inv], history)
        assert many["low"][0] <= days <= many["high"][0]


def test_forecast_on_the_baseline(tiny):
    today = D("2024-06-05")  # a Wednesday
    open_invoices = [
        # Customer A pays 5 days late (median): due 1 July, expected 6 July.
        JUNE,
        # Expected on 20 May (due 15 May + 5), overdue: this week.
        invoice("A8", "2024-04-15", "2024-05-15", amount=200.0),
        # Expected after 13 weeks.
        invoice("A9", "2024-06-01", "2024-12-01", amount=50.0),
        # No history: on its due date, 16 June.
        NEWCOMER,
    ]
    weeks = prediction.forecast(
        open_invoices, None, tiny, today, company_currency="EUR"
    )
    assert len(weeks) == 13
    assert [w["week_start"] for w in weeks] == [
        D("2024-06-03") + timedelta(weeks=n) for n in range(13)
    ]
    assert {w["currency"] for w in weeks} == {"EUR"}
    expected = {w["week_start"]: w["expected"] for w in weeks if w["expected"]}
    assert expected == {
        D("2024-06-03"): 200.0,
        D("2024-06-10"): 1000.0,  # 16 June is a Sunday
        D("2024-07-01"): 3000.0,
    }
    assert weeks.beyond == 50.0
    assert weeks.total == 4250.0
    assert sum(w["expected"] for w in weeks) + weeks.beyond == weeks.total


def test_forecast_with_the_model_adds_up(small):
    invoices, history, model = small
    today = START + timedelta(days=730)
    open_invoices = [inv for inv in invoices if inv.paid_date is None]
    assert len(open_invoices) > 100
    weeks = prediction.forecast(open_invoices, model, history, today)
    total = sum(inv.amount for inv in open_invoices)
    assert weeks.total == pytest.approx(total)
    assert sum(w["expected"] for w in weeks) + weeks.beyond == pytest.approx(total)
    assert weeks[0]["week_start"] == today - timedelta(days=today.weekday())
    assert {w["currency"] for w in weeks} == {"EUR"}  # the model's
    for w in weeks:
        assert w["low"] <= w["expected"] <= w["high"]
    # Invoices expected before today are all in the first week.
    predicted = model.predict_many(open_invoices, history)["days"]
    overdue = [
        inv
        for inv, days in zip(open_invoices, predicted, strict=True)
        if inv.due_date + timedelta(days=int(np.floor(days + 0.5))) < today
    ]
    assert overdue
    assert weeks[0]["expected"] >= sum(inv.amount for inv in overdue) - 1e-6
    # What is spread can be the amount left to pay, in the invoice's currency.
    halves = prediction.forecast(
        open_invoices,
        model,
        history,
        today,
        amounts=[inv.amount / 2 for inv in open_invoices],
    )
    assert [w["expected"] for w in halves] == pytest.approx(
        [w["expected"] / 2 for w in weeks]
    )
    assert halves.total == pytest.approx(total / 2)
    empty = prediction.forecast([], model, history, today, weeks=4)
    assert [w["expected"] for w in empty] == [0.0] * 4 and empty.beyond == 0.0


HEADER = (
    "invoice_number,customer,invoice_date,due_date,amount,currency,paid_date,disputed\n"
)
CSV = (
    HEADER
    + """INV/001,Dupont SARL,2024-01-15,2024-02-14,1200.50,,2024-02-20,no
INV/002,Smith Inc.,3/5/2024,4/4/2024,300,usd,4/1/2024,YES
INV/003,Dupont SARL,2024-03-01,2024-03-31,99.9,EUR,,false

INV/004,"Weber, Bau",12/31/2024,1/30/2025,10,EUR,,1
"""
)


def test_read_history_csv():
    invoices = prediction.read_history_csv(io.StringIO(CSV), "EUR")
    assert [inv.id for inv in invoices] == ["INV/001", "INV/002", "INV/003", "INV/004"]
    first, second, third, fourth = invoices
    assert first == Invoice(
        "INV/001", "Dupont SARL", D("2024-01-15"), D("2024-02-14"), 1200.5, "EUR",
        D("2024-02-20"), False,
    )  # fmt: skip
    assert (second.invoice_date, second.due_date, second.paid_date) == (
        D("2024-03-05"),
        D("2024-04-04"),
        D("2024-04-01"),
    )
    assert (second.currency, second.disputed) == ("USD", True)
    assert third.paid_date is None and third.disputed is False
    assert fourth.customer == "Weber, Bau" and fourth.due_date == D("2025-01-30")
    assert fourth.disputed is True
    as_bytes = io.BytesIO(b"\xef\xbb\xbf" + CSV.encode())
    assert prediction.read_history_csv(as_bytes, "EUR") == invoices


GOOD = "INV1,A,2024-01-01,2024-01-31,10,,2024-02-01,no\n"


@pytest.mark.parametrize(
    "rows, message",
    [
        (
            "INV2,A,2024-13-01,2024-01-31,10,,,no\n",
            r"Line 3: invoice_date '2024-13-01'",
        ),
        ("INV2,A,2024-01-01,31/01/2024,10,,,no\n", r"Line 3: due_date .* YYYY-MM-DD"),
        ("INV2,A,2024-01-01,2024-01-31,10,,2024/02/01,no\n", r"Line 3: paid_date"),
        ("INV2,A,2024-01-01,2024-01-31,ten,,,no\n", r"Line 3: amount 'ten'"),
        ("INV2,A,2024-01-01,2024-01-31,-5,,,no\n", r"Line 3: amount '-5'"),
        ("INV2,A,2024-01-01,2024-01-31,10,,,maybe\n", r"Line 3: disputed 'maybe'"),
        ("INV2,,2024-01-01,2024-01-31,10,,,no\n", r"Line 3: customer is empty"),
        ("INV2,A,2024-01-01\n", r"Line 3: 3 values"),
        ("INV2,A,2024-02-01,2024-01-31,10,,,no\n", r"Line 3: due_date .* before"),
        ("\nINV1,A,2024-01-01,2024-01-31,10,,,no\n", r"Line 4: invoice INV1 .* line 2"),
    ],
)
def test_read_history_csv_names_the_bad_line(rows, message):
    with pytest.raises(ValueError, match=message):
        prediction.read_history_csv(io.StringIO(HEADER + GOOD + rows), "EUR")


def test_read_history_csv_checks_the_header():
    with pytest.raises(
        ValueError, match="Line 1: the header lacks paid_date, disputed"
    ):
        prediction.read_history_csv(
            io.StringIO(
                "invoice_number,customer,invoice_date,due_date,amount,currency\n"
            ),
            "EUR",
        )
    with pytest.raises(ValueError, match="empty"):
        prediction.read_history_csv(io.StringIO(""), "EUR")


def test_synthetic_history_is_reproducible_and_open_at_its_end():
    invoices = synthetic_history(100, 10, START, 365, seed=4)
    assert invoices == synthetic_history(100, 10, START, 365, seed=4)
    assert invoices != synthetic_history(100, 10, START, 365, seed=5)
    end = START + timedelta(days=365)
    assert all(START <= inv.invoice_date < end for inv in invoices)
    assert all(inv.paid_date < end for inv in invoices if inv.paid_date)
    still_open = [inv for inv in invoices if inv.paid_date is None]
    assert still_open and all(inv.reminders == 0 for inv in still_open)
    assert len({inv.customer for inv in invoices}) == 100
    assert any(inv.disputed for inv in invoices)
    assert len({inv.due_date - inv.invoice_date for inv in invoices}) > 3


# --- an open invoice's expectation -------------------------------------------


@pytest.mark.parametrize(
    "due, days, p_late, expected, expected_p_late",
    [
        # not yet due: the model's day, its probability
        ("2026-12-20", 5, 0.3, "2026-12-25", 0.3),
        # due a week ago, predicted 20 days late: the model's day still ahead,
        # but it is late already
        ("2026-11-30", 20, 0.4, "2026-12-20", 1.0),
        # 656 days overdue: never in the past, half a year at most to wait
        ("2025-02-19", 10, 0.0, "2027-06-08", 1.0),
        # ten days past the predicted day: at least a week still to wait
        ("2026-11-17", 10, 0.9, "2026-12-17", 1.0),
    ],
)
def test_open_invoice_is_never_expected_in_the_past(
    due, days, p_late, expected, expected_p_late
):
    today = D("2026-12-07")
    open_invoice = invoice("O1", "2024-12-01", due)
    assert prediction.open_expectation(open_invoice, days, p_late, today) == (
        D(expected),
        expected_p_late,
    )
