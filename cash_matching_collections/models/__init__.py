from . import res_users
