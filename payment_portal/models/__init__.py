from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move
from . import collection_communication
from . import collection_payment_plan
from . import ir_http
