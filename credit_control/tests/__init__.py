from . import test_risk_profile
from . import test_credit_hold
from . import test_credit_bureau
from . import test_portal_order
from . import test_worklist
from . import test_hold_report
from . import test_roles
from . import test_tours
