"""The SQL ledger writer and the generator do not import each other in a
circle: the generator imports ``fast_ledger`` (late, as it needs Odoo), and
``fast_ledger`` reaches the ORM writer's calls through ``ledger_orm`` only.
Read from the sources, so that it holds without Odoo."""

import ast

from conftest import REPO

SUITE = REPO / "setup" / "suite"


def _module(path):
    parts = path.relative_to(SUITE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """The ``suite`` modules ``path`` imports, at its top or in a function."""
    package = _module(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            if node.module:
                base = [*base, *node.module.split(".")]
            found.add(".".join(base))
            found.update(".".join([*base, alias.name]) for alias in node.names)
    return found


def _reached(start):
    modules = {_module(path): path for path in SUITE.rglob("*.py")}
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo.extend(_imports(modules[name]))
        if "." in name:
            todo.append(name.rsplit(".", 1)[0])  # a package's __init__ runs
    return seen


def test_the_sql_ledger_writer_does_not_import_the_generator():
    reached = _reached("suite.fast_ledger")
    assert "suite.fast_ledger.writer" in reached
    assert "suite.ledger_orm" in reached
    assert "suite.generator" not in reached


def test_the_generator_reaches_the_sql_ledger_writer():
    assert "suite.fast_ledger" in _reached("suite.generator")
