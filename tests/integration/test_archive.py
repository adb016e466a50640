"""`etc archive` and `etc reconcile --source`: on a generated three-day store, the
archive holds every row of every input table in Hive partitions with a manifest
that tells the truth (rows, sha256); writing it again rewrites only what a new
load changed; and a run reading the archive is the run reading the store — the
same run id, every run table equal, a byte-identical `etc findings` export."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from conftest import write_csv
from rows import lanes_row, settlements_row

import cli
from etc.archive import ArchiveError, open_archive, read_manifest, write_archive
from etc.generate import Sample, generate
from etc.ingest import ingest_paths
from etc.store import RUN_TABLES, Store


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return generate(tmp_path_factory.mktemp("sample"), seed=31, days=3, passages=900)


def _store(sample: Sample, db: Path) -> Path:
    with Store(db) as store:
        ingest_paths(store, sorted(p for ps in sample.files.values() for p in ps), None)
    return db


def test_the_archive_holds_every_row_and_its_manifest_tells_the_truth(
        sample: Sample, tmp_path: Path) -> None:
    db = _store(sample, tmp_path / "etc.duckdb")
    with Store(db) as store:
        done = write_archive(store, tmp_path / "arc")
        counts = {t: store.query(f"SELECT count(*) AS n FROM {t}")["n"].item()
                  for t in ("lanes", "settlements", "tags", "counts", "stations", "batch_parts",
                            "loads")}
        lane_keys = store.query("SELECT txn_id, rowid::BIGINT AS txn_key FROM lanes")
    files = done.manifest.files
    assert not done.kept and set(done.written) == set(files)
    for table, n in counts.items():
        assert sum(f.rows for f in files.values() if f.table == table) == n, table
    for path, f in files.items():
        data = (tmp_path / "arc" / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f.sha256 and len(data) == f.size
        assert pl.read_parquet(tmp_path / "arc" / path).height == f.rows
    days = sorted(str(f.date) for f in files.values() if f.table == "lanes")
    assert days == [str(sample.start + timedelta(days=i)) for i in range(3)]
    assert f"lanes/business_date={sample.start}/part.parquet" in files
    assert read_manifest(tmp_path / "arc") == done.manifest
    with open_archive(tmp_path / "arc") as source:
        keys = source.query("SELECT txn_id, txn_key FROM lanes")
        assert source.table("lanes").collect_schema()["business_date"] == pl.Date()
    assert keys.sort("txn_id").equals(lane_keys.sort("txn_id")), "txn_key is the store's rowid"


def test_writing_again_rewrites_only_what_changed(sample: Sample, tmp_path: Path) -> None:
    db = _store(sample, tmp_path / "etc.duckdb")
    arc = tmp_path / "arc"
    with Store(db) as store:
        first = write_archive(store, arc)
        again = write_archive(store, arc)
        assert again.written == () and set(again.kept) == set(first.manifest.files)
        assert again.manifest.digest == first.manifest.digest
        day = sample.start + timedelta(days=1)
        late = [lanes_row(i, txn_id=f"NEW{i}", passed_at=f"{day}T12:0{i}:00", station_id="S01",
                          tag_id="", payment_method="CASH", override="", staff_id="")
                for i in range(3)]
        ingest_paths(store, [write_csv(tmp_path / "late.csv", late)], None)
        (arc / f"lanes/business_date={sample.start}/part.parquet").unlink()
        third = write_archive(store, arc)
    assert set(third.written) == {f"lanes/business_date={day}/part.parquet", "loads/part.parquet",
                                  "lane_day_parts/part.parquet",
                                  f"lanes/business_date={sample.start}/part.parquet"}
    assert third.manifest.files[f"lanes/business_date={day}/part.parquet"].rows == (
        first.manifest.files[f"lanes/business_date={day}/part.parquet"].rows + 3)
    assert third.manifest.digest != first.manifest.digest


def test_a_passage_loaded_after_its_item_rewrites_the_item_partition(
        sample: Sample, tmp_path: Path) -> None:
    """An item settled before its passage is loaded is linked to it when the
    passage loads (etc.store.ddl.link_items): the partition holding the item
    changes though no row was added to it, so it is written again."""
    db = _store(sample, tmp_path / "etc.duckdb")
    arc = tmp_path / "arc"
    day = sample.start + timedelta(days=1)
    item = settlements_row(0, settlement_id="EARLY1", txn_id="LATE1", station_id="S01",
                           settled_at=f"{day}T15:00:00+07:00")
    passage = lanes_row(0, txn_id="LATE1", passed_at=f"{day}T12:00:00+07:00", station_id="S01")
    with Store(db) as store:
        ingest_paths(store, [write_csv(tmp_path / "early.csv", [item])], None)
        write_archive(store, arc)
        ingest_paths(store, [write_csv(tmp_path / "late.csv", [passage])], None)
        again = write_archive(store, arc)
    part = f"settlements/settled_date={day}/part.parquet"
    assert part in again.written
    linked = pl.read_parquet(arc / part).filter(pl.col("txn_id") == "LATE1")
    assert linked["passage_date"].to_list() == [day]


def test_a_run_reading_the_archive_is_the_run_reading_the_store(
        sample: Sample, tmp_path: Path) -> None:
    db = _store(sample, tmp_path / "etc.duckdb")
    arc, other = tmp_path / "arc", tmp_path / "other.duckdb"
    assert cli.main(["archive", "--db", str(db), "--out", str(arc)]) == 0
    period = ["--date", str(sample.start), "--until", str(sample.start + timedelta(days=2)),
              "--as-of", f"{sample.start + timedelta(days=2)}T12:00:00"]  # some items pending
    assert cli.main(["reconcile", *period, "--db", str(db), "--chunk-days", "2"]) == 0
    assert cli.main(["reconcile", *period, "--db", str(other), "--source", str(arc)]) == 0
    for name in ("a.csv", "b.csv"):
        where = db if name == "a.csv" else other
        assert cli.main(["findings", "--db", str(where), "--format", "csv",
                         "--out", str(tmp_path / name)]) == 0
    a, b = (tmp_path / "a.csv").read_bytes(), (tmp_path / "b.csv").read_bytes()
    assert a == b and a.count(b"\n") > 20
    with Store(db) as one, Store(other) as two:
        (run,) = one.runs()["run_id"]
        assert list(two.runs()["run_id"]) == [run], "the same run id"
        assert json.loads(two.runs()["loads_json"][0]) == json.loads(one.runs()["loads_json"][0])
        for table in RUN_TABLES:
            x, y = one.run_table(table, run), two.run_table(table, run)
            assert x.height and x.sort(x.columns, nulls_last=False).equals(
                y.sort(y.columns, nulls_last=False)), table


def test_a_missing_or_broken_archive_is_one_line(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ArchiveError, match=r"manifest\.json is missing"):
        open_archive(tmp_path)
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    code = cli.main(["reconcile", "--date", "2026-11-01", "--db", str(tmp_path / "x.duckdb"),
                     "--source", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not an archive manifest" in err
    code = cli.main(["reconcile", "--date", "2026-11-01", "--db", str(tmp_path / "x.duckdb"),
                     "--engine", "ray"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--source" in err


def test_an_unreachable_ray_address_is_one_line(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray", reason="ray is not installed (pip install '.[ray]')")
    empty = tmp_path / "empty"
    with Store(tmp_path / "y.duckdb") as store:
        write_archive(store, empty)
    code = cli.main(["reconcile", "--date", "2026-11-01", "--db", str(tmp_path / "x.duckdb"),
                     "--source", str(empty), "--engine", "ray", "--ray-address", "127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "cannot reach the Ray cluster" in err, err
