"""The numbers of the discrepancy report, from a stored run.

    report = build_report(store, run_id, fail_at=Severity.HIGH)

Everything comes from the run's own tables (findings, lifecycle, tieouts,
traffic) and the station list; the counts against the recorded passages and the
providers' scorecard (reconcile.counted, reconcile.scorecard) read the inputs of
the run's dates from the run's own loads only, so the report of a run stays what
it was when more files arrive. Rendering is `etc.render`'s.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from etc.codes import CATEGORY_OF, ORDER, Code, Severity
from etc.context import Period
from etc.errors import UsageError
from etc.findings import identity
from etc.reports import (
    BY_DAY_SCHEMA,
    BY_STATION_SCHEMA,
    LANE_SCHEMA,
    MONEY_FLOW_SCHEMA,
    REPORT_FINDING_SCHEMA,
    RESOLVED_SCHEMA,
    SUMMARY_SCHEMA,
    Report,
    RunInfo,
    State,
)
from etc.store import Store
from etc.store.notes import NOTE_SCHEMA
from reconcile.counted import build_counted
from reconcile.notes import with_notes
from reconcile.scorecard import build_scorecard


def resolve_run(store: Store, run_id: str | None) -> str:
    """`run_id`, or the latest run when None; a UsageError when there is none."""
    if run_id is None:
        latest = store.latest_run_id()
        if latest is None:
            raise UsageError("no run in the database yet", path=store.path,
                             hint="run 'etc reconcile --date D' first")
        return latest
    if not store.has_run(run_id):
        raise UsageError(f"no run {run_id!r} in the database", path=store.path,
                         hint="the run id is printed by 'etc reconcile'")
    return run_id


def build_report(store: Store, run_id: str, fail_at: Severity = Severity.HIGH,
                 passing_notes: tuple[str, ...] = ()) -> Report:
    """The report of run `run_id` (which must exist); findings whose latest note is
    in `passing_notes` do not count as failing."""
    run = RunInfo.of(store.run_row(run_id))
    earlier = store.earlier_runs(run_id, run.first_date, run.last_date, run.started_at)
    life = store.run_table("lifecycle", run_id)
    found = with_states(store.run_findings(run_id), life, store.latest_notes())
    station_list = store.table("stations").select(
        "station_id", "name", "operator_id", "operator_name").collect()
    stations = station_list.select("station_id", pl.col("name").alias("station_name"))
    ties = store.run_table("tieouts", run_id)
    traffic = store.run_table("traffic", run_id)
    names = provider_names(store)
    return Report(
        run=run,
        previous_run_id=earlier[0] if earlier else None,
        fail_at=fail_at.value,
        findings=found,
        resolved=resolved(life),
        summary=summary(found),
        by_station=by_station(found, stations),
        by_day=by_day(found, run.first_date, run.last_date),
        lanes=lanes(traffic, found),
        money_flow=money_flow(ties),
        accounts=accounts(store),
        pending=store.run_table("pending", run_id),
        provider_names=names,
        quarantine=store.quarantine_summary(run.inputs["load_id"].to_list()).with_columns(
            pl.col("file").str.split("/").list.last()),
        passing_notes=passing_notes,
        counted=build_counted(store, run, found, traffic, station_list),
        scorecard=build_scorecard(store, run, found, traffic, names),
    )


def provider_names(store: Store) -> dict[str, str]:
    """provider_id → name from the providers data (empty when none was loaded)."""
    rows = store.table("providers").select("provider_id", "name").collect()
    return {r["provider_id"]: r["name"] for r in rows.iter_rows(named=True) if r["name"]}


def with_states(found: pl.DataFrame, life: pl.DataFrame,
                notes: pl.DataFrame | None = None) -> pl.DataFrame:
    """The run's findings (in order) with state, first_seen_date and days_open
    from its lifecycle rows (joined on code, identity and business date), their
    finding id and the state and text of their latest note (reconcile.notes)."""
    states = life.filter(pl.col("state") != State.RESOLVED.value).select(
        "code", "identity", "business_date", "state", "first_seen_date", "days_open")
    joined = found.with_columns(identity()).join(
        states, on=["code", "identity", "business_date"], how="left", maintain_order="left")
    joined = with_notes(joined, notes if notes is not None else pl.DataFrame(schema=NOTE_SCHEMA))
    return joined.select(list(REPORT_FINDING_SCHEMA)).cast(REPORT_FINDING_SCHEMA)  # type: ignore[arg-type]


def resolved(life: pl.DataFrame) -> pl.DataFrame:
    """The identities the run resolved, by code (catalogue order) and identity."""
    gone = life.filter(pl.col("state") == State.RESOLVED.value)
    return gone.with_columns(
        pl.col("code").replace_strict(CATEGORY_OF, return_dtype=pl.String).alias("category"),
        pl.col("business_date").alias("last_seen_date"),
        pl.col("code").replace_strict(ORDER, return_dtype=pl.Int32).alias("_order"),
    ).sort("_order", "identity").select(list(RESOLVED_SCHEMA)).cast(RESOLVED_SCHEMA)  # type: ignore[arg-type]


def summary(found: pl.DataFrame) -> pl.DataFrame:
    """Findings and money at risk per category and severity, in catalogue and
    severity order."""
    cats = {"TAG": 0, "MONEY": 1, "FRAUD": 2}
    sevs = {s.value: s.rank for s in Severity}
    return (
        found.group_by("category", "severity")
        .agg(pl.len().alias("findings"), pl.col("amount_at_risk_vnd").sum())
        .sort(pl.col("category").replace_strict(cats, return_dtype=pl.Int8),
              pl.col("severity").replace_strict(sevs, return_dtype=pl.Int8),
              descending=[False, True])
        .select(list(SUMMARY_SCHEMA)).cast(SUMMARY_SCHEMA)  # type: ignore[arg-type]
    )


def by_station(found: pl.DataFrame, stations: pl.DataFrame) -> pl.DataFrame:
    per = (found.filter(pl.col("station_id").is_not_null()).group_by("station_id")
           .agg(pl.len().alias("findings"), pl.col("amount_at_risk_vnd").sum()))
    return (per.join(stations.unique("station_id", keep="first"), on="station_id", how="left")
            .sort(["amount_at_risk_vnd", "findings", "station_id"],
                  descending=[True, True, False])
            .select(list(BY_STATION_SCHEMA)).cast(BY_STATION_SCHEMA))  # type: ignore[arg-type]


def by_day(found: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Findings and money at risk per business date, every date of the run."""
    days = pl.DataFrame({"business_date": list(Period(first, last).dates())},
                        schema={"business_date": pl.Date()})
    per = found.group_by("business_date").agg(
        pl.len().alias("findings"), pl.col("amount_at_risk_vnd").sum())
    return (days.join(per, on="business_date", how="left").fill_null(0)
            .sort("business_date").select(list(BY_DAY_SCHEMA)).cast(BY_DAY_SCHEMA))  # type: ignore[arg-type]


def lanes(traffic: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """Unread share of ETC passages per lane over the run, and whether the lane
    was found degraded on some date."""
    degraded = (found.filter(pl.col("code") == Code.LANE_READ_DEGRADED.value)
                .select("station_id", "lane_id").unique()
                .with_columns(pl.lit(True).alias("degraded")))
    per = (traffic.filter(pl.col("payment_method") == "ETC").group_by("station_id", "lane_id")
           .agg(pl.col("passages").sum().cast(pl.Int64).alias("etc_passages"),
                pl.col("unread").sum().cast(pl.Int64)))
    share = pl.when(pl.col("etc_passages") > 0).then(
        pl.col("unread") / pl.col("etc_passages")).otherwise(0.0)
    return (per.with_columns(share.alias("unread_share"))
            .join(degraded, on=["station_id", "lane_id"], how="left")
            .with_columns(pl.col("degraded").fill_null(False))
            .sort(["unread_share", "station_id", "lane_id"], descending=[True, False, False])
            .select(list(LANE_SCHEMA)).cast(LANE_SCHEMA))  # type: ignore[arg-type]


def money_flow(ties: pl.DataFrame) -> pl.DataFrame:
    return (ties.group_by("station_id")
            .agg(pl.col("charged_vnd", "settled_gross_vnd", "settled_net_vnd", "banked_vnd").sum())
            .sort("station_id").select(list(MONEY_FLOW_SCHEMA)).cast(MONEY_FLOW_SCHEMA))  # type: ignore[arg-type]


def accounts(store: Store) -> tuple[str, ...]:
    """The collection accounts of the stations and of the bank statements."""
    names = set(store.table("stations").select("account").collect()["account"].drop_nulls())
    names |= set(store.table("bank").select("account").collect()["account"].drop_nulls())
    return tuple(sorted(str(a) for a in names))

