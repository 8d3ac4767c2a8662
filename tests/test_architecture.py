"""The layout the README's Architecture section describes is the code's: modules, layers, sizes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("node", "api", "chain", "contracts", "pages")
# Named module by module in the README; deeper packages are described by theme.
LISTED = (*PACKAGES, "chain/storage")
# What each package may import from the project's packages (itself always).
ALLOWED = {
    "node": set(PACKAGES),
    "api": {"chain", "contracts", "pages"},
    "contracts": {"chain"},
    "pages": {"chain"},
    "chain": set(),
}
# The Needle value formatters pages share with contracts (the README says which).
PAGES_FROM_CONTRACTS = {
    "contracts.builtins.format",
    "contracts.builtins.jsondecode",
    "contracts.builtins.printf",
    "contracts.builtins.math",
}
# Outside chain/storage, SQLAlchemy is only named for types: no statement is built there.
SQLALCHEMY_TYPES = {"Table", "ColumnElement", "UniqueConstraint"}
LONG = 600


def architecture_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("\n## Architecture\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def modules(*roots: str) -> Iterator[Path]:
    for root in roots:
        yield from sorted((ROOT / root).rglob("*.py"))


def imported(path: Path) -> Iterator[str]:
    """Every module an import statement of the file names (at any depth, TYPE_CHECKING too)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


@pytest.mark.parametrize("package", LISTED)
def test_the_readme_names_every_module_and_subpackage(package: str) -> None:
    section = architecture_section()
    folder = ROOT / package
    names = [p.name for p in folder.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    names += [f"{p.name}/" for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"]
    missing = [n for n in names if not re.search(rf"(?<![\w/.]){re.escape(n)}", section)]
    assert missing == [], f"README's Architecture section does not name {missing} of {package}/"


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_one_way(package: str) -> None:
    wrong = []
    for path in modules(package):
        for name in imported(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                if not (package == "pages" and name in PAGES_FROM_CONTRACTS):
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
            if top == "aiohttp" and package not in ("api", "node"):
                wrong.append(f"{path.relative_to(ROOT)} imports aiohttp")
    assert wrong == []


def test_sql_is_built_only_in_chain_storage() -> None:
    storage = ROOT / "chain" / "storage"
    wrong = []
    for path in modules(*PACKAGES):
        if storage in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                wrong += [a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
            elif isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
                wrong += [a.name for a in node.names if a.name not in SQLALCHEMY_TYPES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy."):
                if node.module not in ("sqlalchemy.ext.asyncio", "sqlalchemy.exc"):
                    wrong.append(node.module or "")
        assert wrong == [], f"{path.relative_to(ROOT)} imports {wrong} from SQLAlchemy"


def test_columns_are_compared_only_in_chain_storage() -> None:
    """`table.c.name` outside chain/storage would be a condition built beside the storage."""
    storage = ROOT / "chain" / "storage"
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in modules(*PACKAGES)
        if storage not in path.parents
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "c"
    ]
    assert found == []


def test_long_modules_say_why_at_their_top() -> None:
    silent = []
    for path in modules(*PACKAGES, "tests", "bench"):
        lines = path.read_text().splitlines()
        if len(lines) > LONG and not any(f"(Over {LONG} lines:" in line for line in lines[:15]):
            silent.append(f"{path.relative_to(ROOT)} ({len(lines)} lines)")
    assert silent == [], "over 600 lines without an '(Over 600 lines: why)' at the top"
