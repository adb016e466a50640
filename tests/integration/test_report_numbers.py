"""The report's and the statement's numbers against the stored inputs and run: each
figure recomputed here from the lanes table or the run's own tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import polars as pl
import pytest

from etc.context import Period
from etc.generate import generate
from etc.ingest import ingest_paths
from etc.settings import Settings
from etc.store import Store
from ledgers.statement import build_statement
from reconcile.engine import reconcile
from reconcile.report import build_report


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("numbers")
    sample = generate(root / "sample", seed=31, days=3, passages=800)
    opened = Store(root / "etc.duckdb")
    ingest_paths(opened, [p for paths in sample.files.values() for p in paths])
    first = sample.start
    reconcile(opened, Period(first, first), Settings())
    reconcile(opened, Period(first + timedelta(days=1), first + timedelta(days=3)), Settings())
    yield opened
    opened.close()


def test_report_figures(store: Store) -> None:
    runs = store.runs()
    first_run, run = runs["run_id"][0], runs["run_id"][1]
    report = build_report(store, run)
    assert report.previous_run_id == first_run
    info = report.run
    # every date of the period, zeros included (the 4th day has no passages)
    assert report.by_day["business_date"].to_list() == [
        info.first_date + timedelta(days=i) for i in range(3)]
    assert report.by_day["findings"].sum() == report.findings.height
    assert report.findings["state"].null_count() == 0
    assert set(report.findings["state"]) <= {"NEW", "OPEN"}
    # unread share per lane from the lanes table itself
    lanes = (store.table("lanes").filter(
        pl.col("business_date").is_between(info.first_date, info.last_date)
        & (pl.col("payment_method") == "ETC")).collect()
        .group_by("station_id", "lane_id")
        .agg(pl.len().cast(pl.Int64).alias("n"), (pl.col("read_count") == 0).sum().alias("u")))
    got = report.lanes.join(lanes, on=["station_id", "lane_id"], how="full", coalesce=True)
    assert got.height == lanes.height == report.lanes.height
    assert (got["etc_passages"] == got["n"]).all() and (got["unread"] == got["u"]).all()
    # money flow = the run's tie-outs summed per station
    ties = store.run_table("tieouts", run)
    assert report.money_flow["banked_vnd"].sum() == ties["banked_vnd"].sum()
    assert report.money_flow["charged_vnd"].sum() == ties["charged_vnd"].sum()
    assert report.summary["findings"].sum() == report.findings.height


def test_statement_lines_add_up(store: Store) -> None:
    runs = store.runs()
    first = runs["first_date"][0]
    op = store.table("stations").select("operator_id").collect()["operator_id"].min()
    assert isinstance(op, str)
    statement = build_statement(store, op, first, first + timedelta(days=2))
    assert [r.run_id for r in statement.runs] == runs["run_id"].to_list()
    days = statement.days
    assert days.height == days.select("station_id").n_unique() * 3
    assert (days["passages"] == sum(days[f"class{c}_passages"] for c in range(1, 6))).all()
    assert (days["passages"] == days["etc_passages"] + days["cash_passages"]
            + days["exempt_passages"]).all()
    assert (days["gross_vnd"] == sum(days[f"class{c}_gross_vnd"] for c in range(1, 6))).all()
    assert (days["net_vnd"] == days["settled_gross_vnd"] - days["fee_vnd"]).all()
    assert (days["bank_gap_vnd"] == days["net_vnd"] - days["banked_vnd"]).all()
    assert (days["settle_gap_vnd"] == days["etc_gross_vnd"] - days["settled_gross_vnd"]).all()
    total = statement.total.row(0, named=True)
    for col in ("passages", "gross_vnd", "banked_vnd"):
        assert total[col] == days[col].sum(), col
    # the total's findings: the station lines' and the credits on the operator's
    # accounts that pay no batch (no station)
    gaps = statement.gaps
    assert gaps.height == total["findings"]
    assert gaps["amount_at_risk_vnd"].sum() == total["amount_at_risk_vnd"]
    on_lines = gaps.filter(pl.col("station_id").is_not_null())
    assert on_lines.height == days["findings"].sum()
    assert set(gaps.filter(pl.col("station_id").is_null())["code"]) <= {"BANK_UNMATCHED_CREDIT"}
    assert total["run_id"] is None  # two runs
    # the lanes table agrees on passages per station and date
    lanes = store.table("lanes").filter(
        pl.col("station_id").is_in(days["station_id"].unique().to_list())
        & pl.col("business_date").is_between(first, first + timedelta(days=2))).collect()
    assert days["passages"].sum() == lanes.height
