"""The numbers of a toll operator's settlement statement, from stored runs.

    statement = build_statement(store, "OP01", date(2026, 11, 1), date(2026, 11, 7))

One line per station of the operator and business date: passages and gross toll
by charged class and payment method (the run's `traffic`), settled gross,
provider fees, net and banked (its `tieouts`), the two gaps, and the MONEY and
FRAUD findings of the station and date behind them — and, after those, the
findings on a whole batch dated on another line whose batch holds items of this line's
passages ("BATCH_AMOUNT_MISMATCH 1 (40,000) dated 2026-11-02": a batch mixing two
days, paid gross, leaves a bank gap on both days and is dated on its last item's;
counted on its own line only). Credits on the operator's
collection accounts that pay no batch (BANK_UNMATCHED_CREDIT, no station) are
among its gaps and in its total, on no station's line. Each date rests on the most
recently started run whose period holds it; a date no run covers is an error,
not a zero.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from etc.codes import IDENTITY, ORDER, Category, Code
from etc.context import Period
from etc.errors import UsageError
from etc.findings import identity, vnd
from etc.reports import (
    AWAITING_SCHEMA,
    CLASSES,
    GAP_SCHEMA,
    INPUT_SCHEMA,
    METHODS,
    STATEMENT_DAY_SCHEMA,
    RunInfo,
    Statement,
)
from etc.store import Store

GAP_CATEGORIES = (Category.MONEY.value, Category.FRAUD.value)
BATCH_CODES = tuple(c.value for c, keys in IDENTITY.items() if keys == ("batch_id",))
"""Findings on a whole batch (BATCH_UNPAID, BATCH_AMOUNT_MISMATCH), dated on its last item."""
_SUMS = [c for c, t in STATEMENT_DAY_SCHEMA.items() if t == pl.Int64()]


def build_statement(store: Store, operator_id: str, first: date, last: date,
                    run_id: str | None = None) -> Statement:
    """Operator `operator_id`'s statement for `first`..`last` (UsageError for an
    unknown operator, a reversed range, or a date no run covers). Each date rests
    on the most recently started run holding it, or on `run_id` when given and
    holding it."""
    if last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    stations = operator_stations(store, operator_id)
    credits = unmatched_credit_accounts(store, operator_id)
    dates = list(Period(first, last).dates())
    by_run: dict[str, list[date]] = {}
    for d in dates:
        covering = store.runs_covering(d)
        if run_id in covering:
            covering = [run_id]
        if not covering:
            raise UsageError(f"no run covers the business date {d}", path=store.path,
                             hint=f"run 'etc reconcile --date {d}' first")
        by_run.setdefault(covering[0], []).append(d)
    lines, gaps, awaiting = [], [], []
    for run_id, run_dates in by_run.items():
        keep = pl.col("business_date").is_in(run_dates) & pl.col("station_id").is_in(
            stations["station_id"].to_list())
        everything = store.run_findings(run_id)
        run_found = everything.filter(pl.col("business_date").is_in(run_dates))
        found = run_found.filter(keep & pl.col("category").is_in(GAP_CATEGORIES))
        lines.append(day_lines(
            stations, run_dates, store.run_table("traffic", run_id).filter(keep),
            store.run_table("tieouts", run_id).filter(keep), found, run_id,
            links_elsewhere(store, run_id, everything).filter(keep)))
        # credits on the operator's accounts that pay no batch: no station, still its gap
        on_accounts = run_found.filter(pl.col("code") == Code.BANK_UNMATCHED_CREDIT.value).join(
            credits, on="entry_id", how="semi")
        gaps.append(gap_rows(pl.concat([found, on_accounts])))
        waiting = store.run_table("pending", run_id).filter(
            pl.col("business_date").is_in(run_dates))
        mine = waiting.filter(pl.col("station_id").is_in(stations["station_id"].to_list())
                              & pl.col("category").is_in(GAP_CATEGORIES))
        theirs = waiting.filter(pl.col("code") == Code.BANK_UNMATCHED_CREDIT.value).join(
            credits, on="entry_id", how="semi")
        awaiting.append(pl.concat([mine, theirs]).with_columns(identity().alias("key"))
                        .select(list(AWAITING_SCHEMA)).cast(AWAITING_SCHEMA))  # type: ignore[arg-type]
    days = pl.concat(lines).sort("station_id", "business_date")
    runs = tuple(RunInfo.of(store.run_row(r)) for r in by_run)
    inputs = own_inputs(store, operator_id, pl.concat([r.inputs for r in runs]).unique(
        ["file", "sha256"], keep="first").sort("load_id", "file").cast(INPUT_SCHEMA))  # type: ignore[arg-type]
    all_gaps = pl.concat(gaps)
    return Statement(
        operator_id=operator_id, first_date=first, last_date=last, days=days,
        total=total_line(days, all_gaps, [r.run_id for r in runs]),
        gaps=all_gaps.sort("station_id", "business_date",
                           pl.col("code").replace_strict(ORDER, return_dtype=pl.Int32), "key"),
        runs=runs, inputs=inputs, operator_name=operator_name(store, operator_id),
        awaiting=pl.concat(awaiting).sort(
            "station_id", "business_date",
            pl.col("code").replace_strict(ORDER, return_dtype=pl.Int32), "key", nulls_last=False))


def unmatched_credit_accounts(store: Store, operator_id: str) -> pl.DataFrame:
    """entry_id as BANK_UNMATCHED_CREDIT reports it — "account/entry_id", or the
    bare entry id where only one account has it — of every bank entry on a
    collection account of the operator's stations."""
    accounts = (store.table("stations").filter(pl.col("operator_id") == operator_id)
                .select("account").unique().collect())
    entries = store.table("bank").select("account", "entry_id").collect()
    shared = entries.group_by("entry_id").agg(pl.col("account").n_unique().alias("n"))
    mine = entries.join(accounts, on="account", how="semi").join(shared, on="entry_id")
    return mine.select(pl.when(pl.col("n") > 1)
                       .then(pl.concat_str("account", pl.lit("/"), "entry_id"))
                       .otherwise(pl.col("entry_id")).alias("entry_id")).unique()


SHARED_KINDS = ("tags", "stations", "tariffs", "exemptions", "providers")
"""Reference data every operator's statement rests on, whoever's rows they hold."""


def own_inputs(store: Store, operator_id: str, inputs: pl.DataFrame) -> pl.DataFrame:
    """The input files of `inputs` that concern the operator: the shared reference
    data, and the lanes, settlement, count and bank files holding a row of its
    stations or accounts (not other operators' bank statements)."""
    ids = inputs.filter(~pl.col("kind").is_in(SHARED_KINDS))["load_id"].to_list()
    mine = store.loads_of_operator(operator_id, ids)
    return inputs.filter(pl.col("kind").is_in(SHARED_KINDS) | pl.col("load_id").is_in(mine))


def operator_name(store: Store, operator_id: str) -> str | None:
    """The operator's name (stations.operator_name of its first station having one)."""
    names = (store.table("stations").filter(pl.col("operator_id") == operator_id)
             .select("station_id", "operator_name").collect()
             .filter(pl.col("operator_name").is_not_null() & (pl.col("operator_name") != ""))
             .sort("station_id"))
    return str(names["operator_name"][0]) if names.height else None


def operator_stations(store: Store, operator_id: str) -> pl.DataFrame:
    """station_id, station_name of the operator's stations (UsageError when none)."""
    stations = store.table("stations").select(
        "station_id", pl.col("name").alias("station_name"), "operator_id").collect()
    mine = stations.filter(pl.col("operator_id") == operator_id)
    if mine.is_empty():
        known = sorted(set(stations["operator_id"].drop_nulls().to_list()))
        raise UsageError(f"no station of operator {operator_id!r} in the database",
                         hint="operators: " + (", ".join(known) if known else "none loaded"))
    return mine.select("station_id", "station_name").unique("station_id", keep="first")


def links_elsewhere(store: Store, run_id: str, found: pl.DataFrame) -> pl.DataFrame:
    """station_id, business_date, link: per station-day whose passages have items
    in a batch that a finding of the run on the whole batch (BATCH_CODES) names,
    when that finding is on another line (another date, or another station),
    "CODE n (amount) dated YYYY-MM-DD[ at STATION]" in catalogue order, "; "-joined.
    Item findings are not linked: they are on their passage's own line."""
    batch = found.filter(pl.col("code").is_in(BATCH_CODES)
                         & pl.col("batch_id").is_not_null()).select(
        "code", "batch_id", pl.col("business_date").alias("dated"),
        pl.col("station_id").alias("at"), "amount_at_risk_vnd")
    days = store.batch_days(run_id, batch["batch_id"].unique().sort().to_list())
    touched = batch.join(days, on="batch_id").filter(
        (pl.col("business_date") != pl.col("dated"))
        | (pl.col("station_id") != pl.col("at")).fill_null(True))
    other_station = pl.col("at").is_not_null() & (pl.col("at") != pl.col("station_id"))
    text = pl.concat_str(
        pl.col("code"), pl.lit(" "), pl.col("n").cast(pl.String), pl.lit(" ("),
        vnd(pl.col("amount_at_risk_vnd")), pl.lit(") dated "),
        pl.col("dated").dt.to_string("%Y-%m-%d"),
        pl.when(other_station).then(pl.lit(" at ") + pl.col("at")).otherwise(pl.lit("")))
    return (touched.group_by("station_id", "business_date", "code", "dated", "at")
            .agg(pl.len().alias("n"), pl.col("amount_at_risk_vnd").sum())
            .with_columns(pl.col("code").replace_strict(ORDER, return_dtype=pl.Int32).alias("_o"))
            .sort("station_id", "business_date", "_o", "dated", "at", nulls_last=False)
            .group_by("station_id", "business_date", maintain_order=True)
            .agg(text.str.join("; ").alias("link")))


def day_lines(stations: pl.DataFrame, dates: list[date], traffic: pl.DataFrame,
              ties: pl.DataFrame, found: pl.DataFrame, run_id: str,
              links: pl.DataFrame | None = None) -> pl.DataFrame:
    """STATEMENT_DAY_SCHEMA lines for every station × date (zeros where nothing);
    `links` (links_elsewhere) follow the line's own findings in `behind`."""
    grid = stations.join(pl.DataFrame({"business_date": dates}, schema={"business_date": pl.Date}),
                         how="cross")
    cls, method = pl.col("charged_class"), pl.col("payment_method")
    per = traffic.group_by("station_id", "business_date").agg(
        pl.col("passages").sum().alias("passages"),
        *[pl.col("passages").filter(cls == c).sum().alias(f"class{c}_passages") for c in CLASSES],
        *[pl.col("gross_vnd").filter(cls == c).sum().alias(f"class{c}_gross_vnd")
          for c in CLASSES],
        *[pl.col("passages").filter(method == m).sum().alias(f"{m.lower()}_passages")
          for m in METHODS],
        *[pl.col("gross_vnd").filter(method == m).sum().alias(f"{m.lower()}_gross_vnd")
          for m in METHODS],
        pl.col("gross_vnd").sum(),
    )
    money = ties.select("station_id", "business_date", "settled_gross_vnd", "fee_vnd",
                        pl.col("settled_net_vnd").alias("net_vnd"), "banked_vnd",
                        "settle_gap_vnd", "bank_gap_vnd")
    behind = findings_per_day(found)
    joined = (grid.join(per, on=["station_id", "business_date"], how="left")
              .join(money, on=["station_id", "business_date"], how="left")
              .join(behind, on=["station_id", "business_date"], how="left"))
    if links is None:
        links = pl.DataFrame(schema={"station_id": pl.String, "business_date": pl.Date,
                                     "link": pl.String})
    joined = joined.join(links, on=["station_id", "business_date"], how="left")
    return joined.with_columns(
        *[pl.col(c).fill_null(0) for c in _SUMS],
        pl.concat_str(pl.col("behind"), pl.col("link"), separator="; ",
                      ignore_nulls=True).fill_null(""),
        pl.lit(run_id).alias("run_id"),
    ).select(list(STATEMENT_DAY_SCHEMA)).cast(STATEMENT_DAY_SCHEMA)  # type: ignore[arg-type]


def findings_per_day(found: pl.DataFrame) -> pl.DataFrame:
    """station_id, business_date, findings, amount_at_risk_vnd, behind."""
    return (behind_text(found.group_by("station_id", "business_date", "code").agg(
                pl.len().alias("n"), pl.col("amount_at_risk_vnd").sum()),
                ["station_id", "business_date"]))


def behind_text(per_code: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per `keys`: Σ findings, Σ amount and "CODE n (amount); …" in catalogue order."""
    text = pl.concat_str(pl.col("code"), pl.lit(" "), pl.col("n").cast(pl.String),
                         pl.lit(" ("), vnd(pl.col("amount_at_risk_vnd")), pl.lit(")"))
    return (per_code.with_columns(
                pl.col("code").replace_strict(ORDER, return_dtype=pl.Int32).alias("_o"))
            .sort(*keys, "_o")
            .group_by(keys, maintain_order=True)
            .agg(pl.col("n").sum().cast(pl.Int64).alias("findings"),
                 pl.col("amount_at_risk_vnd").sum(),
                 text.str.join("; ").alias("behind")))


def gap_rows(found: pl.DataFrame) -> pl.DataFrame:
    """GAP_SCHEMA: one row per finding, its identity as the key."""
    return found.with_columns(identity().alias("key")).select(list(GAP_SCHEMA)).cast(
        GAP_SCHEMA)  # type: ignore[arg-type]


def total_line(days: pl.DataFrame, gaps: pl.DataFrame, runs: list[str]) -> pl.DataFrame:
    """The statement's total: every money and count column summed, the findings
    behind it per code, the run id when a single run."""
    sums = days.select(pl.col(c).sum() for c in _SUMS if c not in ("findings",
                                                                   "amount_at_risk_vnd"))
    per_code = gaps.with_columns(pl.lit("TOTAL").alias("station_id")).group_by(
        "station_id", "code").agg(pl.len().alias("n"), pl.col("amount_at_risk_vnd").sum())
    behind = behind_text(per_code, ["station_id"])
    if behind.is_empty():
        behind = pl.DataFrame({"station_id": ["TOTAL"], "findings": [0],
                               "amount_at_risk_vnd": [0], "behind": [""]})
    row = sums.with_columns(pl.lit("TOTAL").alias("station_id")).join(behind, on="station_id")
    return row.with_columns(
        pl.lit(None, pl.String).alias("station_name"),
        pl.lit(None, pl.Date).alias("business_date"),
        pl.lit(runs[0] if len(runs) == 1 else None, pl.String).alias("run_id"),
    ).select(list(STATEMENT_DAY_SCHEMA)).cast(STATEMENT_DAY_SCHEMA)  # type: ignore[arg-type]

