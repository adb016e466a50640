"""A run reads only its period and the look-back its rules need (etc.context.Scope,
reconcile.scope), and computes a long period in chunks of days: on generated
stores, every table of the run equals that of one run over every loaded row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from conftest import write_csv
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from rows import lanes_row

from etc.context import Period
from etc.generate import generate
from etc.ingest import ingest_paths
from etc.settings import Settings
from etc.store import Store
from reconcile.engine import RunTables, compute, reconcile
from reconcile.scope import chunks, lookback_days, scope

TABLES = ("findings", "pending", "matches", "dispositions", "tieouts", "traffic")


def _store(tmp: Path, seed: int, days: int, passages: int,
           items_first: bool = False) -> tuple[Store, Period]:
    """A generated store; `items_first` loads the settlement files before the lanes
    files, so that every item comes before its passage (the store links them when
    the passages load: etc.store.ddl.link_items)."""
    sample = generate(tmp / "sample", seed=seed, days=days, passages=passages)
    store = Store(tmp / "etc.duckdb")
    files = sorted(p for paths in sample.files.values() for p in paths)
    if items_first:
        files.sort(key=lambda p: p not in sample.files["settlements"])
    ingest_paths(store, files, None)
    return store, Period(sample.start, sample.start + timedelta(days=days - 1))


def _canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as a set of rows: in a fixed order, whatever order it came in."""
    return frame.sort(frame.columns, nulls_last=False)


def _diff(a: pl.DataFrame, b: pl.DataFrame) -> str:
    """The first rows only one side has, for the message of a failing comparison."""
    def only(x: pl.DataFrame, y: pl.DataFrame) -> pl.DataFrame:
        return x.join(y, on=x.columns, how="anti", nulls_equal=True).head(3)
    return f"scoped only {only(a, b)}, whole only {only(b, a)}"


def _same(scoped: RunTables, whole: RunTables, day_filter: pl.Expr | None = None) -> None:
    for name in TABLES:
        a, b = getattr(scoped, name), getattr(whole, name)
        if day_filter is not None:
            b = b.filter(day_filter)
        assert _canonical(a).equals(_canonical(b)), f"{name} differs: {_diff(a, b)}"


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(1, 10_000), poor_read_days=st.sampled_from([1, 3, 7]),
       items_first=st.booleans())
@example(seed=7, poor_read_days=7, items_first=True)
def test_each_date_read_alone_finds_what_a_run_over_everything_finds(
        tmp_path_factory: pytest.TempPathFactory, seed: int, poor_read_days: int,
        items_first: bool) -> None:
    tmp = tmp_path_factory.mktemp("scoped")
    cfg = Settings(tags={"poor_read_days": poor_read_days})  # type: ignore[arg-type]
    store, period = _store(tmp, seed, days=4, passages=1500, items_first=items_first)
    with store:
        as_of = datetime(2026, 11, 3, 12, tzinfo=UTC)  # some items due, some pending
        whole = compute(store.inputs(), period, cfg, "R", as_of)
        stations = store.table("stations").collect()
        for day in period.dates():
            one = Period(day, day)
            scoped = compute(store.inputs(scope(one, cfg, stations)), one, cfg, "R", as_of,
                             batch_items=store.batch_items)
            _same(scoped, whole, pl.col("business_date") == day)
            assert scoped.passages == store.passage_dates(day, day)[day]
        assert whole.pending.height and whole.findings.height, "the as-of splits the run"


def test_passages_before_the_period_count_where_the_rules_look_back(tmp_path: Path) -> None:
    """Across midnight: a double charge, a tag at two far stations, a tag read
    poorly over two days. Each is found on the second date by a run of that date
    alone, as by a run over everything."""
    store, period = _store(tmp_path, 5, days=2, passages=800)
    d1, d2 = period.first, period.last
    with store:
        far = store.query("SELECT a.station_id AS a, b.station_id AS b FROM stations a, stations b "
                          "ORDER BY abs(a.lat - b.lat) + abs(a.lon - b.lon) DESC LIMIT 1").row(0)
        late = [("DC1", f"{d1}T23:58:00", far[0], "AAAA", "1"),
                ("DC2", f"{d2}T00:01:00", far[0], "AAAA", "1"),
                ("CL1", f"{d1}T23:30:00", far[0], "BBBB", "1"),
                ("CL2", f"{d2}T00:30:00", far[1], "BBBB", "1"),
                ("PR1", f"{d1}T10:00:00", far[0], "CCCC", "0"),
                ("PR2", f"{d1}T11:00:00", far[0], "CCCC", "0"),
                ("PR3", f"{d2}T10:00:00", far[0], "CCCC", "0"),
                # poorly read days before the day before: read only for their tag
                ("PX0", f"{d1 - timedelta(days=4)}T08:00:00", far[0], "DDDD", "1"),
                ("PX1", f"{d1 - timedelta(days=3)}T08:00:00", far[0], "DDDD", "0"),
                ("PX2", f"{d1 - timedelta(days=2)}T08:00:00", far[0], "DDDD", "0"),
                ("PX3", f"{d2}T08:00:00", far[0], "DDDD", "0")]
        rows = [lanes_row(i, txn_id=t, passed_at=at, station_id=st, lane_id="L01",
                          tag_id=f"E2801160600002AAAAAA{tag}", payment_method="ETC",
                          override="", read_count=reads, staff_id="")
                for i, (t, at, st, tag, reads) in enumerate(late)]
        ingest_paths(store, [write_csv(tmp_path / "late.csv", rows)], None)
        as_of = datetime(2026, 12, 1, tzinfo=UTC)
        one = Period(d2, d2)
        for days, tag in ((2, "CCCC"), (7, "DDDD")):
            cfg = Settings(tags={"poor_read_days": days})  # type: ignore[arg-type]
            whole = compute(store.inputs(), period, cfg, "R", as_of)
            on_d2 = whole.findings.filter(pl.col("business_date") == d2)
            assert {("DOUBLE_CHARGE", "DC2"), ("TAG_CLONE", "CL2")} <= set(
                on_d2.select("code", "txn_id").iter_rows())
            poor = on_d2.filter((pl.col("code") == "TAG_POOR_READ")
                                & pl.col("tag_id").str.ends_with(tag))
            assert poor.height == 1
            assert tag == "CCCC" or "4 times" in poor["detail"].item(), poor["detail"].item()
            scoped = compute(store.inputs(scope(one, cfg, store.table("stations").collect())),
                             one, cfg, "R", as_of, batch_items=store.batch_items)
            _same(scoped, whole, pl.col("business_date") == d2)


def test_a_cash_spike_is_judged_on_the_counted_days_before(tmp_path: Path) -> None:
    """CASH_SHARE_SPIKE reads 28 days before a date: a run of the date alone gets
    them counted per lane and day from the store, and finds what a run over every
    row finds (the generator injects a spike in samples of 8 days or more)."""
    store, period = _store(tmp_path, 9, days=9, passages=1500)
    cfg = Settings()
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    with store:
        whole = compute(store.inputs(), period, cfg, "R", as_of)
        spikes = whole.findings.filter(pl.col("code") == "CASH_SHARE_SPIKE")
        assert spikes.height, "the sample holds a cash spike"
        stations = store.table("stations").collect()
        for day in sorted(set(spikes["business_date"])):
            one = Period(day, day)
            scoped = store.inputs(scope(one, cfg, stations))
            assert scoped.lane_days is not None
            assert scoped.lanes.select(pl.col("business_date").min()).collect().item() > (
                day - timedelta(days=cfg.fraud.cash_lookback_days)), "counted, not read"
            _same(compute(scoped, one, cfg, "R", as_of, batch_items=store.batch_items), whole,
                  pl.col("business_date") == day)


def test_the_look_back_covers_the_rules_windows(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, 3, days=1, passages=300)
    with store:
        stations = store.table("stations").collect()
    assert lookback_days(Settings(), stations) == 28  # CASH_SHARE_SPIKE's days before
    short = {"cash_lookback_days": 1}
    assert lookback_days(Settings(fraud=short), stations) == 6  # type: ignore[arg-type]
    one_day = Settings(tags={"poor_read_days": 1}, fraud=short)  # type: ignore[arg-type]
    # the farthest stations are ~1,700 km apart: 150 km/h needs the day before
    assert lookback_days(one_day, stations) == 1
    slow = Settings(tags={"poor_read_days": 1},  # type: ignore[arg-type]
                    fraud={**short, "clone_speed_kmh": 20.0})
    assert lookback_days(slow, stations) >= 3
    assert lookback_days(one_day, stations.clear()) == 1


def test_chunks_cover_the_period_once() -> None:
    period = Period(datetime(2026, 1, 30).date(), datetime(2026, 2, 3).date())
    for days in (1, 2, 5, 9):
        pieces = list(chunks(period, days))
        covered = [d for p in pieces for d in p.dates()]
        assert covered == list(period.dates())
        assert all(p.days <= days for p in pieces)


def test_a_period_in_chunks_is_the_period_in_one_piece(tmp_path: Path) -> None:
    store, period = _store(tmp_path, 11, days=4, passages=1200)
    cfg = Settings()
    with store:
        as_of = datetime(2026, 11, 4, 6, tzinfo=UTC)
        runs = {}
        for days in (1, 3, 4):
            result = reconcile(store, period, cfg, as_of=as_of, chunk_days=days)
            runs[days] = {t: _canonical(store.run_table(t, result.run_id).drop("run_id",
                                                                                strict=False))
                          for t in (*TABLES, "lifecycle")}
        for days in (3, 4):
            for t, frame in runs[days].items():
                assert frame.equals(runs[1][t]), f"{t} differs with chunks of {days} days"
