"""Sample data for `etc demo`, tests and benchmarks: a Vietnamese toll network with
normal traffic, every rule code of findings.md injected, and the exact truth.

    sample = generate(Path("demo-out"), days=3, passages=50_000)
    sample.files["lanes"], sample.truth

With `by_night=True` the files go to one inbox folder per night,
`nights/YYYY-MM-DD/` (see nights.py), instead of `inputs/`.

`build(...)` returns the same data as frames without writing anything. The same
arguments give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etc.generate.build import build, instances
from etc.generate.files import write
from etc.generate.frames import Frames
from etc.generate.nights import write_nights
from etc.generate.resend import write_resend
from etc.generate.truth import TRUTH_COLUMNS
from etc.schemas import Kind

__all__ = ["TRUTH_COLUMNS", "Frames", "Sample", "build", "generate", "instances", "write_sample"]


@dataclass(frozen=True)
class Sample:
    """What `generate` wrote."""

    out_dir: Path
    files: dict[str, list[Path]]
    """Kind (etc.schemas.Kind value) → the files of that kind, in writing order."""
    truth: Path
    """truth.csv: code, business_date and the key columns of each injected finding."""
    start: date
    days: int
    counts: dict[str, int]
    """Rows per kind (and `truth`)."""
    nights: list[Path] = field(default_factory=list)
    """With by_night: the inbox folder of each night, in date order; else empty."""


def write_sample(frames: Frames, out_dir: Path, *, by_night: bool = False) -> Sample:
    """Write already built frames into out_dir: inputs/ (or with by_night one folder
    per night, nights/YYYY-MM-DD/) and truth.csv."""
    out_dir.mkdir(parents=True, exist_ok=True)
    nights: list[Path] = []
    if by_night:
        nights, files = write_nights(frames, out_dir)
    else:
        files = write(frames, out_dir)
    truth = out_dir / "truth.csv"
    frames.truth.write_csv(truth)
    counts = {k.value: frames.of(k).height for k in Kind}
    counts["truth"] = frames.truth.height
    return Sample(out_dir=out_dir, files=files, truth=truth, start=frames.start, days=frames.days,
                  counts=counts, nights=nights)


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    days: int = 1,
    passages: int = 20_000,
    start: date = date(2026, 11, 1),
    anomalies: bool = True,
    progress: Callable[[str, float], None] | None = None,
    by_night: bool = False,
) -> Sample:
    """Build the sample (`passages` per day over `days` days from `start`) and write it;
    with `by_night`, as one inbox folder per night (the late re-send then arrives on
    the second night, or the only one)."""
    frames = build(seed=seed, days=days, passages=passages, start=start, anomalies=anomalies,
                   progress=progress)
    sample = write_sample(frames, Path(out_dir), by_night=by_night)
    if anomalies:
        folder = (sample.nights[min(1, len(sample.nights) - 1)] if by_night
                  else sample.files[Kind.STATIONS.value][0].parent)
        sample.files[Kind.LANES.value].append(write_resend(frames, folder))
    if progress is not None:
        progress("written", 1.0)
    return sample
