from . import test_policy
from . import test_planning
