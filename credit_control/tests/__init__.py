from . import test_risk_profile
