from . import common, commitments, payment, portal
