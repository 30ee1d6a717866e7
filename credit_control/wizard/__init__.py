from . import credit_release_request_wizard
