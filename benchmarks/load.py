"""Load benchmark: `etc ingest` against a plain DuckDB load of the same files.

    .venv/bin/python benchmarks/load.py [--passages 1000000] [--data DIR]

Generates one business day of N passages (default 1 M) with its settlements, tag list
and bank statements (etc.generate), writes a Parquet copy of each CSV (types as
DuckDB's CSV sniffer infers them), then for every file measures, each in a fresh
process and a fresh database file:

- baseline: `CREATE TABLE t AS SELECT * FROM read_csv(f)` (or read_parquet) in DuckDB;
- etc: `etc.ingest.ingest_file` (read, validate every cell, classify by key, store,
  account for every row).

Each measurement is the median of --repeat runs (default 3).

It prints rows per second and peak RSS of both, and the ratio etc / baseline
(target: ≤ 2× in time, peak RSS < 2 GiB). Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(mode: str, file: str, db: str) -> None:
    """Runs in a fresh process: one load, prints seconds and rows as JSON."""
    import duckdb

    sys.path.insert(0, str(ROOT))
    from etc.ingest import ingest_file
    from etc.store import Store

    t0 = time.perf_counter()  # after the imports: both sides measure the load alone
    if mode == "baseline":
        con = duckdb.connect(db)
        reader = "read_parquet" if file.endswith(".parquet") else "read_csv"
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}('{file}')")
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        con.close()
    else:
        with Store(db) as store:
            r = ingest_file(store, Path(file))
        rows = r.rows_read
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mib": _peak_mib()}))


def _peak_mib() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited
    from the parent that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, file: Path, work: Path, repeat: int) -> dict[str, float]:
    """Median seconds and largest peak RSS over `repeat` fresh-process runs."""
    runs = []
    for _ in range(repeat):
        db = work / f"{mode}-{file.name}.duckdb"
        db.unlink(missing_ok=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(file), str(db)],
            check=True, capture_output=True, text=True,
        )
        db.unlink(missing_ok=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "rows": runs[0]["rows"], "peak_mib": max(r["peak_mib"] for r in runs)}


def parquet_copy(csv: Path) -> Path:
    import duckdb

    target = csv.with_suffix(".parquet")
    if not target.exists():
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{target}' (FORMAT parquet)")
        con.close()
    return target


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, help="reuse/generate the sample here")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return

    sys.path.insert(0, str(ROOT))
    from etc.generate import generate

    work = args.data or Path(tempfile.mkdtemp(prefix="etc-bench-"))
    t0 = time.perf_counter()
    sample = generate(work / "in", seed=1, days=1, passages=args.passages)
    print(f"generated {args.passages:,} passages (1 day) in {time.perf_counter() - t0:.1f} s"
          f" into {work}")
    files: list[tuple[str, Path]] = []
    for kind in ("lanes", "settlements", "tags", "bank"):
        for f in sample.files.get(kind, []):
            if f.suffix == ".csv" and not f.name.endswith("_resend.csv"):
                files += [(kind, f), (kind, parquet_copy(f))]
    header = (f"{'kind':<12}{'file':<28}{'rows':>10}{'base s':>8}{'etc s':>8}"
              f"{'base rows/s':>13}{'etc rows/s':>12}{'ratio':>7}{'base MiB':>10}{'etc MiB':>9}")
    print(header)
    print("-" * len(header))
    for kind, f in files:
        base = measure("baseline", f, work, args.repeat)
        ours = measure("etc", f, work, args.repeat)
        rows = ours["rows"]
        print(f"{kind:<12}{f.name[:27]:<28}{rows:>10,.0f}{base['seconds']:>8.2f}"
              f"{ours['seconds']:>8.2f}{rows / base['seconds']:>13,.0f}"
              f"{rows / ours['seconds']:>12,.0f}{ours['seconds'] / base['seconds']:>6.2f}x"
              f"{base['peak_mib']:>10,.0f}{ours['peak_mib']:>9,.0f}")


if __name__ == "__main__":
    main()
