"""The one-way flow: etc ← cards, ledgers ← reconcile ← cli. An upward import fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "etc": {"etc"},
    "cards": {"etc", "cards"},
    "ledgers": {"etc", "ledgers"},
    "reconcile": {"etc", "cards", "ledgers", "reconcile"},
}
PROJECT = {"etc", "cards", "ledgers", "reconcile", "cli"}
# Only the store speaks SQL to the database; the CSV reader uses a private,
# in-memory DuckDB as its file scanner, and never touches the store's file.
DUCKDB_USERS = {"etc/store.py", "etc/readers/csv.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_packages_import_only_downwards() -> None:
    offences = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            upward = (_imports(path) & PROJECT) - allowed
            if upward:
                offences.append(f"{path.relative_to(ROOT)} imports {sorted(upward)}")
    assert offences == []


def test_only_the_store_talks_to_duckdb() -> None:
    users = {
        str(p.relative_to(ROOT))
        for package in ALLOWED
        for p in (ROOT / package).rglob("*.py")
        if "duckdb" in _imports(p)
    }
    assert users <= DUCKDB_USERS


def test_the_checker_sees_an_upward_edge(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from reconcile.engine import run\nimport cards.tags\n", encoding="utf-8")
    assert _imports(bad) == {"reconcile", "cards"}
