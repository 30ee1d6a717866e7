from . import credit_risk_profile
from . import res_company
from . import res_partner
