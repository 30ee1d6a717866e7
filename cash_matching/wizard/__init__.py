from . import cash_match_manual
