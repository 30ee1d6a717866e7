from . import collection_call_log
from . import collection_rebalance
from . import collection_prediction_backtest
