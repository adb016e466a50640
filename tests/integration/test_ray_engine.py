"""`etc reconcile --engine ray`: on a generated four-day store, archived, each
chunk of days runs as a Ray task on a local Ray (2 CPUs, started once for this
module) and the run equals the local engine's — the same run id, the same
findings, pending items, matches, dispositions, tie-outs, traffic and lifecycle,
a byte-identical findings export. A task whose process dies mid-way is retried
and changes nothing; a chunk that keeps failing stores nothing and says which."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

import cli
from etc.archive import open_archive, write_archive
from etc.context import Period
from etc.generate import generate
from etc.ingest import ingest_paths
from etc.settings import Settings
from etc.store import RUN_TABLES, Store
from reconcile.engine import RunResult, reconcile

ray = pytest.importorskip("ray", reason="ray is not installed (pip install '.[ray]')")

from reconcile.ray_engine import TEST_HOOK, ChunkFailed, ray_runner  # noqa: E402

AS_OF = datetime(2026, 11, 4, 6, tzinfo=UTC)  # some items due, some pending


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hooks")


@pytest.fixture(scope="module")
def cluster(hooks: Path) -> Iterator[None]:
    """A local Ray of 2 CPUs; its workers inherit TEST_HOOK (the kill switch)."""
    os.environ[TEST_HOOK] = str(hooks)
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 2**20,
             log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()
    del os.environ[TEST_HOOK]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Period]:
    tmp = tmp_path_factory.mktemp("ray")
    sample = generate(tmp / "sample", seed=17, days=4, passages=1000)
    with Store(tmp / "etc.duckdb") as store:
        ingest_paths(store, sorted(p for ps in sample.files.values() for p in ps), None)
        write_archive(store, tmp / "arc")
    return tmp / "etc.duckdb", tmp / "arc", Period(sample.start,
                                                   sample.start + timedelta(days=3))


def _tables(db: Path, run: str) -> dict[str, pl.DataFrame]:
    with Store(db) as store:
        return {t: store.run_table(t, run).sort(pl.all(), nulls_last=False) for t in RUN_TABLES}


@pytest.fixture(scope="module")
def local(data: tuple[Path, Path, Period]) -> tuple[RunResult, dict[str, pl.DataFrame]]:
    db, _, period = data
    with Store(db) as store:
        result = reconcile(store, period, Settings(), as_of=AS_OF)
    return result, _tables(db, result.run_id)


def _on_ray(data: tuple[Path, Path, Period], db: Path,
            steps: list[str] | None = None) -> RunResult:
    _, arc, period = data
    seen = steps if steps is not None else []
    with Store(db) as store, open_archive(arc) as source:
        return reconcile(store, period, Settings(), as_of=AS_OF, source=source,
                         runner=ray_runner(arc, max_retries=2),
                         progress=lambda step, done: seen.append(step))


def test_chunks_as_ray_tasks_give_the_local_run(
        cluster: None, data: tuple[Path, Path, Period],
        local: tuple[RunResult, dict[str, pl.DataFrame]], tmp_path: Path) -> None:
    steps: list[str] = []
    result = _on_ray(data, tmp_path / "ray.duckdb", steps)
    assert result.run_id == local[0].run_id
    assert result.findings == local[0].findings and result.dispositions == local[0].dispositions
    got = _tables(tmp_path / "ray.duckdb", result.run_id)
    for table, frame in local[1].items():
        assert frame.height, f"{table}: the sample gives rows"
        assert got[table].equals(frame), table
    with Store(data[0]) as a, Store(tmp_path / "ray.duckdb") as b:
        assert a.run_findings(result.run_id).equals(b.run_findings(result.run_id))
    done = sorted(s for s in steps if s.startswith("chunk "))
    assert len(done) == 4 and all("computed" in s for s in done), steps


def test_a_task_killed_mid_way_is_retried_and_changes_nothing(
        cluster: None, data: tuple[Path, Path, Period], hooks: Path,
        local: tuple[RunResult, dict[str, pl.DataFrame]], tmp_path: Path) -> None:
    kill = hooks / f"kill-{data[2].first + timedelta(days=1)}"
    kill.touch()
    result = _on_ray(data, tmp_path / "ray.duckdb")
    assert not kill.exists(), "the chunk's first attempt ended its process"
    got = _tables(tmp_path / "ray.duckdb", result.run_id)
    assert all(got[t].equals(frame) for t, frame in local[1].items())


def test_a_chunk_that_keeps_failing_stores_nothing_and_says_which(
        cluster: None, data: tuple[Path, Path, Period], hooks: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    day = data[2].first + timedelta(days=2)
    fail = hooks / f"fail-{day}"
    fail.touch()
    db = tmp_path / "ray.duckdb"
    try:
        with pytest.raises(ChunkFailed, match=f"chunk {day} failed: RuntimeError: failing"):
            _on_ray(data, db)
        capsys.readouterr()
        code = cli.main(["reconcile", "--date", str(data[2].first), "--until", str(data[2].last),
                         "--db", str(db), "--source", str(data[1]), "--engine", "ray"])
    finally:
        fail.unlink()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"chunk {day} failed" in err, err
    with Store(db) as store:
        assert store.runs().height == 0
        assert store.query("SELECT count(*) AS n FROM dispositions")["n"].item() == 0
