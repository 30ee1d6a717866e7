from . import test_settings
from . import test_matching
from . import test_learning
