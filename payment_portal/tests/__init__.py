from . import test_portal_home
from . import test_statement
from . import test_statement_payment
from . import test_commitments
from . import test_tours
