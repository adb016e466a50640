"""Reconcile benchmark: the etc engine against the same 24 rules as plain DuckDB SQL.

    .venv/bin/python benchmarks/reconcile.py [--passages 10000000] [--runs 1] [--keep DIR]

Generates one business day of N passages (etc.generate, seed 1) with its tag list,
settlements and bank statements, and ingests it into a DuckDB store (neither step
is timed; --keep DIR reuses DIR's store when it holds the same N). Then, each run
in a fresh process on a fresh copy of the store file, it times from after the
imports to the end:

- etc: `reconcile.engine.reconcile(store, Period(d, d), Settings())` — reading the
  tables, every rule, writing the run (should the engine fail: reading, `prepare`
  and every rule of the registry collected, the failing rules named and skipped);
- sql: the same rules as one independent DuckDB SQL formulation
  (benchmarks/reference_rules.py over tests/reference_sql.py), the findings
  materialised into a table.

It prints the data size, the median wall seconds, passages/s and peak RSS (VmHWM)
of each, the ratio etc / sql, and the findings per code of both beside the
generator's truth, and where the etc run's time goes (read, prepare, each rule,
outputs, write: the engine's own timings). Targets (the issue): etc ≤ 60 s and
≤ 6 GiB on 2 cores, and no slower than the SQL. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from load import _peak_mib  # noqa: E402  (VmHWM of this process)


def _etc(db: str, day: date) -> dict[str, Any]:
    """One engine run: findings per code and the engine's own seconds per step
    (read, prepare, each rule, outputs, write)."""
    from etc.context import Period
    from etc.settings import Settings
    from etc.store import Store
    from reconcile.engine import reconcile

    t0 = time.perf_counter()
    with Store(db) as store:
        result = reconcile(store, Period(day, day), Settings())
    return {"seconds": time.perf_counter() - t0, "what": "engine",
            "counts": {c.value: n for c, n in result.findings.items() if n},
            "pieces": dict(result.timings)}


def _rules(db: str, day: date) -> dict[str, Any]:
    """Without the engine (missing, or failing): read, `prepare` and each rule of
    the registry collected, timed the same way; a rule that fails is named in
    `failed` and skipped. No outputs are written."""
    import polars as pl

    from etc.context import Period
    from etc.settings import Settings
    from etc.store import Store
    from reconcile.prepare import prepare
    from reconcile.registry import RULES

    period, settings = Period(day, day), Settings()
    pieces: dict[str, float] = {}
    found, failed = [], {}
    t0 = time.perf_counter()
    with Store(db) as store:
        inputs = store.inputs()
        pieces["read"] = time.perf_counter() - t0
        ctx = prepare(inputs, period, settings)
        pieces["prepare"] = time.perf_counter() - t0 - pieces["read"]
        for rule in RULES:
            t = time.perf_counter()
            try:
                found.append(rule.run(ctx, settings)
                             .filter(period.holds(pl.col("business_date"))).collect())
            except BaseException as exc:  # a Polars panic is a BaseException
                failed[rule.code.value] = f"{type(exc).__name__}: {str(exc)[:120]}"
            pieces[rule.code.value] = time.perf_counter() - t
    counts = dict(pl.concat(found).group_by("code").len().rows())
    return {"seconds": time.perf_counter() - t0, "what": "prepare + rules", "counts": counts,
            "pieces": pieces, "failed": failed}


def _sql(db: str, day: date) -> dict[str, Any]:
    import duckdb
    from reference_rules import all_statements, run

    from etc.context import Period
    from etc.settings import Settings

    t0 = time.perf_counter()
    limit = os.environ.get("ETC_BENCH_SQL_MEMORY")
    con = duckdb.connect(db, read_only=True, config={"memory_limit": limit} if limit else {})
    run(con, all_statements(Period(day, day), Settings()))
    counts = dict(con.execute("SELECT code, count(*) FROM ref_findings GROUP BY code").fetchall())
    con.close()
    what = f"DuckDB SQL ({limit})" if limit else "DuckDB SQL"
    return {"seconds": time.perf_counter() - t0, "what": what, "counts": counts}


def _child(mode: str, db: str, day: str) -> None:
    run = {"sql": _sql, "etc": _etc, "rules": _rules}[mode]
    out = run(db, date.fromisoformat(day))
    print(json.dumps(out | {"peak_mib": _peak_mib()}))


def measure(mode: str, db: Path, day: date, runs: int, work: Path) -> dict[str, Any]:
    """Median seconds and largest peak RSS over `runs` fresh processes, each on a
    fresh copy of the store; the other figures are those of the median run (the
    lower middle one for an even count)."""
    results = []
    for _ in range(runs):
        copy = work / f"run-{mode}.duckdb"
        shutil.copyfile(db, copy)
        proc = subprocess.run([sys.executable, __file__, "--child", mode, str(copy),
                               day.isoformat()], capture_output=True, text=True)
        copy.unlink(missing_ok=True)
        if proc.returncode:
            last = proc.stderr.strip().splitlines()[-1:] or ["no message"]
            killed = " (killed: out of memory?)" if proc.returncode == -9 else ""
            return {"error": f"exit {proc.returncode}{killed}: {last[0]}"}
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    out = sorted(results, key=lambda r: r["seconds"])[(len(results) - 1) // 2]
    out["seconds"] = statistics.median(r["seconds"] for r in results)
    out["peak_mib"] = max(r["peak_mib"] for r in results)
    return out


def prepare_store(work: Path, passages: int) -> tuple[Path, date, dict[str, int], Path]:
    """Generate and ingest (not timed), unless `work` already holds this sample."""
    from etc.generate import generate
    from etc.ingest import ingest_paths
    from etc.store import Store

    db, meta = work / "etc.duckdb", work / "sample.json"
    if meta.exists() and json.loads(meta.read_text())["passages"] == passages and db.exists():
        m = json.loads(meta.read_text())
        return db, date.fromisoformat(m["day"]), m["size"], work / "sample" / "truth.csv"
    shutil.rmtree(work / "sample", ignore_errors=True)
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    sample = generate(work / "sample", seed=1, days=1, passages=passages)
    print(f"generated {passages:,} passages in {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    with Store(db) as store:
        refused = [r for r in ingest_paths(store, [work / "sample" / "inputs"])
                   if r.status == "refused"]
        size = {t: int(store.query(f"SELECT count(*) FROM {t}").item())
                for t in ("lanes", "tags", "settlements", "bank_entries")}
    print(f"ingested in {time.perf_counter() - t0:.1f} s ({len(refused)} files refused)",
          flush=True)
    meta.write_text(json.dumps({"passages": passages, "day": sample.start.isoformat(),
                                "size": size}))
    return db, sample.start, size, sample.truth


def report(size: dict[str, int], etc: dict[str, Any], sql: dict[str, Any], truth: Path) -> None:
    import polars as pl

    print(f"data: {size['lanes']:,} passages, {size['tags']:,} tag rows, "
          f"{size['settlements']:,} settlement items, {size['bank_entries']:,} bank entries")
    n = size["lanes"]
    print(f"{'':<8}{'what':<22}{'seconds':>9}{'passages/s':>13}{'peak GiB':>10}")
    for name, r in (("etc", etc), ("sql", sql)):
        print(f"{name:<8}{r['what']:<22}{r['seconds']:>9.1f}{n / r['seconds']:>13,.0f}"
              f"{r['peak_mib'] / 1024:>10.2f}")
    print(f"ratio etc / sql: {etc['seconds'] / sql['seconds']:.2f}x in time, "
          f"{etc['peak_mib'] / sql['peak_mib']:.2f}x in peak RSS")
    expected = dict(pl.read_csv(truth, columns=["code"]).group_by("code").len().rows())
    codes = sorted(set(expected) | set(etc["counts"]) | set(sql["counts"]))
    print(f"{'code':<28}{'truth':>7}{'etc':>7}{'sql':>7}")
    for c in codes:
        mark = "" if expected.get(c, 0) == etc["counts"].get(c, 0) == sql["counts"].get(c, 0) \
            else "  <- differs"
        print(f"{c:<28}{expected.get(c, 0):>7}{etc['counts'].get(c, 0):>7}"
              f"{sql['counts'].get(c, 0):>7}{mark}")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--passages", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=1, help="runs per measurement (median)")
    ap.add_argument("--keep", type=Path, help="generate/ingest here, or reuse what is here")
    ap.add_argument("--sql-memory", help="DuckDB memory_limit of the SQL run (e.g. 6GB; "
                    "default DuckDB's own, 80%% of RAM)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="etc-reconcile-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db, day, size, truth = prepare_store(work, args.passages)
    etc = measure("etc", db, day, args.runs, work)
    if "error" in etc:
        print(f"the engine failed ({etc['error']}): timing prepare + each rule instead")
        etc = measure("rules", db, day, args.runs, work)
        if "error" in etc:
            sys.exit(f"prepare + rules failed too: {etc['error']}")
        for code, why in etc["failed"].items():
            print(f"  {code} failed: {why}")
    if args.sql_memory:
        os.environ["ETC_BENCH_SQL_MEMORY"] = args.sql_memory
    sql = measure("sql", db, day, args.runs, work)
    if "error" in sql:
        sys.exit(f"the SQL run failed: {sql['error']}")
    report(size, etc, sql, truth)
    print(f"etc steps (median run's process, {etc['seconds']:.1f} s in all):")
    for piece, sec in sorted(etc["pieces"].items(), key=lambda kv: -kv[1]):
        print(f"  {piece:<28}{sec:>8.2f} s")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
