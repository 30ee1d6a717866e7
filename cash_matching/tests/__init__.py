from . import test_settings
from . import test_matching
from . import test_learning
from . import test_review_rights
from . import test_explanation
from . import test_review_tour
