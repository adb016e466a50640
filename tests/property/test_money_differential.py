"""The MONEY rules in Polars (reconcile.registry) against an independent DuckDB SQL
reading of findings.md (tests/reference_sql.py), on random small data loaded into
a store: the same (code, business_date, identity keys, amount_at_risk_vnd) rows.

Each example draws a few stations (two sharing a collection account), tariffs
(some changing mid-period, some overlapping, some classes without any), passages
(random payment methods, overrides, classes and amounts, some off-tariff, some
near local midnight), tags with random status histories, settlement items (none,
one or several per passage, from either provider, right or wrong amounts,
reversals, ties in settled_at, late ones, orphans) and bank entries (credits by
reference, by remittance text, with the id wrapped by a space, by amount only, of
a wrong amount, twice, duplicated amounts, unknown batch ids, debits), and the
two settings the MONEY rules have.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from literal import TAG_A, TAG_B, TAG_C, entry, frame, item, lane, station, tag, tariff
from reference_sql import MONEY_CODES, reference_findings

from etc.codes import IDENTITY, Code
from etc.context import Period
from etc.schemas import SCHEMAS, Kind
from etc.settings import MoneySettings, Settings
from etc.store import Store

DAY0 = date(2026, 11, 1)
PROVIDERS = ("VETC", "EPASS")
STATUSES = ("ACTIVE", "ACTIVE", "LOW_BALANCE", "BLOCKED", "LOST", "EXPIRED")
TARIFF = {1: 35_000, 2: 52_000, 3: 87_000}
Rows = dict[str, list[dict[str, Any]]]


def stamp(day_offset: int, minute_of_day: int) -> datetime:
    """A naive local time (read as UTC+07:00 by tests/literal.py)."""
    return datetime.combine(DAY0 + timedelta(days=day_offset), datetime.min.time()) \
        + timedelta(minutes=minute_of_day)


def text(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


MINUTES = st.one_of(st.integers(0, 24 * 60 - 1), st.sampled_from([0, 1, 24 * 60 - 1]))


@st.composite
def reference_data(draw: st.DrawFn, stations: list[str]) -> Rows:
    rows: Rows = {"stations": [station(s, account=f"ACCT-OP{i % 2}")
                               for i, s in enumerate(stations)], "tariffs": []}
    for s in stations:
        for cls, base in TARIFF.items():
            shape = draw(st.sampled_from(["plain", "plain", "change", "overlap", "none"]))
            if shape != "none":
                rows["tariffs"].append(tariff(
                    s, cls, base, valid_to="2026-11-01" if shape == "change" else None))
            if shape in ("change", "overlap"):
                rows["tariffs"].append(tariff(s, cls, base + 5_000, valid_from="2026-11-02"))
    rows["tags"] = []
    for t in (TAG_A, TAG_B, TAG_C):
        starts = draw(st.lists(st.tuples(st.integers(-3, 2), MINUTES), max_size=3,
                               unique=True))
        for off, minute in starts:
            rows["tags"].append(tag(t, provider_id=draw(st.sampled_from(PROVIDERS)),
                                    status=draw(st.sampled_from(STATUSES)),
                                    valid_from=text(stamp(off, minute))))
    return rows


@st.composite
def passages(draw: st.DrawFn, stations: list[str]) -> list[dict[str, Any]]:
    out = []
    for k in range(draw(st.integers(0, 14))):
        cls = draw(st.integers(1, 3))
        amount = draw(st.sampled_from([TARIFF[cls]] * 3 + [TARIFF[cls] + 5_000,
                                                          TARIFF[cls] - 1_000, 0]))
        out.append(lane(
            f"T{k:02d}", station_id=draw(st.sampled_from(stations)),
            lane_id=draw(st.sampled_from(["L01", "L02"])),
            passed_at=text(stamp(draw(st.integers(-1, 2)), draw(MINUTES))),
            payment_method=draw(st.sampled_from(["ETC"] * 4 + ["CASH", "EXEMPT"])),
            tag_id=draw(st.sampled_from([TAG_A, TAG_B, TAG_C] * 2 + [None, "E2801160BAD"])),
            charged_class=cls, avc_class=draw(st.integers(1, 3)), amount_vnd=amount,
            override=draw(st.sampled_from([None] * 5 + ["CLASS", "MANUAL_ENTRY", "VOID",
                                                        "FREE_PASS"]))))
    return out


def local_day(t: datetime) -> str:
    return t.strftime("%Y%m%d")


@st.composite
def items_for(draw: st.DrawFn, lanes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Settlement items (ids shuffled, so settlement_id order is not time order)."""
    drafts: list[tuple[str, str, int, datetime]] = []
    for p in lanes:
        passed = datetime.fromisoformat(p["passed_at"])
        last = passed
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 1, 2, 3]))):
            if draw(st.integers(0, 4)) > 0 or last == passed:
                last = passed + timedelta(minutes=draw(st.integers(1, 80 * 60)))
            amount = draw(st.sampled_from([p["amount_vnd"]] * 4 + [p["amount_vnd"] + 1_000,
                                                                   -p["amount_vnd"]]))
            drafts.append((p["txn_id"], p["station_id"], amount, last))
    for g in range(draw(st.integers(0, 2))):
        drafts.append((f"GHOST{g}", "ST01", 35_000, stamp(draw(st.integers(-1, 2)),
                                                          draw(MINUTES))))
    ids = draw(st.permutations(range(len(drafts))))
    out = []
    for n, (txn, st_id, amount, at_) in zip(ids, drafts, strict=True):
        prov = draw(st.sampled_from(PROVIDERS))
        out.append(item(f"S{n:03d}", txn, provider_id=prov, station_id=st_id, amount_vnd=amount,
                        fee_vnd=draw(st.sampled_from([0, 0, 500])), settled_at=text(at_),
                        batch_id=f"B-{prov}-{st_id}-{local_day(at_)}"))
    return out


@st.composite
def bank_for(draw: st.DrawFn, items: list[dict[str, Any]],
             accounts: dict[str, str]) -> list[dict[str, Any]]:
    batches: dict[str, dict[str, Any]] = {}
    for i in items:
        b = batches.setdefault(i["batch_id"], {"net": 0, "last": "", "station": i["station_id"]})
        b["net"] += i["amount_vnd"] - i["fee_vnd"]
        b["last"] = max(b["last"], i["settled_at"])
    out: list[dict[str, Any]] = []

    def credit(acct: str, booked: date, amount: int, **kw: Any) -> None:
        out.append(entry(f"FT{len(out):05d}", account=acct, booking_date=booked.isoformat(),
                         amount_vnd=max(amount, 1), **kw))

    by_amount: list[dict[str, Any]] = []
    for bid, b in sorted(batches.items()):
        acct = accounts[b["station"]]
        booked = datetime.fromisoformat(b["last"]).date() + timedelta(
            days=draw(st.sampled_from([0, 1, 1, 2, 3, 4, -1])))
        how = draw(st.sampled_from(["ref", "ref", "remit", "wrapped", "amount", "amount",
                                    "wrong", "none", "twice"]))
        cut = draw(st.integers(1, len(bid) - 1))
        if how in ("ref", "twice", "wrong"):
            credit(acct, booked, b["net"] + (10_000 if how == "wrong" else 0), reference=bid)
        if how == "twice":
            credit(acct, booked, b["net"], reference=bid, remittance=f"lan 2 {bid}")
        if how in ("remit", "wrapped"):
            shown = bid if how == "remit" else f"{bid[:cut]} {bid[cut:]}"
            credit(acct, booked, b["net"], remittance=f"VETC TT phi ETC lo {shown}")
        if how == "amount":
            credit(acct, booked, b["net"], remittance="chuyen tien thu phi ETC")
            by_amount.append(out[-1])
    twins: list[dict[str, Any]] = (draw(st.lists(st.sampled_from(by_amount), max_size=2))
                                   if by_amount else [])
    for e in twins:  # another credit of the same amount: neither may match by amount
        credit(e["account"], date.fromisoformat(e["booking_date"]), e["amount_vnd"])
    for k in range(draw(st.integers(0, 2))):
        credit("ACCT-OP0", DAY0 + timedelta(days=k), 1_234_000 + k,
               reference="B-VETC-ST99-20261101" if k else None, remittance="Lai tien gui")
    debit: bool = draw(st.booleans())
    if out and debit:
        credit(out[0]["account"], DAY0, out[0]["amount_vnd"], direction="DBIT")
    return out


@st.composite
def worlds(draw: st.DrawFn) -> tuple[Rows, Period, Settings]:
    stations = ["ST01", "ST02", "ST03"][: draw(st.integers(1, 3))]
    rows = draw(reference_data(stations))
    rows["lanes"] = draw(passages(stations))
    rows["settlements"] = draw(items_for(rows["lanes"]))
    accounts = {s["station_id"]: s["account"] for s in rows["stations"]}
    rows["bank"] = draw(bank_for(rows["settlements"], accounts))
    period = Period(DAY0, DAY0 + timedelta(days=draw(st.integers(0, 1))))
    money = MoneySettings(late_after_days=draw(st.integers(0, 2)),
                          bank_match_days=draw(st.sampled_from([0, 1, 3])))
    return rows, period, Settings(money=money)


def load(store: Store, rows: Rows) -> None:
    """Replace every input table's rows with the typed rows given (no files)."""
    for kind in Kind:
        table = SCHEMAS[kind].table
        store.con.register("__rows", frame(kind, rows.get(kind.value, [])).collect().to_arrow())
        store.con.execute(f"DELETE FROM {table}; INSERT INTO {table} BY NAME SELECT * FROM __rows")
        store.con.unregister("__rows")


def polars_findings(store: Store, period: Period, s: Settings) -> pl.DataFrame:
    """The registry's MONEY rules run as the engine runs them, kept to the period."""
    from reconcile.prepare import prepare
    from reconcile.registry import RULES

    ctx = prepare(store.inputs(), period, s)
    found = pl.concat([r.run(ctx, s) for r in RULES if r.code.value in MONEY_CODES]).collect()
    return found.filter(period.holds(pl.col("business_date")))


def keyed(df: pl.DataFrame) -> Counter[tuple[Any, ...]]:
    """(code, business_date, identity keys…, amount) of each finding."""
    out: Counter[tuple[Any, ...]] = Counter()
    for r in df.iter_rows(named=True):
        keys = tuple((k, r[k]) for k in IDENTITY[Code(r["code"])] if k != "business_date")
        out[(r["code"], str(r["business_date"]), *keys, r["amount_at_risk_vnd"])] += 1
    return out


_STORE: list[Store] = []


def differences(rows: Rows, period: Period, s: Settings) -> tuple[list[Any], list[Any]]:
    """Findings only the Polars rules report, and only the SQL reports. One
    in-memory store serves every example (opening one costs more than a rule run)."""
    if not _STORE:
        _STORE.append(Store(":memory:"))
    store = _STORE[0]
    load(store, rows)
    ours = keyed(polars_findings(store, period, s))
    ref = keyed(reference_findings(store.con, period, s))
    return sorted((ours - ref).elements(), key=repr), sorted((ref - ours).elements(), key=repr)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_money_rules_equal_the_sql_reading(world: tuple[Rows, Period, Settings]) -> None:
    rows, period, s = world
    only_polars, only_sql = differences(rows, period, s)
    assert (only_polars, only_sql) == ([], []), (
        f"period {period}, {s.money}\nonly in Polars:\n  "
        + "\n  ".join(map(repr, only_polars)) + "\nonly in SQL:\n  "
        + "\n  ".join(map(repr, only_sql)))


B1, B2 = "B-VETC-ST01-20261101", "B-EPASS-ST01-20261101"
ONE = {"stations": [station("ST01", account="ACCT-OP0")], "tags": [tag(TAG_A)],
       "lanes": [lane("T1"), lane("T2", passed_at="2026-11-01 09:00")],
       "settlements": [item("S1", "T1", batch_id=B1),
                       item("S2", "T2", provider_id="EPASS", amount_vnd=36_000, batch_id=B2)]}
BANK_CASES: dict[str, tuple[list[dict[str, Any]], set[tuple[str, str]]]] = {
    # credits → the bank and batch findings expected (code, batch_id or entry_id)
    "id wrapped by MT940": ([entry("E1", account="ACCT-OP0", remittance=f"lo {B1[:9]} {B1[9:]}"),
                             entry("E2", account="ACCT-OP0", amount_vnd=36_000, reference=B2)],
                            set()),
    "paid twice": ([entry("E1", account="ACCT-OP0", reference=B1),
                    entry("E2", account="ACCT-OP0", reference=B1),
                    entry("E3", account="ACCT-OP0", amount_vnd=36_000, remittance=B2)],
                   {("BATCH_AMOUNT_MISMATCH", B1)}),
    "two credits of one amount": ([entry("E1", account="ACCT-OP0"), entry("E2", account="ACCT-OP0"),
                                   entry("E3", account="ACCT-OP0", amount_vnd=36_000)],
                                  {("BATCH_UNPAID", B1), ("BANK_UNMATCHED_CREDIT", "E1"),
                                   ("BANK_UNMATCHED_CREDIT", "E2")}),
    "unknown reference, id in text": ([entry("E1", account="ACCT-OP0", reference="B-X",
                                             remittance=B2, amount_vnd=36_000),
                                       entry("E2", account="ACCT-OP0", booking_date="2026-11-05")],
                                      {("BATCH_UNPAID", B1)}),
    "two ids in the text": ([entry("E1", account="ACCT-OP0", amount_vnd=71_000,
                                   remittance=f"{B1} {B2}")],
                            {("BATCH_UNPAID", B1), ("BATCH_UNPAID", B2),
                             ("BANK_UNMATCHED_CREDIT", "E1")}),
}


@pytest.mark.parametrize("case", sorted(BANK_CASES))
def test_bank_matching_cases(case: str) -> None:
    """Pinned cases of the credit matching: both sides agree and find what is expected."""
    credits, expected = BANK_CASES[case]
    rows = {**ONE, "bank": credits}
    period, s = Period(DAY0, DAY0 + timedelta(days=3)), Settings()
    assert differences(rows, period, s) == ([], [])
    found = reference_findings(_STORE[0].con, period, s)
    bank = found.filter(pl.col("code").str.starts_with("BA"))
    assert {(c, b or e) for c, b, e in bank.select("code", "batch_id", "entry_id").rows()} \
        == expected
