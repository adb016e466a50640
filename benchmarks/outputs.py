"""Outputs benchmark: what a night writes for people, against a plain export.

    .venv/bin/python benchmarks/outputs.py [--passages 1000000] [--keep DIR]

Generates one business day of N passages (etc.generate, seed 1), ingests and
reconciles it (not timed; --keep DIR reuses DIR's store, e.g. the one
benchmarks/reconcile.py kept, reconciling it once when it holds no run). Then,
each in a fresh process on the same store, it times:

- baseline: DuckDB's own `COPY (findings of the run) TO 'f.csv'`, the cheapest way
  to get the run's findings into a file;
- findings-csv: `etc findings --format csv` (neutralised cells);
- report-html: build the report (findings with their lifecycle, charts' numbers),
  mask it, write the one-file HTML;
- report-xlsx: the same, as XLSX (every finding, one sheet per category);
- statements: one statement per operator, CSV and PDF;
- nightly: the whole nightly run on an empty inbox (the run reused): report,
  statements, summary.json.

It prints the data size, wall seconds, findings per second, peak RSS (VmHWM) of
each, and each one's ratio to the baseline. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from load import _peak_mib  # noqa: E402  (VmHWM of this process)

PIECES = ("baseline", "findings-csv", "report-html", "report-xlsx", "statements", "nightly")


def _piece(name: str, db: str, out: Path) -> dict[str, Any]:
    from etc.render import write_report, write_statement
    from etc.render.mask import mask_report, mask_statement
    from etc.settings import Settings
    from etc.store import Store
    from ledgers.statement import build_statement
    from reconcile.export import export_findings, findings_of
    from reconcile.nightly import operators, run_night
    from reconcile.report import build_report

    t0 = time.perf_counter()
    with Store(db) as store:
        run = store.latest_run_id()
        assert run is not None
        day = store.run_row(run).first_date
        if name == "baseline":
            store.con.execute(
                f"COPY (SELECT * FROM findings WHERE run_id = '{run}') TO '{out / 'f.csv'}' "
                "(HEADER)").fetchall()
        elif name == "findings-csv":
            export_findings(findings_of(store, run)[1], "csv", out / "f.csv")
        elif name in ("report-html", "report-xlsx"):
            report = mask_report(build_report(store, run))
            write_report(report, out / f"report.{name.split('-')[1]}")
        elif name == "statements":
            for op in operators(store):
                statement = mask_statement(build_statement(store, op, day, day, run_id=run))
                write_statement(statement, out / f"{op}.csv")
                write_statement(statement, out / f"{op}.pdf")
        elif name == "nightly":
            (out / "inbox").mkdir()
            run_night(store, out / "inbox", out / "night", day, Settings())
        findings = int(store.query("SELECT count(*) AS n FROM findings WHERE run_id = ?",
                                   [run])["n"][0])
    return {"seconds": time.perf_counter() - t0, "findings": findings}


def _child(name: str, db: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = _piece(name, db, Path(tmp))
    print(json.dumps(out | {"peak_mib": _peak_mib()}))


def _prepare(passages: int, keep: Path | None) -> Path:
    """A store with one reconciled day of `passages` passages."""
    from etc.context import Period
    from etc.generate import generate
    from etc.ingest import ingest_paths
    from etc.settings import Settings
    from etc.store import Store
    from reconcile.engine import reconcile

    work = keep or Path(tempfile.mkdtemp(prefix="etc-bench-outputs-"))
    db = work / "etc.duckdb"
    if not db.exists():
        sample = generate(work / "sample", seed=1, days=1, passages=passages)
        with Store(db) as store:
            ingest_paths(store, [p for paths in sample.files.values() for p in paths])
    with Store(db) as store:
        if store.latest_run_id() is None:
            day = store.query("SELECT min(business_date) AS d FROM lanes")["d"][0]
            assert isinstance(day, date)
            reconcile(store, Period(day, day), Settings())
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="generate/ingest here, or reuse what is here")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    db = _prepare(args.passages, args.keep)
    results: dict[str, dict[str, Any]] = {}
    for name in PIECES:
        proc = subprocess.run([sys.executable, __file__, "--child", name, str(db)],
                              capture_output=True, text=True)
        if proc.returncode:
            last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
            print(f"{name}: failed (exit {proc.returncode}): {last}")
            continue
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    findings = next(iter(results.values()))["findings"] if results else 0
    passages = _passages(db)
    print(f"outputs of one night: {passages:,} passages, {findings:,} findings ({db})")
    base = results.get("baseline", {}).get("seconds")
    print(f"{'piece':<14}{'seconds':>10}{'findings/s':>14}{'peak MiB':>11}{'× baseline':>12}")
    for name, r in results.items():
        ratio = f"{r['seconds'] / base:.1f}×" if base else "–"
        print(f"{name:<14}{r['seconds']:>10.2f}{findings / r['seconds']:>14,.0f}"
              f"{r['peak_mib']:>11,.0f}{ratio:>12}")


def _passages(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM lanes").fetchall()[0][0])
    finally:
        con.close()


if __name__ == "__main__":
    main()
