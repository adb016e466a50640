"""Ray benchmark: the local chunked engine against `--engine ray` on an archive
(not named ray.py: run as a script, it would shadow the ray package).

    .venv/bin/python benchmarks/ray_bench.py [--days 4] [--passages 20000] [--workers 1,2]

Generates DAYS business days of PASSAGES passages a day (etc.generate, seed 1),
loads them into a DuckDB store and writes the archive (loading not timed; the
archive is). Then it times, from this process:

- local: `reconcile(store, period, Settings())`, chunks of one day in this process;
- ray N: a fresh local Ray of N CPUs (`ray.init(num_cpus=N)`, started before the
  clock), the same period read from the archive, one task per day, written to a
  fresh store.

It prints wall seconds, seconds of compute per chunk (the tasks' own timings:
read, prepare, rules, outputs), peak RSS of the driver and of the largest Ray
worker (sampled every 0.2 s), and checks that every run's findings equal the
local run's. Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

# benchmarks/reconcile.py would shadow the reconcile package
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import ray  # noqa: E402

from etc.archive import open_archive, write_archive  # noqa: E402
from etc.context import Period  # noqa: E402
from etc.generate import generate  # noqa: E402
from etc.ingest import ingest_paths  # noqa: E402
from etc.settings import Settings  # noqa: E402
from etc.store import Store  # noqa: E402
from reconcile.engine import RunResult, reconcile  # noqa: E402
from reconcile.ray_engine import ray_runner  # noqa: E402


class PeakWorkerRss:
    """The largest RSS of any Ray worker process while it runs (sampled)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for proc in Path("/proc").glob("[0-9]*"):
                try:
                    cmd = (proc / "cmdline").read_bytes()
                    if b"ray::" not in cmd and b"default_worker" not in cmd:
                        continue
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            self.peak = max(self.peak, int(line.split()[1]) * 1024)
                except OSError:
                    continue
            time.sleep(0.2)

    def __enter__(self) -> PeakWorkerRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _compute_seconds(result: RunResult) -> float:
    return sum(v for k, v in result.timings.items() if k != "write")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=4)
    ap.add_argument("--passages", type=int, default=20_000)
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="etc-ray-bench-"))
    sample = generate(tmp / "sample", seed=1, days=args.days, passages=args.passages)
    period = Period(sample.start, sample.start + timedelta(days=args.days - 1))
    with Store(tmp / "etc.duckdb") as store:
        ingest_paths(store, sorted(p for ps in sample.files.values() for p in ps), None)
        t = time.perf_counter()
        done = write_archive(store, tmp / "arc")
        archived = time.perf_counter() - t
        passages = sum(store.passage_dates(period.first, period.last).values())
        t = time.perf_counter()
        local = reconcile(store, period, Settings())
        local_wall = time.perf_counter() - t
        expected = store.run_findings(local.run_id)
    size = sum(f.size for f in done.manifest.files.values())
    print(f"{args.days} days, {passages:,} passages; archive {len(done.manifest.files)} files, "
          f"{size / 2**20:.1f} MiB, written in {archived:.1f} s")
    rows = [("local (1 process)", local_wall, _compute_seconds(local) / args.days,
             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, 0, True)]
    for n in (int(w) for w in args.workers.split(",")):
        ray.init(num_cpus=n, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
        db = tmp / f"ray{n}.duckdb"
        with Store(db) as store, open_archive(tmp / "arc") as source, PeakWorkerRss() as rss:
            t = time.perf_counter()
            result = reconcile(store, period, Settings(), source=source,
                               runner=ray_runner(tmp / "arc"))
            wall = time.perf_counter() - t
            same = store.run_findings(result.run_id).equals(expected)
        ray.shutdown()
        rows.append((f"ray, {n} worker(s)", wall, _compute_seconds(result) / args.days,
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, rss.peak, same))
    print("| engine | wall | compute per chunk (1 day) | peak RSS driver | peak RSS worker "
          "| findings equal |\n|---|---:|---:|---:|---:|---|")
    for name, wall, chunk, driver, worker, same in rows:
        print(f"| {name} | {wall:.1f} s | {chunk:.2f} s | {driver / 2**20:,.0f} MiB | "
              f"{worker / 2**20:,.0f} MiB | {'yes' if same else 'NO'} |")
    print(f"store and archive kept in {tmp}")


if __name__ == "__main__":
    main()
