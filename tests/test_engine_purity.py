"""The engines must import no Odoo: that is what lets CI test them."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENGINE_FILES = sorted(REPO.glob("*/engine/*.py"))


def test_engines_exist():
    assert {path.parent.parent.name for path in ENGINE_FILES} >= {
        "collections_management",
        "cash_matching",
    }


@pytest.mark.parametrize(
    "path", ENGINE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}"
)
def test_engine_imports_no_odoo(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.level > 1:  # ".." climbs out of engine/ into the add-on
                names.append("..")
        else:
            continue
        for name in names:
            assert name != ".." and not name.startswith("odoo"), (
                f"{path.relative_to(REPO)} imports {name}"
            )
