from . import collection_policy
from . import collection_policy_level
from . import res_company
from . import res_partner
from . import account_move
from . import account_move_line
from . import collection_communication
from . import collection_run
