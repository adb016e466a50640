"""Night by night, as files arrive in production: night D gets the lanes of D, the
settlement items settled before 06:00 on D+1, the bank lines booked up to D
(etc.generate's `by_night`). Each night reconciles D and looks back at the
earlier dates that await something or received data.

On every night nothing is reported that is not in the truth, but for one honest
exception: a passage whose only item comes late (SETTLEMENT_LATE in the truth)
is SETTLEMENT_MISSING on the nights after its deadline and before its item
arrives — it is missing then. After the last night the latest run of each date
holds exactly the truth, and so does one run over the whole period."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from generated import Identity, identities

from etc.findings import KEY_COLUMNS
from etc.generate import Sample, generate
from etc.settings import Settings
from etc.store import Store
from reconcile.engine import reconcile
from reconcile.nightly import Night, run_night


@dataclass
class Nights:
    sample: Sample
    store: Store
    truth: set[Identity]
    nights: list[Night]
    seen: list[set[Identity]]
    """Per night: the findings of the latest run of every date up to it."""


def _truth(sample: Sample) -> set[Identity]:
    truth = pl.read_csv(sample.truth, try_parse_dates=True, infer_schema=False).with_columns(
        pl.col("business_date").str.to_date())
    missing = [k for k in KEY_COLUMNS if k not in truth.columns]
    return identities(truth.with_columns(pl.lit(None, pl.String).alias(k) for k in missing))


def _latest(store: Store, days: list[date]) -> pl.DataFrame:
    return pl.concat([store.run_findings(store.runs_covering(d)[0])
                      .filter(pl.col("business_date") == d)
                      for d in days if store.runs_covering(d)])


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    tmp = tmp_path_factory.mktemp("nights")
    sample = generate(tmp / "sample", seed=11, days=4, passages=2500, by_night=True)
    store = Store(tmp / "etc.duckdb")
    done: list[Night] = []
    seen: list[set[Identity]] = []
    for folder in sample.nights:
        day = date.fromisoformat(folder.name)
        done.append(run_night(store, folder, tmp / "out", day, Settings()))
        seen.append(identities(_latest(store, [sample.start + timedelta(days=i)
                                               for i in range(len(done))])))
    yield Nights(sample, store, _truth(sample), done, seen)
    store.close()


def test_no_night_reports_what_is_not_so(nights: Nights) -> None:
    late = {t[1:] for t in nights.truth if t[0] == "SETTLEMENT_LATE"}
    for night, found in zip(nights.nights, nights.seen, strict=True):
        false = found - nights.truth
        awaited = {f for f in false if f[0] == "SETTLEMENT_MISSING" and f[1:] in late}
        assert false == awaited, f"night {night.day}: {sorted(map(str, false - awaited))[:5]}"
        for f in awaited:  # its late item had indeed not come by that night
            assert nights.store.query("SELECT count(*) AS n FROM settlements s JOIN loads l "
                                      "USING (load_id) WHERE txn_id = ? AND l.file LIKE ?",
                                      [f[1], f"%/{night.day}/%"]).item() == 0


def test_what_is_not_yet_due_is_pending_and_never_fails_a_night(nights: Nights) -> None:
    first = nights.nights[0].summary
    assert first.pending.items > 0 and first.pending.amount_at_risk_vnd > 0
    assert first.pending.due_by is not None and first.as_of is not None
    assert first.pending.due_by > first.as_of
    assert first.run_id is not None
    severe = ("HIGH", "CRITICAL")
    found = nights.store.run_findings(first.run_id)
    waiting = nights.store.run_table("pending", first.run_id)
    assert waiting.filter(pl.col("severity").is_in(severe)).height > 0
    assert first.failing == found.filter(pl.col("severity").is_in(severe)).height
    assert first.findings == found.height


def test_later_nights_look_back_and_say_why(nights: Nights) -> None:
    assert nights.nights[0].summary.reruns == []
    for i, night in enumerate(nights.nights[1:], start=1):
        dates = [r.business_date for r in night.summary.reruns]
        assert dates == sorted(dates) and all(d < night.day for d in dates)
        assert night.day - timedelta(days=i) in dates, "the first date still awaited items"
        assert all(r.reasons for r in night.summary.reruns)


def test_after_the_last_night_every_date_holds_the_truth(nights: Nights) -> None:
    assert nights.seen[-1] == nights.truth
    last = nights.nights[-1]
    assert last.summary.pending.items == 0


def test_the_nights_end_where_one_run_over_the_period_ends(nights: Nights) -> None:
    start = nights.sample.start
    period_days = [start + timedelta(days=i) for i in range(nights.sample.days)]
    from etc.context import Period

    result = reconcile(nights.store, Period(period_days[0], period_days[-1]), Settings())
    assert identities(nights.store.run_findings(result.run_id)) == nights.truth
    assert result.pending == 0


def test_the_folders_of_reconciled_dates_are_rewritten(nights: Nights, tmp_path: Path) -> None:
    out = nights.nights[-1].folder.parent
    for night in nights.nights:
        summary = (out / night.day.isoformat() / "summary.json").read_text(encoding="utf-8")
        assert f'"business_date": "{night.day}"' in summary
    first = nights.nights[0].day.isoformat()
    rerun_of_first = [r for r in nights.nights[-1].summary.reruns
                      if r.business_date.isoformat() == first]
    if rerun_of_first:
        assert rerun_of_first[0].run_id in (out / first / "summary.json").read_text(
            encoding="utf-8")
