from . import collection_policy
from . import collection_policy_level
from . import res_company
from . import res_partner
from . import account_move
