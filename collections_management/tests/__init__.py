from . import test_policy
from . import test_planning
from . import test_reminder_run
from . import test_tracking
from . import test_promises
from . import test_disputes
from . import test_payment_plans
from . import test_kpi_snapshot
