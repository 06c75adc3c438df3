"""Migrations are history: they carry their own copies of what they use."""

import ast
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parent.parent / "reports" / "migrations"
PACKAGE = "reports.migrations"


def imported_modules(tree):
    """The absolute names of the modules a migration's syntax tree imports, including
    importlib.import_module("...") with a literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative to the migrations package
                base = PACKAGE.rsplit(".", node.level - 1)[0]
                yield f"{base}.{node.module}" if node.module else base
            else:
                yield node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield node.args[0].value


def imports_app_code(module):
    return (module == "reports" or module.startswith("reports.")) and not (
        module == PACKAGE or module.startswith(PACKAGE + ".")
    )


@pytest.mark.parametrize("path", sorted(MIGRATIONS.glob("[0-9]*.py")), ids=lambda p: p.name)
def test_a_migration_imports_no_app_code(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    assert [m for m in imported_modules(tree) if imports_app_code(m)] == []


def test_the_scan_sees_app_imports_in_every_form():
    source = """
import reports.models
from reports.roles import ROLES
from .. import roles
from ..search import rebuild_search_index
importlib.import_module("reports.models")
from . import helpers
importlib.import_module("reports.migrations.0003_search_indexes")
"""
    found = {m for m in imported_modules(ast.parse(source)) if imports_app_code(m)}
    assert found == {"reports.models", "reports.roles", "reports", "reports.search"}
