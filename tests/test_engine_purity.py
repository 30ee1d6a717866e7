"""The engines must import no Odoo: that is what lets CI test them."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENGINE_FILES = sorted(REPO.glob("*/engine/**/*.py"))


def _addon(path):
    return path.relative_to(REPO).parts[0]


def test_engines_exist():
    assert {_addon(path) for path in ENGINE_FILES} >= {
        "collections_management",
        "cash_matching",
    }


@pytest.mark.parametrize("path", ENGINE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_engine_imports_no_odoo(path):
    tree = ast.parse(path.read_text())
    # engine/x.py may climb one level (".x"), engine/pkg/x.py two ("..x"):
    # one more climbs out of engine/ into the add-on, which imports Odoo.
    depth = len(path.relative_to(REPO / _addon(path) / "engine").parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.level > depth:
                names.append("..")
        else:
            continue
        for name in names:
            assert name != ".." and not name.startswith("odoo"), (
                f"{path.relative_to(REPO)} imports {name}"
            )
