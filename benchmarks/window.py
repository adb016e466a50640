"""Window benchmark: a run's cost against the history in the store, and the nightly
with its look-back.

    .venv/bin/python benchmarks/window.py [--passages 300000] [--days 30] [--keep DIR]

Generates (etc.generate, seed 1, not timed) one sample of --days days and one of a
single day, N passages a day each, and ingests them into two stores: one holding
the whole period, one holding that single day alone. Then, each in a fresh process
on a fresh copy of its store, it times from after the imports to the end, with the
peak RSS (VmHWM):

1. one day on the store of that day alone (the baseline);
2. the last day of the period on the store of the whole period — the most history
   before it (targets: time and peak <= 1.2x the baseline);
3. the whole period as one run, in chunks of a day (target: peak <= 1.5x the
   baseline);
4. every day of the period as its own run, one after the other in one process
   (the period's time should be within 1.2x of this);
5. the night-by-night scenario (by_night): the nights of the first --nights dates
   run in turn (not timed), then the next night timed: loading its inbox, the
   look-back re-runs, its own run, report and statements (the dates re-run and why
   are printed).
Each line prints the data size, seconds, passages per second and the peak, and the
ratio to the baseline. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import json
import shutil
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


def _child(mode: str, db: str, first: str, last: str, extra: str) -> dict[str, Any]:
    from etc.context import Period
    from etc.settings import Settings
    from etc.store import Store
    from reconcile.engine import reconcile

    a, b = date.fromisoformat(first), date.fromisoformat(last)
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    with Store(db) as store:
        if mode == "period":
            r = reconcile(store, Period(a, b), Settings())
            out["passages"] = r.passages
        elif mode == "days":
            out["passages"] = 0
            for day in Period(a, b).dates():
                out["passages"] += reconcile(store, Period(day, day), Settings()).passages
        else:  # night
            from reconcile.nightly import run_night

            night = run_night(store, Path(extra), Path(extra).parent / "out", a, Settings())
            out["passages"] = night.summary.passages
            out["reruns"] = [f"{r.business_date} ({', '.join(r.reasons)})"
                             for r in night.summary.reruns]
            out["problems"] = night.summary.problems
    return out | {"seconds": time.perf_counter() - t0, "peak_mib": _peak_mib()}


def measure(mode: str, db: Path, first: date, last: date, work: Path,
            extra: str = "-") -> dict[str, Any]:
    copy = work / f"run-{mode}.duckdb"
    shutil.copyfile(db, copy)
    wal = db.with_name(db.name + ".wal")
    if wal.exists():  # what the last writer had not checkpointed yet
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(copy),
                           first.isoformat(), last.isoformat(), extra],
                          capture_output=True, text=True, check=False)
    copy.unlink(missing_ok=True)
    copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
    if proc.returncode:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no message"]
        sys.exit(f"{mode} failed (exit {proc.returncode}): {tail[0]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def build(work: Path, days: int, passages: int, *, by_night: bool = False) -> tuple[Path, Any]:
    """A generated sample and its store (reused when `work` holds the same)."""
    from etc.generate import generate
    from etc.ingest import ingest_paths
    from etc.store import Store

    db, meta = work / "etc.duckdb", work / "sample.json"
    key = {"days": days, "passages": passages, "by_night": by_night}
    if meta.exists() and db.exists() and json.loads(meta.read_text())["key"] == key:
        return db, json.loads(meta.read_text())
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    sample = generate(work / "sample", seed=1, days=days, passages=passages, by_night=by_night)
    t1 = time.perf_counter()
    info: dict[str, Any] = {"key": key, "start": sample.start.isoformat(),
                            "nights": [str(n) for n in sample.nights]}
    if not by_night:
        with Store(db) as store:
            ingest_paths(store, [work / "sample" / "inputs"])
            info["size"] = {t: int(store.query(f"SELECT count(*) FROM {t}").item())
                            for t in ("lanes", "tags", "settlements", "bank_entries")}
    print(f"{work.name}: generated in {t1 - t0:.0f} s, ingested in "
          f"{time.perf_counter() - t1:.0f} s", flush=True)
    meta.write_text(json.dumps(info))
    return db, info


def line(name: str, r: dict[str, Any], base: dict[str, Any] | None) -> None:
    ratio = (f"{r['seconds'] / base['seconds']:>6.2f}x {r['peak_mib'] / base['peak_mib']:>6.2f}x"
             if base else f"{'1.00x':>7} {'1.00x':>7}")
    print(f"{name:<44}{r['passages']:>12,}{r['seconds']:>9.1f}"
          f"{r['passages'] / r['seconds']:>12,.0f}{r['peak_mib'] / 1024:>9.2f}  {ratio}",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--passages", type=int, default=300_000, help="passages a day")
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--nights", type=int, default=8, help="nights before the timed one")
    ap.add_argument("--keep", type=Path, help="generate/ingest here, or reuse what is here")
    ap.add_argument("--only-night", action="store_true", help="only the night-by-night part")
    ap.add_argument("--quick", action="store_true", help="only lines 1 and 2 (the last day)")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="etc-window-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    alone_db, alone = build(work / "alone", 1, args.passages)
    d0 = date.fromisoformat(alone["start"])
    print(f"{'':<44}{'passages':>12}{'seconds':>9}{'passages/s':>12}{'peak GiB':>9}"
          f"  {'time':>7} {'peak':>7}")
    base = measure("period", alone_db, d0, d0, work)
    line("1 one day, store of that day alone", base, None)
    if not args.only_night:
        history(work, args, base)
    if not args.quick:
        nights(work, args, base)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def history(work: Path, args: argparse.Namespace, base: dict[str, Any]) -> None:
    """Lines 2–4: the last day, the period in one run, every day its own run."""
    long_db, long = build(work / "period", args.days, args.passages)
    first = date.fromisoformat(long["start"])
    last = first + timedelta(days=args.days - 1)
    print(f"  (period store: {long['size']['lanes']:,} passages, {long['size']['tags']:,} tag "
          f"rows, {long['size']['settlements']:,} settlement items over {args.days} days)")
    line(f"2 last day, store of {args.days} days",
         measure("period", long_db, last, last, work), base)
    if args.quick:
        return
    line(f"3 {args.days} days in one run (chunks of 1 day)",
         measure("period", long_db, first, last, work), base)
    line(f"4 {args.days} days, each its own run",
         measure("days", long_db, first, last, work), base)


def nights(work: Path, args: argparse.Namespace, base: dict[str, Any]) -> None:
    """Line 5: the night after --nights nights, with its look-back."""
    nights_db, sample = build(work / "nights", args.nights + 1, args.passages, by_night=True)
    folders = [Path(p) for p in sample["nights"]]
    from etc.settings import Settings
    from etc.store import Store
    from reconcile.nightly import run_night

    t0 = time.perf_counter()
    with Store(nights_db) as store:
        for folder in folders[:-1]:
            run_night(store, folder, folder.parent / "out", date.fromisoformat(folder.name),
                      Settings())
    print(f"({args.nights} nights before it, not timed: {time.perf_counter() - t0:.0f} s)")
    timed = folders[-1]
    r = measure("night", nights_db, date.fromisoformat(timed.name),
                date.fromisoformat(timed.name), work, str(timed))
    line(f"5 night {timed.name}, with its look-back", r, base)
    print("   re-ran: " + ("; ".join(r["reruns"]) or "none")
          + "".join(f"; problem: {p}" for p in r["problems"]))


if __name__ == "__main__":
    main()
