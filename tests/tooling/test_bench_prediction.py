"""``setup/bench prediction --history``: a CSV history measured without
any database (issue #9)."""

import json
import subprocess
import sys
from datetime import date

from conftest import REPO

from collections_management.engine import prediction
from collections_management.engine.prediction.synthetic import synthetic_history
from suite import bench_prediction


def _write(path, invoices, currency=""):
    lines = [",".join(prediction.CSV_COLUMNS)]
    for inv in invoices:
        lines.append(
            f"{inv.id},{inv.customer},{inv.invoice_date.strftime('%m/%d/%Y')},"
            f"{inv.due_date},{inv.amount},{currency},{inv.paid_date or ''},"
            f"{'yes' if inv.disputed else 'no'}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_history_figures_are_the_engine_ones(tmp_path):
    invoices = synthetic_history(200, 15, date(2024, 1, 1), 730, seed=4)
    csv_path = tmp_path / "history.csv"
    _write(csv_path, invoices)
    figures = bench_prediction.from_history(csv_path)
    with open(csv_path, "rb") as handle:
        read = prediction.read_history_csv(handle, "")
    _model, expected, reason = prediction.train_and_evaluate(read, "")
    assert figures["invoices"] == len(invoices)
    assert figures["paid"] == sum(1 for inv in invoices if inv.paid_date)
    assert figures["reason"] == reason
    for key in ("model_mae_days", "median_baseline_mae_days", "late_accuracy"):
        assert figures[key] == round(expected[key], 3)
    assert figures["holdout_count"] == expected["holdout_count"]


def test_the_command_ends_with_the_figures_or_says_which_line_is_wrong(tmp_path):
    good = tmp_path / "good.csv"
    _write(good, synthetic_history(12, 10, date(2024, 1, 1), 365, seed=1))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        ",".join(prediction.CSV_COLUMNS) + "\nINV1,A,2024-01-01,2024-01-31,x,,,no\n",
        encoding="utf-8",
    )

    def run(path):
        return subprocess.run(
            [sys.executable, "-m", "suite.bench_prediction", "--history", str(path)],
            cwd=REPO / "setup",
            capture_output=True,
            text=True,
            check=False,
        )

    done = run(good)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["reason"] == prediction.TOO_LITTLE_HISTORY  # about 120 invoices
    assert {"model_mae_days", "median_baseline_mae_days"} <= set(figures)
    refused = run(bad)
    assert refused.returncode == 2
    assert "Line 2: amount 'x' is not a positive number" in refused.stderr
