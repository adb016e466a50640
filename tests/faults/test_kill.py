"""SIGKILL at random moments during `etc ingest` of a large file, `etc reconcile`
and `etc nightly`, on generated data; seeded (the moments are fractions of a
reference run's duration, drawn from a fixed seed).

After every kill (faultchecks): the store opens and is whole — each file wholly
loaded with its loads row or absent, no run's rows without its runs row — every
inbox file is in exactly one place, and no output is half-written. After every
second kill (and whenever the killed command had already done its work) the
same command runs again to its end and leaves exactly what an uninterrupted run
leaves; the other kills are followed by the next killed attempt, so a store
also survives crash after crash. Each test prints its tally (pytest -s).
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from faultchecks import StoreState, check_inbox, check_outputs, check_store, sha
from faultprocs import KILLS, Ended, run, run_killed

from etc.generate import Sample, generate
from etc.ingest import ingest_paths
from etc.store import Store

D1 = "2026-11-01"
pytestmark = pytest.mark.slow  # real processes, seconds each (still run in CI)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """One day of 120,000 passages: a lanes CSV of about 13 MB and its settlements."""
    return generate(tmp_path_factory.mktemp("big"), seed=14, days=1, passages=120_000)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """Two days of 1,500 passages each, every kind and format of file."""
    return generate(tmp_path_factory.mktemp("small"), seed=15, days=2, passages=1_500)


def leftovers(root: Path) -> list[Path]:
    """Temporary files of a killed writer (etc.render.atomic) under `root`."""
    return [p for p in root.rglob(".*.tmp") if p.is_file()]


def same(a: StoreState, b: StoreState) -> bool:
    return (a.files, a.rows, a.runs) == (b.files, b.rows, b.runs)


def remove_store(db: Path) -> None:
    for path in (db, db.with_name(db.name + ".wal")):
        path.unlink(missing_ok=True)


def copy_store(src: Path, db: Path) -> None:
    remove_store(db)
    shutil.copyfile(src, db)


def kill_loop(seed: int, reference: Ended, attempt: Callable[[float], Ended],
              after_kill: Callable[[Ended], tuple[str, bool]],
              again: Callable[[], None], reset: Callable[[], None]) -> Counter[str]:
    """KILLS kills at moments drawn from `seed` over the reference's duration.
    `after_kill` checks what the kill left and says (outcome, work done); then
    the same command runs `again` to its end (every second kill, or when its
    work was done) and the next attempt starts from `reset`."""
    rng = random.Random(seed)
    tally: Counter[str] = Counter()
    for i in range(KILLS):
        ended = attempt(rng.uniform(0.1, 1.05) * reference.seconds)
        assert ended.outcome == "killed" or ended.returncode == reference.returncode, \
            ended.stderr
        outcome, done = after_kill(ended)
        tally[f"{ended.outcome}: {outcome}"] += 1
        if i % 2 == 1 or done:
            again()
            tally["ran again to the end, as uninterrupted"] += 1
            reset()
    print(dict(tally))
    return tally


def test_ingest_killed_at_random_moments(big: Sample, tmp_path: Path) -> None:
    files = [big.files["lanes"][1], big.files["settlements"][0]]  # the CSVs: 120k, 100k rows
    assert files[0].stat().st_size > 10_000_000
    ref_db, db = tmp_path / "ref.duckdb", tmp_path / "etc.duckdb"
    reference = run(["ingest", "--db", ref_db, *files])
    assert reference.returncode == 0, reference.stderr
    want = check_store(ref_db)
    assert [n for _, n in want.rows if n][:1] and len(want.files) == 2

    def after_kill(ended: Ended) -> tuple[str, bool]:
        state = check_store(db)
        assert state.files <= want.files  # each file loaded is loaded whole, as it should be
        return f"{len(state.files)} of 2 files loaded", len(state.files) == 2

    def again() -> None:
        done = run(["ingest", "--db", db, *files])
        assert done.returncode == 0, done.stderr
        assert same(check_store(db), want)

    tally = kill_loop(1401, reference, lambda t: run_killed(["ingest", "--db", db, *files], t),
                      after_kill, again, lambda: remove_store(db))
    assert tally["killed: 0 of 2 files loaded"] and sum(tally.values()) > KILLS


def test_reconcile_killed_at_random_moments(small: Sample, tmp_path: Path) -> None:
    base, ref_db, db = tmp_path / "base.duckdb", tmp_path / "ref.duckdb", tmp_path / "etc.duckdb"
    with Store(base) as store:
        ingest_paths(store, [p for paths in small.files.values() for p in paths])
    args: list[str | Path] = ["reconcile", "--date", D1, "--until", "2026-11-02"]
    copy_store(base, ref_db)
    reference = run([*args, "--db", ref_db])
    assert reference.returncode == 0, reference.stderr
    want, loaded = check_store(ref_db), check_store(base)
    assert len(want.runs) == 1
    copy_store(base, db)

    def after_kill(ended: Ended) -> tuple[str, bool]:
        state = check_store(db)
        assert state.files == loaded.files and state.runs <= want.runs
        outcome = "run written" if state.runs else "no run"
        if state.cleared:
            outcome += ", an unfinished run cleared on opening"
        return outcome, bool(state.runs)

    def again() -> None:
        done = run([*args, "--db", db])
        assert done.returncode == 0, done.stderr
        assert same(check_store(db), want)

    tally = kill_loop(1402, reference, lambda t: run_killed([*args, "--db", db], t),
                      after_kill, again, lambda: copy_store(base, db))
    assert tally["killed: no run"]


def test_nightly_killed_at_random_moments(small: Sample, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(small.files["lanes"][0].parent, source)
    (source / "readme.txt").write_text("not a toll file\n", encoding="utf-8")  # refused
    originals = Counter(sha(p) for p in source.iterdir())
    inbox, out, db = tmp_path / "inbox", tmp_path / "out", tmp_path / "etc.duckdb"

    def reset() -> None:
        shutil.rmtree(inbox, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        remove_store(db)
        shutil.copytree(source, inbox)

    def args() -> list[str | Path]:
        return ["nightly", "--db", db, "--inbox", inbox, "--out", out, "--date", D1]

    reset()
    reference = run(args())
    assert reference.returncode == 1, reference.stderr  # the sample has severe findings
    want = check_store(db)
    report = (out / D1 / "summary.json").read_bytes()
    reset()

    def after_kill(ended: Ended) -> tuple[str, bool]:
        state = check_store(db)
        assert state.files <= want.files and state.runs <= want.runs
        where = check_inbox(inbox, originals, {f[0] for f in state.files})
        written = check_outputs(out)
        done = (out / D1 / "summary.json").exists()
        debris = ", a temporary file left" if leftovers(tmp_path) else ""
        return (f"{len(state.files)} loaded, {len(state.runs)} run(s); "
                f"{where['inbox']} in inbox, {where['archive']} archived, "
                f"{where['refused']} refused, {written} outputs{debris}"), done

    def again() -> None:
        done = run(args())
        assert done.returncode == reference.returncode, done.stderr
        assert same(check_store(db), want)
        where = check_inbox(inbox, originals, {f[0] for f in want.files})
        assert where["inbox"] == 0 and where["refused"] == 1
        assert (out / D1 / "summary.json").read_bytes() == report
        assert not leftovers(tmp_path), "the killed run's temporary files are still there"

    tally = kill_loop(1403, reference, lambda t: run_killed(args(), t), after_kill, again,
                      reset)
    assert sum(tally.values()) > KILLS
