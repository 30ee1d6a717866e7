"""Make the add-ons' plain-Python engines importable without Odoo.

An add-on's ``__init__`` imports its Odoo models, so ``import
collections_management`` needs Odoo. Here each add-on is registered as a bare
package (its folder, without running its ``__init__``), so that
``collections_management.engine.levels`` imports on a machine without Odoo,
which is the point: the engines import no Odoo.
"""

import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ADDONS = ("collections_management", "credit_control", "payment_portal", "cash_matching")

for _name in ADDONS:
    if _name not in sys.modules:
        _package = types.ModuleType(_name)
        _package.__path__ = [str(REPO / _name)]
        sys.modules[_name] = _package

sys.path.insert(0, str(REPO / "setup"))
