"""A statement leaves no gap without its finding: a batch whose items are of
several days (or stations) has its finding on the line of its last item, and the
other lines the batch touches name it with its date ("BATCH_UNPAID 1 (…) dated
2026-11-02") without counting it again."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from etc.context import Period
from etc.generate import generate
from etc.ingest import ingest_paths
from etc.render.statement_csv import write_statement_csv
from etc.settings import Settings
from etc.store import Store
from ledgers.statement import BATCH_CODES, build_statement
from reconcile.engine import reconcile

LINK = re.compile(r"(\w+) (\d+) \(([\d,]+)\) dated (\d{4}-\d{2}-\d{2})(?: at (\S+))?$")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("links")
    sample = generate(root / "sample", seed=31, days=3, passages=800)
    opened = Store(root / "etc.duckdb")
    ingest_paths(opened, [p for paths in sample.files.values() for p in paths])
    reconcile(opened, Period(sample.start, sample.start + timedelta(days=2)), Settings())
    yield opened
    opened.close()


def test_every_bank_gap_names_its_finding_and_links_point_at_real_ones(store: Store) -> None:
    [run_id] = store.runs()["run_id"].to_list()
    run = store.run_row(run_id)
    found = store.run_findings(run_id)
    batches = found.filter(pl.col("code").is_in(BATCH_CODES))
    touched = store.batch_days(run_id, batches["batch_id"].to_list())
    operators = store.table("stations").select("operator_id").unique().collect()
    links = 0
    for op in sorted(operators["operator_id"].to_list()):
        statement = build_statement(store, op, run.first_date, run.last_date)
        days = statement.days
        # no bank gap is left without a finding behind it, on its line or linked
        assert days.filter((pl.col("bank_gap_vnd") != 0) & (pl.col("behind") == "")).is_empty()
        # a linked finding is counted on its own line only
        assert statement.gaps.filter(pl.col("station_id").is_not_null()).height == \
            days["findings"].sum()
        for line in days.filter(pl.col("behind").str.contains(" dated ")).iter_rows(named=True):
            for part in line["behind"].split("; "):
                m = LINK.match(part)
                if m is None:
                    continue
                links += 1
                code, n, amount, dated = m.group(1), int(m.group(2)), m.group(3), m.group(4)
                # the finding exists, of that code and date, on a batch with items of the line
                mine = batches.filter(
                    pl.col("code") == code,
                    pl.col("business_date") == date.fromisoformat(dated)).select(
                    "batch_id", pl.col("station_id").alias("at"), "amount_at_risk_vnd").join(
                    touched.filter(pl.col("station_id") == line["station_id"],
                                   pl.col("business_date") == line["business_date"]),
                    on="batch_id")
                if m.group(5):  # on another station's line
                    mine = mine.filter(pl.col("at") == m.group(5))
                else:
                    assert dated != line["business_date"].isoformat(), part
                    mine = mine.filter(pl.col("at").is_null()
                                       | (pl.col("at") == line["station_id"]))
                assert mine.height == n, part
                assert f"{mine['amount_at_risk_vnd'].sum():,}" == amount, part
    assert links > 0


def test_the_statement_csv_stays_rectangular_and_says_the_link_in_its_language(
        store: Store, tmp_path: Path) -> None:
    """The link is in the DAY line's `behind` cell; in Vietnamese its date and
    word follow the language, like the amounts."""
    [run_id] = store.runs()["run_id"].to_list()
    run = store.run_row(run_id)
    operators = store.table("stations").select("operator_id").unique().collect()
    linked = [s for s in (build_statement(store, op, run.first_date, run.last_date)
                          for op in sorted(operators["operator_id"].to_list()))
              if s.days["behind"].str.contains(" dated ").any()]
    assert linked
    statement = linked[0]
    line = statement.days.filter(pl.col("behind").str.contains(" dated ")).row(0, named=True)
    m = re.search(r" dated (\d{4})-(\d{2})-(\d{2})", line["behind"])
    assert m is not None
    for lang in ("en", "vi"):
        path = tmp_path / f"{lang}.csv"
        write_statement_csv(statement, path, lang)  # type: ignore[arg-type]
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and all(None not in r and None not in r.values() for r in rows)
        days = [r for r in rows if r["line"] == "DAY" and r["station_id"] == line["station_id"]
                and r["business_date"] == line["business_date"].isoformat()]
        [cell] = [r["behind"] for r in days]
        if lang == "en":
            assert cell == line["behind"]
        else:
            assert f" ngày {m.group(3)}/{m.group(2)}/{m.group(1)}" in cell
            assert " dated " not in cell
