"""Small hand-made report and statement models for the renderer tests.

Numbers are consistent with each other (sums, shares) so a renderer that shows
them can be checked against the model, and text holds the awkward cases: a
detail with markup, a value starting with "=", an account id and a plate.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from etc.outputs import PENDING_SCHEMA
from etc.reports import (
    AWAITING_SCHEMA,
    BY_DAY_SCHEMA,
    BY_STATION_SCHEMA,
    GAP_SCHEMA,
    INPUT_SCHEMA,
    LANE_SCHEMA,
    MONEY_FLOW_SCHEMA,
    REPORT_FINDING_SCHEMA,
    RESOLVED_SCHEMA,
    STATEMENT_DAY_SCHEMA,
    SUMMARY_SCHEMA,
    Report,
    RunInfo,
    Statement,
)

D1, D2 = date(2026, 11, 1), date(2026, 11, 2)
RUN = "R20261101-20261102-0123456789"
AS_OF = datetime(2026, 11, 2, 17, 0, 0, tzinfo=UTC)
"""The sample runs' as-of time: 2026-11-03 00:00 local."""
DUE_EARLY = datetime(2026, 11, 3, 17, 0, 0, tzinfo=UTC)   # 2026-11-04 00:00 local
DUE_LATE = datetime(2026, 11, 4, 17, 0, 0, tzinfo=UTC)    # 2026-11-05 00:00 local


def frame(rows: list[dict[str, object]], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Rows (missing keys null) in `schema`'s columns and types."""
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema,
                        orient="row") if rows else pl.DataFrame(schema=schema)


def run_info(run_id: str = RUN, first: date = D1, last: date = D2,
             as_of: datetime | None = AS_OF) -> RunInfo:
    return RunInfo(
        run_id=run_id, first_date=first, last_date=last, as_of=as_of,
        started_at=datetime(2026, 11, 2, 20, 15, 0, tzinfo=UTC),
        code_version="0.1.0", settings_sha256="ab" * 32, inputs_sha256="cd" * 32,
        inputs=frame([
            {"load_id": 1, "file": "lanes_20261101.csv", "kind": "lanes", "sha256": "11" * 32},
            {"load_id": 2, "file": "tags.parquet", "kind": "tags", "sha256": "22" * 32},
            {"load_id": 3, "file": "bank_VCB.xml", "kind": "bank", "sha256": "33" * 32},
        ], INPUT_SCHEMA))


def _finding(code: str, category: str, severity: str, day: date, amount: int, detail: str,
             state: str = "NEW", first_seen: date | None = None,
             **keys: str) -> dict[str, object]:
    seen = first_seen or day
    return {"run_id": RUN, "code": code, "category": category, "severity": severity,
            "business_date": day, **keys, "amount_at_risk_vnd": amount, "detail": detail,
            "state": state, "first_seen_date": seen, "days_open": (day - seen).days}


FINDINGS = [
    _finding("TAG_NOT_ACTIVE", "TAG", "HIGH", D1, 35_000,
             "tag E2000017221101441890ABCD was BLOCKED at 2026-11-01 07:12:00",
             station_id="S01", lane_id="L1", txn_id="T1", tag_id="E2000017221101441890ABCD",
             plate="51H12345"),
    _finding("LANE_READ_DEGRADED", "TAG", "MEDIUM", D2, 0,
             "lane L3 of S02 had 12 of 80 ETC passages unread (15.0 %)", state="OPEN",
             first_seen=date(2026, 10, 30), station_id="S02", lane_id="L3"),
    _finding("SETTLEMENT_MISSING", "MONEY", "HIGH", D1, 52_000,
             "no settlement for 52,000 VND <script>alert(1)</script>",
             station_id="S01", lane_id="L2", txn_id="T2", tag_id="E2000017221101441890ABCE",
             plate="30A98765"),
    _finding("SETTLEMENT_MISSING", "MONEY", "HIGH", D2, 35_000, "no settlement for 35,000 VND",
             station_id="S02", lane_id="L1", txn_id="T3", tag_id="E2000017221101441890ABCF"),
    _finding("BANK_UNMATCHED_CREDIT", "MONEY", "MEDIUM", D2, 1_250_000,
             "credit of 1,250,000 VND on account 0071000123456 matches no batch",
             entry_id="0071000123456/E77"),
    _finding("DOUBLE_CHARGE", "FRAUD", "HIGH", D2, 35_000,
             "=HYPERLINK(\"http://x\") tag charged twice at S01 within 3 min",
             station_id="S01", lane_id="L1", txn_id="T9", tag_id="E2000017221101441890ABCD",
             staff_id="-staff7"),
]


PENDING = [
    {"code": "BANK_UNMATCHED_CREDIT", "category": "MONEY", "severity": "MEDIUM",
     "business_date": D2, "entry_id": "0071000123456/E88", "amount_at_risk_vnd": 2_000,
     "detail": "credit of 2,000 VND on account 0071000123456 may still find its batch",
     "due_at": DUE_EARLY},
    {"code": "SETTLEMENT_MISSING", "category": "MONEY", "severity": "HIGH",
     "business_date": D2, "station_id": "S01", "lane_id": "L2", "txn_id": "T20",
     "tag_id": "E2000017221101441890ABD0", "plate": "51H67890", "amount_at_risk_vnd": 52_000,
     "detail": "no settlement yet for plate 51H67890 <b>52,000</b> VND", "due_at": DUE_LATE},
    {"code": "BATCH_UNPAID", "category": "MONEY", "severity": "HIGH", "business_date": D2,
     "batch_id": "=B7", "provider_id": "VETC", "amount_at_risk_vnd": 1_180_000,
     "detail": "-batch =B7 has no credit yet on account 0071000123456", "due_at": DUE_EARLY},
]
"""Three items not yet due: 1,234,000 VND, the last due 2026-11-05 00:00 local; a
plate, an account (in a key and in details) and text that would start a formula."""


def sample_report(findings: list[dict[str, object]] | None = None,
                  pending: list[dict[str, object]] | None = None) -> Report:
    """A two-day run with six findings across the three categories, one resolved,
    and the given pending items (none by default; see PENDING)."""
    found = frame(FINDINGS if findings is None else findings, REPORT_FINDING_SCHEMA)
    summary = (found.group_by("category", "severity")
               .agg(pl.len().cast(pl.Int64).alias("findings"),
                    pl.col("amount_at_risk_vnd").sum())
               .sort("category", "severity").cast(SUMMARY_SCHEMA))  # type: ignore[arg-type]
    return Report(
        run=run_info(), previous_run_id="R20261031-20261031-9876543210", fail_at="HIGH",
        findings=found,
        resolved=frame([{"code": "BATCH_UNPAID", "category": "MONEY", "identity": "batch_id=B12",
                         "first_seen_date": date(2026, 10, 29),
                         "last_seen_date": date(2026, 10, 31),
                         "last_seen_run": "R20261031-20261031-9876543210",
                         "amount_at_risk_vnd": 2_400_000,
                         "detail": "batch B12 has no credit on account 0071000123456"}],
                       RESOLVED_SCHEMA),
        summary=summary,
        by_station=frame([
            {"station_id": "S01", "station_name": "Trạm Long Thành", "findings": 3,
             "amount_at_risk_vnd": 122_000},
            {"station_id": "S02", "station_name": "Trạm Dầu Giây", "findings": 2,
             "amount_at_risk_vnd": 35_000},
        ], BY_STATION_SCHEMA),
        by_day=frame([{"business_date": D1, "findings": 2, "amount_at_risk_vnd": 87_000},
                      {"business_date": D2, "findings": 4, "amount_at_risk_vnd": 1_355_000}],
                     BY_DAY_SCHEMA),
        lanes=frame([
            {"station_id": "S02", "lane_id": "L3", "etc_passages": 80, "unread": 12,
             "unread_share": 0.15, "degraded": True},
            {"station_id": "S01", "lane_id": "L1", "etc_passages": 200, "unread": 4,
             "unread_share": 0.02, "degraded": False},
            {"station_id": "S01", "lane_id": "L2", "etc_passages": 150, "unread": 0,
             "unread_share": 0.0, "degraded": False},
        ], LANE_SCHEMA),
        money_flow=frame([
            {"station_id": "S01", "charged_vnd": 12_600_000, "settled_gross_vnd": 12_548_000,
             "settled_net_vnd": 12_422_520, "banked_vnd": 12_422_520},
            {"station_id": "S02", "charged_vnd": 8_400_000, "settled_gross_vnd": 8_365_000,
             "settled_net_vnd": 8_281_350, "banked_vnd": 7_031_350},
        ], MONEY_FLOW_SCHEMA),
        accounts=("0071000123456", "ACC-9001"),
        pending=frame(pending or [], PENDING_SCHEMA),
    )


def _day(station: str, name: str, day: date, run_id: str = RUN, **values: int) -> dict[str, object]:
    row: dict[str, object] = {c: 0 for c, t in STATEMENT_DAY_SCHEMA.items() if t == pl.Int64()}
    row.update(station_id=station, station_name=name, business_date=day, behind="",
               run_id=run_id, **values)
    return row


def statement_days(stations: int, days: int) -> list[dict[str, object]]:
    """`stations` × `days` consistent lines: 100 passages a day per station."""
    rows = []
    for s in range(stations):
        for d in range(days):
            day = date(2026, 11, 1 + d) if days <= 30 else date.fromordinal(D1.toordinal() + d)
            etc_gross, cash_gross = 3_500_000 + 1000 * s, 700_000
            settled = etc_gross - (35_000 if (s + d) % 5 == 0 else 0)
            fee = settled // 100
            banked = settled - fee
            rows.append(_day(
                f"S{s + 1:02d}", f"Station {s + 1}", day,
                passages=100, class1_passages=90, class2_passages=10,
                class1_gross_vnd=etc_gross + cash_gross - 10 * 52_000, class2_gross_vnd=520_000,
                etc_passages=80, cash_passages=18, exempt_passages=2,
                etc_gross_vnd=etc_gross, cash_gross_vnd=cash_gross,
                gross_vnd=etc_gross + cash_gross, settled_gross_vnd=settled, fee_vnd=fee,
                net_vnd=settled - fee, banked_vnd=banked, settle_gap_vnd=etc_gross - settled,
                findings=1 if settled < etc_gross else 0,
                amount_at_risk_vnd=etc_gross - settled))
            if settled < etc_gross:
                rows[-1]["behind"] = "SETTLEMENT_MISSING 1 (35,000)"
    return rows


def statement_awaiting(days: pl.DataFrame) -> list[dict[str, object]]:
    """Three awaited items: a credit on the operator's account (no station), one at
    the first line's station and date, one at the last line's: 1,234,000 VND."""
    first, last = days.row(0, named=True), days.row(-1, named=True)
    return [
        {"station_id": None, "business_date": last["business_date"],
         "code": "BANK_UNMATCHED_CREDIT", "severity": "MEDIUM", "key": "entry_id=ACC1/E88",
         "amount_at_risk_vnd": 2_000, "detail": "credit of 2,000 VND may still find its batch",
         "due_at": DUE_EARLY},
        {"station_id": first["station_id"], "business_date": first["business_date"],
         "code": "SETTLEMENT_MISSING", "severity": "HIGH", "key": "txn_id=T40",
         "amount_at_risk_vnd": 52_000, "detail": "no settlement yet for plate 51H67890",
         "due_at": DUE_LATE},
        {"station_id": last["station_id"], "business_date": last["business_date"],
         "code": "BATCH_UNPAID", "severity": "HIGH", "key": "batch_id=B7",
         "amount_at_risk_vnd": 1_180_000, "detail": "=batch B7 has no credit yet",
         "due_at": DUE_EARLY},
    ]


def sample_statement(stations: int = 2, days: int = 2, awaiting: bool = False) -> Statement:
    """Operator OP1's statement: `stations` × `days` lines, their total and gaps
    (and, with `awaiting`, three items not yet due; see statement_awaiting)."""
    days_frame = frame(statement_days(stations, days), STATEMENT_DAY_SCHEMA)
    sums = days_frame.select(pl.col(c).sum() for c, t in STATEMENT_DAY_SCHEMA.items()
                             if t == pl.Int64())
    total = sums.with_columns(
        pl.lit("TOTAL").alias("station_id"), pl.lit(None, pl.String).alias("station_name"),
        pl.lit(None, pl.Date).alias("business_date"),
        pl.lit("SETTLEMENT_MISSING " + str(int(sums["findings"].item())), pl.String)
        .alias("behind"),
        pl.lit(RUN).alias("run_id"),
    ).select(list(STATEMENT_DAY_SCHEMA))
    gaps = [
        {"station_id": r["station_id"], "business_date": r["business_date"],
         "code": "SETTLEMENT_MISSING", "severity": "HIGH", "key": f"txn_id=T{i}",
         "amount_at_risk_vnd": 35_000, "detail": "no settlement for 35,000 VND"}
        for i, r in enumerate(days_frame.filter(pl.col("findings") > 0).iter_rows(named=True))]
    if gaps:
        gaps[0]["detail"] = "=cmd|' /C calc'!A0 no settlement for 35,000 VND"
    info = run_info(last=date.fromordinal(D1.toordinal() + days - 1))
    return Statement(operator_id="OP1", first_date=D1,
                     last_date=date.fromordinal(D1.toordinal() + days - 1),
                     days=days_frame, total=total, gaps=frame(gaps, GAP_SCHEMA),
                     runs=(info,), inputs=info.inputs,
                     awaiting=frame(statement_awaiting(days_frame) if awaiting else [],
                                    AWAITING_SCHEMA))
