from . import test_explanation
from . import test_promise
from . import test_review_rights
from . import test_review_tour
