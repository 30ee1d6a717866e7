from . import credit_risk_profile
from . import res_company
from . import res_config_settings
from . import res_partner
from . import credit_release
from . import sale_order
from . import payment_transaction
from . import collection_worklist
