from . import test_policy
from . import test_planning
from . import test_reminder_run
from . import test_tracking
