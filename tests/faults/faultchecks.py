"""What must hold after any fault, checked on the store and the folders as the
killed (or refused) process left them.

- `check_store(db)`: the store opens; `loads` and every kind's table agree (a
  file is wholly loaded with its loads row, or absent); no run's rows exist
  without its runs row; returns a `StoreState` to compare with a reference.
- `check_inbox(inbox, originals)`: every inbox file is in the inbox, archive/
  or refused/ — never lost, never in two places; archived files are loaded,
  refused ones have their reason.
- `check_outputs(folder)`: no report, statement or summary is half-written
  under its final name.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etc.schemas import SCHEMAS
from etc.store import RUN_TABLES, Store


@dataclass(frozen=True)
class StoreState:
    """What a store holds, in terms that do not depend on when it was written."""

    files: frozenset[tuple[str, str, int, int, int, int]]
    """(sha256, kind, rows read, loaded, present, quarantined) per load."""
    rows: tuple[tuple[str, int], ...]
    """Rows per input table, and in quarantine."""
    runs: frozenset[tuple[str, int, int]]
    """(run id, findings, pending) per run."""
    cleared: int
    """Unfinished runs that opening the store cleared (a writer killed midway)."""


def _one(store: Store, sql: str) -> list[tuple[object, ...]]:
    return store.con.execute(sql).fetchall()


def unfinished_runs(db: Path) -> int:
    """Runs marked as being written, before the store is opened (which clears them)."""
    con = duckdb.connect(str(db))
    try:
        have = con.execute("SELECT count(*) FROM duckdb_tables() "
                           "WHERE table_name = 'runs_writing'").fetchall()[0][0]
        return int(con.execute("SELECT count(*) FROM runs_writing").fetchall()[0][0]) \
            if have else 0
    finally:
        con.close()


def check_store(db: Path) -> StoreState:
    """Open the store as a command would and assert that it is whole."""
    cleared = unfinished_runs(db) if db.exists() else 0
    with Store(db) as store:
        loads = {int(r[0]): r for r in _one(
            store, "SELECT load_id, sha256, kind, rows_read, rows_loaded, rows_present, "
                   "rows_quarantined FROM loads")}
        shas = Counter(str(r[1]) for r in loads.values())
        assert all(n == 1 for n in shas.values()), f"a file content loaded twice: {shas}"
        for lid, (_, _, _, read, loaded, present, quarantined) in loads.items():
            assert read == loaded + present + quarantined, f"load {lid}: rows do not add up"
        rows = []
        for schema in SCHEMAS.values():
            per_load = dict(_one(store, f"SELECT load_id, count(*) FROM {schema.table} "
                                        "GROUP BY load_id"))
            for lid, n in per_load.items():
                assert lid in loads, f"{schema.table}: {n} rows of load {lid}, not in loads"
                assert loads[lid][2] == schema.kind.value, f"load {lid} is no {schema.kind}"
                assert n == loads[lid][4], f"load {lid}: {n} rows, loads says {loads[lid][4]}"
            for lid, r in loads.items():
                if r[2] == schema.kind.value and r[4]:
                    assert lid in per_load, f"load {lid}: its {r[4]} rows are missing"
            rows.append((schema.table, sum(per_load.values())))
        refused = dict(_one(store, "SELECT load_id, count(*) FROM quarantine GROUP BY load_id"))
        for lid, n in refused.items():
            assert lid in loads and n == loads[lid][6], f"quarantine of load {lid}: {n} rows"
        assert sum(refused.values()) == sum(int(r[6]) for r in loads.values())
        rows.append(("quarantine", sum(refused.values())))
        parts = dict(_one(store, "SELECT load_id, sum(items) FROM batch_parts GROUP BY load_id"))
        items = dict(_one(store, "SELECT load_id, count(*) FROM settlements GROUP BY load_id"))
        assert parts == items, "batch_parts do not sum the settlement items of each load"
        runs = {str(r[0]): r for r in _one(store, "SELECT run_id, findings, pending FROM runs")}
        assert not _one(store, "SELECT * FROM runs_writing"), "an unfinished run was not cleared"
        for table in RUN_TABLES:
            orphans = _one(store, f"SELECT DISTINCT run_id FROM {table}")
            missing = [r[0] for r in orphans if r[0] not in runs]
            assert not missing, f"{table}: rows of run(s) without a runs row: {missing}"
        for run_id, (_, found, pending) in runs.items():
            counts = _one(store, "SELECT "
                          f"(SELECT count(*) FROM findings WHERE run_id = '{run_id}'), "
                          f"(SELECT count(*) FROM pending WHERE run_id = '{run_id}')")
            assert counts[0] == (found, pending), f"run {run_id}: rows differ from its runs row"
        return StoreState(
            files=frozenset((str(r[1]), str(r[2]), *(int(x) for x in r[3:]))
                            for r in loads.values()),
            rows=tuple(rows),
            runs=frozenset((k, int(v[1]), int(v[2])) for k, v in runs.items()),
            cleared=cleared)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


REASON = ".reason.txt"


def inbox_places(inbox: Path) -> dict[str, list[Path]]:
    """Where each input content is: sha256 → every path holding it (the inbox's top
    level, archive/<date>/, refused/<date>/; reasons and hidden files left out)."""
    found: dict[str, list[Path]] = {}
    top = [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")]
    filed = [p for sub in ("archive", "refused") if (inbox / sub).is_dir()
             for p in (inbox / sub).glob("*/*") if p.is_file() and not p.name.startswith(".")]
    for path in top + filed:
        # a reason beside its file, or written for a file still in the inbox (the
        # kill came between the reason and the move)
        base = path.name[: -len(REASON)]
        is_reason = path.name.endswith(REASON) and path.parent != inbox and (
            path.with_name(base).exists() or (inbox / base).exists())
        if not is_reason:
            found.setdefault(sha(path), []).append(path)
    return found


def check_inbox(inbox: Path, originals: Counter[str], loaded: set[str]) -> Counter[str]:
    """Every original content is in exactly one place; archived ones are loaded
    (`loaded`: the store's sha256s), refused ones have a reason. Returns how many
    files are where (inbox, archive, refused)."""
    places = inbox_places(inbox)
    assert Counter({h: len(p) for h, p in places.items()}) == originals, \
        f"inbox files lost or doubled: {places}"
    where: Counter[str] = Counter()
    for h, paths in places.items():
        for p in paths:
            place = "inbox" if p.parent == inbox else p.parent.parent.name
            where[place] += 1
            if place == "archive":
                assert h in loaded, f"{p} was archived but is not loaded"
            if place == "refused":
                reason = p.with_name(p.name + REASON)
                assert reason.is_file() and reason.read_text("utf-8").strip(), \
                    f"{p} was refused without its reason"
    return where


def check_outputs(folder: Path) -> int:
    """Every file under its final name is whole; returns how many there are."""
    n = 0
    for path in folder.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        n += 1
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), f"{path} is cut short"
        elif path.suffix == ".pdf":
            assert data.rstrip().endswith(b"%%EOF"), f"{path} is cut short"
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                assert book.testzip() is None, f"{path} is damaged"
        elif path.suffix == ".csv":
            assert data.endswith(b"\n"), f"{path} is cut short"
    return n
