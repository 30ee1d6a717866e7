from . import res_company
from . import res_config_settings
from . import cash_match_proposal
from . import account_bank_statement_line
