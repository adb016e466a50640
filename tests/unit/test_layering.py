"""The one-way flow: etc ← cards, ledgers ← reconcile ← cli. An upward import fails here.

Inside etc, lower layers never import upper ones: the store imports no report
model, reader, writer, renderer, loader or generator; the renderers read no
store, loader or generator; the readers no store, renderer or generator."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "etc": {"etc"},
    "cards": {"etc", "cards"},
    "ledgers": {"etc", "ledgers"},
    "reconcile": {"etc", "cards", "ledgers", "reconcile"},
}
PROJECT = {"etc", "cards", "ledgers", "reconcile", "cli"}
STORE_MODULES = {str(p.relative_to(ROOT)) for p in (ROOT / "etc" / "store").glob("*.py")}
# Only the store speaks SQL to the database; the CSV reader uses a private,
# in-memory DuckDB as its file scanner, and never touches the store's file.
DUCKDB_USERS = STORE_MODULES | {"etc/readers/csv.py"}

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "etc/store": ("etc.reports", "etc.summary", "etc.render", "etc.ingest", "etc.readers",
                  "etc.writers", "etc.generate", "etc.validate"),
    "etc/render": ("etc.store", "etc.ingest", "etc.generate"),
    "etc/readers": ("etc.store", "etc.render", "etc.generate"),
    # the report and summary models, and the run's plain values, do not pull in the store
    "etc/reports.py": ("etc.store",),
    "etc/summary.py": ("etc.store",),
    "etc/manifests.py": ("etc.store",),
}
"""Folder → the modules (and their submodules) no module under it may import."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every dotted name a module imports, relative imports resolved against its
    package: `import a.b` gives a.b, `from a import b` gives a and a.b (b may be
    a module). Imports anywhere count (in functions, under TYPE_CHECKING)."""
    package = path.relative_to(root).parent.parts
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)
    return names


def _files(where: Path) -> list[Path]:
    """A module itself, or the modules under a folder."""
    if where.suffix == ".py":
        return [where] if where.exists() else []
    return sorted(where.rglob("*.py"))


def _layer_offences(root: Path, forbidden: Mapping[str, tuple[str, ...]]) -> list[str]:
    """'<file> imports <name>' for every import of a forbidden module (or of one
    of its submodules) by a module under the folder that forbids it."""
    offences = []
    for folder, banned in forbidden.items():
        for path in _files(root / folder):
            for name in sorted(_modules(path, root)):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    offences.append(f"{path.relative_to(root)} imports {name}")
    return offences


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
    assert "etc/store/connection.py" in users  # the checker sees the store's own use


def test_the_checker_sees_an_upward_edge(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from reconcile.engine import run\nimport cards.tags\n", encoding="utf-8")
    assert _imports(bad) == {"reconcile", "cards"}


def test_lower_layers_of_etc_never_import_upper_ones() -> None:
    for folder in FORBIDDEN:
        assert all(p.is_file() for p in _files(ROOT / folder)) and _files(ROOT / folder), folder
    assert _layer_offences(ROOT, FORBIDDEN) == []


def test_the_layer_checker_sees_every_spelling_of_an_upward_import(tmp_path: Path) -> None:
    store = tmp_path / "etc" / "store"
    store.mkdir(parents=True)
    (store / "clean.py").write_text(
        "from __future__ import annotations\nimport duckdb\nfrom etc.store.ddl import q\n"
        "from . import ddl\nfrom .runs import RunRow\nfrom etc import schemas\n"
        "import etc.store_helpers\nfrom etc.reasons import Reason\n", encoding="utf-8")
    (store / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from etc.reports import RunInfo\n"
        "import etc.render.html as html\n"
        "from etc import summary\n"
        "from ..ingest import ingest_file\n"
        "if TYPE_CHECKING:\n    from etc.generate import Frames\n"
        "def later() -> None:\n    import etc.validate\n", encoding="utf-8")
    readers = tmp_path / "etc" / "readers"
    readers.mkdir()
    (readers / "__init__.py").write_text("from .. import store\n", encoding="utf-8")
    assert _layer_offences(tmp_path, FORBIDDEN) == [
        "etc/store/bad.py imports etc.generate",
        "etc/store/bad.py imports etc.generate.Frames",
        "etc/store/bad.py imports etc.ingest",
        "etc/store/bad.py imports etc.ingest.ingest_file",
        "etc/store/bad.py imports etc.render.html",
        "etc/store/bad.py imports etc.reports",
        "etc/store/bad.py imports etc.reports.RunInfo",
        "etc/store/bad.py imports etc.summary",
        "etc/store/bad.py imports etc.validate",
        "etc/readers/__init__.py imports etc.store",
    ]
