"""Predict when each open invoice will really be paid (issue #9).

Plain Python and numpy; scikit-learn is imported by :func:`fit` only. What
is learnt is the number of days between an invoice's due date and the day
it is paid ("delay", negative when paid early), from the invoice itself and
from its customer's payments known on its invoice date, never later ones.

One module per concept, each importing only those listed before it:

- :mod:`.history`: :class:`Invoice` is one invoice of the history, paid or
  open. :class:`History` indexes all invoices once; :func:`features` and
  the models read a customer's past from it.
- :mod:`.baselines`: the predictions without a model, the due date and the
  customer's median delay (:class:`MedianBaseline`).
- :mod:`.model`: :func:`fit` learns a :class:`Model`: gradient-boosted trees
  exported to plain JSON (no pickle: nothing a user stores can run code)
  and evaluated with numpy, with a SHA-256 checksum verified on load.
- :mod:`.evaluation`: :func:`train_and_evaluate` learns on the older
  invoices, measures on the newer ones against the customer's median
  delay, and keeps the model only when it is better; :class:`MedianBaseline`
  stands in otherwise.
- :mod:`.cash_forecast`: :func:`forecast` spreads the open invoices over the
  coming weeks.
- :mod:`.csv_history`: :func:`read_history_csv` reads a history from a CSV
  file.

:mod:`.synthetic` makes fake histories for the tests and benchmarks; it is
not imported here, so the add-on never loads it.
"""

from .history import (
    CHANNELS,
    EWM_WEIGHT,
    FEATURES,
    HALF_MONTH,
    RECENT,
    RUN_MAX_SPREAD,
    RUN_MIN_PAYMENTS,
    RUN_MIN_WEEKDAY_SHARE,
    RUN_WINDOW,
    History,
    Invoice,
    features,
)
from .baselines import MedianBaseline, due_date_baseline, median_baseline
from .model import (
    BAND,
    FIT_THREADS,
    MIN_TRAIN,
    MODEL_VERSION,
    Model,
    _checksum,
    fit,
)
from .evaluation import (
    BASELINE_BETTER,
    MIN_HISTORY,
    MODEL,
    TOO_LITTLE_HISTORY,
    evaluate,
    time_split,
    train_and_evaluate,
)
from .cash_forecast import Forecast, forecast, open_expectation
from .csv_history import CSV_COLUMNS, HistoryError, read_history_csv

__all__ = [
    "BAND",
    "BASELINE_BETTER",
    "CHANNELS",
    "CSV_COLUMNS",
    "EWM_WEIGHT",
    "FEATURES",
    "FIT_THREADS",
    "HALF_MONTH",
    "MIN_HISTORY",
    "MIN_TRAIN",
    "MODEL",
    "MODEL_VERSION",
    "RECENT",
    "RUN_MAX_SPREAD",
    "RUN_MIN_PAYMENTS",
    "RUN_MIN_WEEKDAY_SHARE",
    "RUN_WINDOW",
    "TOO_LITTLE_HISTORY",
    "Forecast",
    "History",
    "HistoryError",
    "Invoice",
    "MedianBaseline",
    "Model",
    "_checksum",
    "due_date_baseline",
    "evaluate",
    "features",
    "fit",
    "forecast",
    "median_baseline",
    "open_expectation",
    "read_history_csv",
    "time_split",
    "train_and_evaluate",
]
