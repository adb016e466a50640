"""Counts benchmark: what PASSAGES_HIDDEN and CASH_SHARE_SPIKE cost a night's reconcile.

    .venv/bin/python benchmarks/counts_rules.py [--passages 1000000] [--runs 1] [--keep DIR]

Generates one business day of N passages (etc.generate, seed 1) and loads it into
two stores (neither step timed; --keep DIR reuses DIR's stores when they hold
the same N):

- base: every generated file but the counts — the baseline, a night without
  sensors (PASSAGES_HIDDEN then reads no counts, CASH_SHARE_SPIKE runs as ever);
- counted: the same, plus counts in 15-minute intervals for every lane of every
  station (one all-classes CAMERA row per interval, zeros included): the vehicles
  the lane recorded in the interval, plus the generator's hidden vehicles on the
  lane-days where it injected PASSAGES_HIDDEN, so the rule has them to find.

Then, each run in a fresh process on a fresh copy of the store, the two stores
alternately, it times `reconcile.engine.reconcile` of the day from after the
imports to the end, and prints the data size, wall seconds, passages/s and peak
RSS (VmHWM) of both, the two rules' own seconds (the run's timings, per rule)
against the whole reconcile and what they add to the base one, the ratio
counted / base, and the steps side by side. The issue's target: neither rule
adds more than 10 % to a night's reconcile time. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from load import _peak_mib  # noqa: E402  (VmHWM of this process)

RULES = ("PASSAGES_HIDDEN", "CASH_SHARE_SPIKE")
MINUTES = 15


def _child(db: str, day: str) -> None:
    from etc.context import Period
    from etc.settings import Settings
    from etc.store import Store
    from reconcile.engine import reconcile

    d = date.fromisoformat(day)
    t0 = time.perf_counter()
    with Store(db) as store:
        result = reconcile(store, Period(d, d), Settings())
    print(json.dumps({"seconds": time.perf_counter() - t0, "timings": dict(result.timings),
                      "found": {c.value: n for c, n in result.findings.items()
                                if c.value in RULES}, "peak_mib": _peak_mib()}))


def _once(db: Path, day: date, work: Path) -> dict[str, Any]:
    copy = work / "run.duckdb"
    shutil.copyfile(db, copy)
    proc = subprocess.run([sys.executable, __file__, "--child", str(copy), day.isoformat()],
                          capture_output=True, text=True)
    copy.unlink(missing_ok=True)
    if proc.returncode:
        sys.exit(f"reconcile failed (exit {proc.returncode}): {proc.stderr[-400:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def _median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Median seconds and step timings, largest peak RSS, the median run's findings."""
    out = dict(sorted(results, key=lambda r: r["seconds"])[(len(results) - 1) // 2])
    out["seconds"] = statistics.median(r["seconds"] for r in results)
    steps = {k for r in results for k in r["timings"]}
    out["timings"] = {k: statistics.median(r["timings"].get(k, 0.0) for r in results)
                      for k in steps}
    out["peak_mib"] = max(r["peak_mib"] for r in results)
    return out


def measure(base: Path, counted: Path, day: date, runs: int,
            work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both stores, `runs` times each, alternately (base, counted, base, …), so that
    the load other work puts on a shared machine falls on both alike."""
    pairs = [(_once(base, day, work), _once(counted, day, work)) for _ in range(runs)]
    return _median([b for b, _ in pairs]), _median([c for _, c in pairs])


def counts_every_lane(store: Any, generated: Path, truth: Path, day: date) -> Any:
    """15-minute counts of every lane that has passages that day: the recorded
    passages per interval, plus, on the truth's PASSAGES_HIDDEN lanes, the hours'
    vehicles the generator's sensor counted beyond those recorded."""
    import polars as pl

    from etc.localtime import start_of

    lanes = store.query(
        f"SELECT station_id, lane_id, time_bucket(INTERVAL {MINUTES} MINUTE, passed_at, "
        "TIMESTAMPTZ '2000-01-01 00:00:00+00') AS interval_start, count(*)::BIGINT AS rec "
        "FROM lanes GROUP BY ALL")
    starts = pl.datetime_range(start_of(day), start_of(day, 1) - timedelta(minutes=MINUTES),
                               timedelta(minutes=MINUTES), eager=True, time_zone="UTC")
    grid = (lanes.select("station_id", "lane_id").unique()
            .join(pl.DataFrame({"interval_start": starts}), how="cross")
            .join(lanes, on=["station_id", "lane_id", "interval_start"], how="left")
            .with_columns(pl.col("rec").fill_null(0)))
    hidden = (pl.read_csv(truth).filter(pl.col("code") == "PASSAGES_HIDDEN")
              .select("station_id", "lane_id").unique())
    read = pl.read_csv if generated.suffix == ".csv" else pl.read_parquet
    hour = pl.col("interval_start").dt.truncate("1h")
    gen = (read(generated).join(hidden, on=["station_id", "lane_id"])
           .with_columns(pl.col("interval_start").str.to_datetime()  # local, no offset
                         .dt.replace_time_zone("Asia/Ho_Chi_Minh").dt.convert_time_zone("UTC")
                         if generated.suffix == ".csv" else pl.col("interval_start"))
           .group_by("station_id", "lane_id", hour.alias("interval_start"))
           .agg(pl.col("vehicles").sum().alias("gen")))
    per_hour = (grid.join(hidden, on=["station_id", "lane_id"])
                .group_by("station_id", "lane_id", hour.alias("interval_start"))
                .agg(pl.col("rec").sum()))
    extra = (gen.join(per_hour, on=["station_id", "lane_id", "interval_start"], how="left")
             .with_columns((pl.col("gen") - pl.col("rec").fill_null(0)).alias("extra"))
             .filter(pl.col("extra") >= 5)  # the injected hours, not the sensor's ±1 %
             .select("station_id", "lane_id", "interval_start", "extra"))
    return (grid.join(extra, on=["station_id", "lane_id", "interval_start"], how="left")
            .select("station_id", "lane_id", "interval_start",
                    pl.lit(MINUTES, pl.Int64).alias("interval_minutes"),
                    pl.lit(None, pl.Int64).alias("vehicle_class"),
                    (pl.col("rec") + pl.col("extra").fill_null(0)).alias("vehicles"),
                    pl.format("CAM-{}", pl.col("station_id")).alias("source"))
            .sort("station_id", "lane_id", "interval_start"))


def prepare_stores(work: Path, passages: int) -> tuple[Path, Path, date, dict[str, int]]:
    """Generate and load both stores (not timed), unless `work` already holds them."""
    from etc.generate import generate
    from etc.ingest import ingest_paths
    from etc.store import Store

    base, counted, meta = work / "base.duckdb", work / "counted.duckdb", work / "sample.json"
    if meta.exists() and base.exists() and counted.exists():
        m = json.loads(meta.read_text())
        if m["passages"] == passages:
            return base, counted, date.fromisoformat(m["day"]), m["size"]
    shutil.rmtree(work / "sample", ignore_errors=True)
    for db in (base, counted):
        db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    sample = generate(work / "sample", seed=1, days=1, passages=passages)
    print(f"generated {passages:,} passages in {time.perf_counter() - t0:.1f} s", flush=True)
    inputs = sorted((work / "sample" / "inputs").iterdir())
    generated = [p for p in inputs if p.name.startswith("counts_")]
    with Store(base) as store:
        ingest_paths(store, [p for p in inputs if p not in generated and p.is_file()])
        counts = counts_every_lane(store, generated[0], sample.truth, sample.start)
    path = work / "counts_every_lane.parquet"
    counts.write_parquet(path)
    shutil.copyfile(base, counted)
    with Store(counted) as store:
        ingest_paths(store, [path])
        size = {t: int(store.query(f"SELECT count(*) FROM {t}").item())
                for t in ("lanes", "counts", "tags", "settlements")}
        size["lanes_counted"] = int(store.query(
            "SELECT count(DISTINCT (station_id, lane_id)) FROM counts").item())
    meta.write_text(json.dumps({"passages": passages, "day": sample.start.isoformat(),
                                "size": size}))
    return base, counted, sample.start, size


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--passages", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=1, help="runs per measurement (median)")
    ap.add_argument("--keep", type=Path, help="generate/load here, or reuse what is here")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="etc-counts-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base_db, counted_db, day, size = prepare_stores(work, args.passages)
    base, counted = measure(base_db, counted_db, day, args.runs, work)
    n = size["lanes"]
    print(f"data: {n:,} passages on {size['lanes_counted']:,} lanes, {size['counts']:,} count "
          f"rows ({MINUTES}-minute intervals, every lane), {size['tags']:,} tag rows, "
          f"{size['settlements']:,} settlement items; {day}; medians of {args.runs} runs")
    print(f"{'store':<34}{'seconds':>9}{'passages/s':>13}{'peak GiB':>10}")
    for name, r in (("base (no counts: the baseline)", base), ("counted (every lane)", counted)):
        print(f"{name:<34}{r['seconds']:>9.1f}{n / r['seconds']:>13,.0f}"
              f"{r['peak_mib'] / 1024:>10.2f}")
    print(f"ratio counted / base: {counted['seconds'] / base['seconds']:.2f}x in time, "
          f"{counted['peak_mib'] / base['peak_mib']:.2f}x in peak RSS")
    for rule in RULES:
        sec, before = counted["timings"][rule], base["timings"].get(rule, 0.0)
        print(f"{rule:<18}{sec:>6.2f} s on the counted store = "
              f"{100 * sec / counted['seconds']:4.1f} % of its reconcile, "
              f"{100 * (sec - before) / base['seconds']:+5.1f} % of the base reconcile "
              f"({before:.2f} s there); {n / sec:,.0f} passages/s; "
              f"{counted['found'].get(rule, 0)} found")
    print(f"{'step':<28}{'base s':>8}{'counted s':>11}")
    for piece, sec in sorted(counted["timings"].items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {piece:<26}{base['timings'].get(piece, 0.0):>8.2f}{sec:>11.2f}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
