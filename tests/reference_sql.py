"""An independent DuckDB SQL reading of the MONEY rules of findings.md, and of the
steps all 24 rules share (benchmarks/reference_rules.py adds the TAG and FRAUD
rules on top of them).

Written from findings.md and the agreed readings, not from the Polars rules: the
differential test (tests/property/test_money_differential.py) compares the two on
random data, and benchmarks/reconcile.py times both on 10 M passages.

It runs on a DuckDB connection holding the store's tables (etc.schemas: lanes with
business_date, tags, settlements, bank_entries, stations, tariffs, exemptions) and
leaves the findings of [first, last] in the temp table `ref_findings`:
code, business_date, the ten key columns and amount_at_risk_vnd (no detail).

    con = duckdb.connect("etc.duckdb", read_only=True)
    rows = reference_findings(con, Period(d, d), Settings())   # MONEY, as polars

It is one statement: the shared steps are materialised CTEs (computed once, as
the engine's Context frames are): `_p` passages with the tag row in force and
their tariffs, `_i` settlement items with their passage and whether each is the
first of its txn_id, `_b` batches, `_m` bank credits matched to batches; then one
SELECT per rule, UNION ALL.

Readings findings.md leaves open, as the rules took them: a charged passage for
which no tariff holds is a TARIFF_MISMATCH with its whole amount at risk;
SETTLEMENT_LATE puts 0 at risk (the money came); a batch paid by several credits
is compared with their sum; a null amount at risk is 0.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import polars as pl

from etc.context import Period
from etc.findings import KEY_COLUMNS
from etc.settings import Settings

MONEY_CODES = ("TARIFF_MISMATCH", "SETTLEMENT_MISSING", "SETTLEMENT_AMOUNT_MISMATCH",
               "SETTLEMENT_DUPLICATE", "SETTLEMENT_WRONG_PROVIDER", "SETTLEMENT_ORPHAN",
               "SETTLEMENT_LATE", "BATCH_UNPAID", "BATCH_AMOUNT_MISMATCH",
               "BANK_UNMATCHED_CREDIT")
OUT_COLUMNS = ("code", "business_date", *KEY_COLUMNS, "amount_at_risk_vnd")


def local_date(instant: str) -> str:
    """SQL: the UTC+07:00 calendar date of a TIMESTAMPTZ."""
    return f"CAST(timezone('UTC', {instant}) + INTERVAL 7 HOUR AS DATE)"


def select(code: str, bd: str, amount: str, source: str, **keys: str) -> str:
    """One finding SELECT in OUT_COLUMNS order: keys not named are NULL."""
    cols = [f"'{code}' AS code", f"CAST({bd} AS DATE) AS business_date"]
    cols += [f"CAST({keys[k]} AS VARCHAR) AS {k}" if k in keys else f"NULL::VARCHAR AS {k}"
             for k in KEY_COLUMNS]
    cols.append(f"CAST(coalesce({amount}, 0) AS BIGINT) AS amount_at_risk_vnd")
    return f"SELECT {', '.join(cols)}\n{source}"


PASSAGE_KEYS = dict(station_id="station_id", lane_id="lane_id", txn_id="txn_id",
                    tag_id="tag_id", plate="plate", staff_id="staff_id")


def shared_steps(s: Settings) -> list[tuple[str, str]]:
    """(name, query) of the steps every rule reads, in order."""
    return [
        # the tariff of each station, class and business date of the passages (the
        # holding row with the latest valid_from)
        ("_tariff", """
        SELECT t.station_id, t.vehicle_class, d.business_date, t.amount_vnd
        FROM tariffs t JOIN (SELECT DISTINCT business_date FROM lanes) d
          ON t.valid_from <= d.business_date
         AND (t.valid_to IS NULL OR d.business_date <= t.valid_to)
        QUALIFY row_number() OVER (PARTITION BY t.station_id, t.vehicle_class, d.business_date
                                   ORDER BY t.valid_from DESC) = 1"""),
        # passages: the tag row with the latest valid_from <= passed_at, both tariffs
        ("_p", """
        SELECT l.txn_id, l.station_id, l.lane_id, l.passed_at, l.business_date,
               l.payment_method, l.tag_id, l.read_count, l.rssi_dbm, l.plate,
               l.plate_confidence, l.avc_class, l.charged_class, l.amount_vnd, l.staff_id,
               l.override,
               coalesce(regexp_full_match(l.tag_id, '[0-9A-F]{24}'), false) AS tag_ok,
               t.status AS tag_status, t.provider_id AS tag_provider,
               t.plate AS tag_plate, t.vehicle_class AS tag_class,
               coalesce(l.override NOT IN ('VOID', 'FREE_PASS'), true)
                 AND l.payment_method <> 'EXEMPT' AS charged,
               tc.amount_vnd AS tariff, ta.amount_vnd AS avc_tariff
        FROM lanes l
        ASOF LEFT JOIN tags t ON l.tag_id = t.tag_id AND l.passed_at >= t.valid_from
        LEFT JOIN _tariff tc ON tc.station_id = l.station_id
             AND tc.vehicle_class = l.charged_class AND tc.business_date = l.business_date
        LEFT JOIN _tariff ta ON ta.station_id = l.station_id
             AND ta.vehicle_class = l.avc_class AND ta.business_date = l.business_date"""),
        # items: the first of each txn_id (by settled_at, then settlement_id) and
        # the passage's columns
        ("_i", f"""
        SELECT s.settlement_id, s.provider_id, s.txn_id, s.station_id, s.amount_vnd,
               s.settled_at, s.batch_id, s.settlement_id = f.first_id AS first,
               p.txn_id IS NOT NULL AS has_p, p.override AS p_override,
               p.tag_provider AS p_provider, p.lane_id AS p_lane, p.tag_id AS p_tag,
               p.plate AS p_plate,
               coalesce(p.business_date, {local_date('s.settled_at')}) AS bd
        FROM settlements s
        JOIN (SELECT txn_id, arg_min(settlement_id, (settled_at, settlement_id)) AS first_id
              FROM settlements GROUP BY txn_id) f ON f.txn_id = s.txn_id
        LEFT JOIN _p p ON p.txn_id = s.txn_id"""),
        # batches: Σ amount − Σ fee, the station's account, local date of the last item
        ("_b", f"""
        SELECT b.*, st.account FROM (
            SELECT batch_id, min(station_id) AS station_id, min(provider_id) AS provider_id,
                   sum(amount_vnd) - sum(fee_vnd) AS net,
                   {local_date('max(settled_at)')} AS bd
            FROM settlements GROUP BY batch_id) b
        LEFT JOIN stations st ON st.station_id = b.station_id"""),
        *credit_matching(s.money.bank_match_days),
    ]


def credit_matching(days: int) -> list[tuple[str, str]]:
    """`_m` (account, entry_id, batch_id, how): the credits that pay a batch.

    1. the reference is a batch id; 2. else the remittance text, spaces removed
    (MT940 wraps long words with a space), contains exactly one batch id; 3. else
    the amount equals the net of exactly one batch named by no credit, of the same
    account, booked within `days` of the batch's last item, and no other such credit
    has that batch as its candidate. Anything else matches nothing (never a guess)."""
    unnamed = "NOT EXISTS (SELECT 1 FROM {0} m WHERE m.account = c.account " \
              "AND m.entry_id = c.entry_id)"
    return [
        ("_cr", "SELECT * FROM bank_entries WHERE direction = 'CRDT'"),
        ("_m_ref", """
        SELECT c.account, c.entry_id, b.batch_id, 'REFERENCE' AS how
        FROM _cr c JOIN _b b ON b.batch_id = c.reference"""),
        ("_m_text", f"""
        SELECT c.account, c.entry_id, min(b.batch_id) AS batch_id, 'REMITTANCE' AS how
        FROM _cr c JOIN _b b ON strpos(replace(c.remittance, ' ', ''), b.batch_id) > 0
        WHERE {unnamed.format('_m_ref')}
        GROUP BY c.account, c.entry_id HAVING count(DISTINCT b.batch_id) = 1"""),
        ("_m_named", "SELECT * FROM _m_ref UNION ALL SELECT * FROM _m_text"),
        ("_m", f"""
        SELECT * FROM _m_named UNION ALL
        SELECT account, entry_id, batch_id, 'AMOUNT' FROM (
            SELECT c.account, c.entry_id, b.batch_id
            FROM _cr c JOIN _b b ON b.account = c.account AND b.net = c.amount_vnd
             AND abs(date_diff('day', b.bd, c.booking_date)) <= {days}
            WHERE {unnamed.format('_m_named')}
              AND NOT EXISTS (SELECT 1 FROM _m_named m WHERE m.batch_id = b.batch_id)
            QUALIFY count(*) OVER (PARTITION BY c.account, c.entry_id) = 1
                AND count(*) OVER (PARTITION BY b.batch_id) = 1)"""),
    ]


def money_selects(s: Settings) -> dict[str, str]:
    """The MONEY rules, one SELECT each (all dates; the caller keeps the period's)."""
    late = s.money.late_after_days
    first = "FROM _p p JOIN _i i ON i.txn_id = p.txn_id AND i.first " \
            "WHERE p.charged AND p.payment_method = 'ETC' AND "
    item_keys = dict(station_id="i.station_id", lane_id="i.p_lane", txn_id="i.txn_id",
                     tag_id="i.p_tag", plate="i.p_plate", settlement_id="i.settlement_id",
                     batch_id="i.batch_id", provider_id="i.provider_id")
    pk = {k: f"p.{v}" for k, v in PASSAGE_KEYS.items()}
    return {
        # no tariff holding at all also fires, with the whole amount at risk (the
        # reading of ledgers.settlement_rules; findings.md does not say)
        "TARIFF_MISMATCH": select(
            "TARIFF_MISMATCH", "p.business_date",
            "coalesce(abs(p.amount_vnd - p.tariff), p.amount_vnd)",
            "FROM _p p WHERE p.charged AND p.amount_vnd IS DISTINCT FROM p.tariff", **pk),
        "SETTLEMENT_MISSING": select(
            "SETTLEMENT_MISSING", "p.business_date", "p.amount_vnd",
            "FROM _p p WHERE p.charged AND p.payment_method = 'ETC' "
            "AND NOT EXISTS (SELECT 1 FROM _i i WHERE i.txn_id = p.txn_id)", **pk),
        "SETTLEMENT_AMOUNT_MISMATCH": select(
            "SETTLEMENT_AMOUNT_MISMATCH", "p.business_date", "abs(i.amount_vnd - p.amount_vnd)",
            first + "i.amount_vnd <> p.amount_vnd", **pk, settlement_id="i.settlement_id",
            provider_id="i.provider_id"),
        "SETTLEMENT_LATE": select(
            "SETTLEMENT_LATE", "p.business_date", "0",
            first + f"{local_date('i.settled_at')} >= p.business_date + {late + 1}", **pk,
            settlement_id="i.settlement_id", provider_id="i.provider_id"),
        "SETTLEMENT_DUPLICATE": select(
            "SETTLEMENT_DUPLICATE", "i.bd", "i.amount_vnd",
            "FROM _i i WHERE i.has_p AND NOT i.first", **item_keys),
        "SETTLEMENT_WRONG_PROVIDER": select(
            "SETTLEMENT_WRONG_PROVIDER", "i.bd", "i.amount_vnd",
            "FROM _i i WHERE i.has_p AND i.provider_id <> i.p_provider", **item_keys),
        "SETTLEMENT_ORPHAN": select(
            "SETTLEMENT_ORPHAN", "i.bd", "i.amount_vnd",
            "FROM _i i WHERE NOT i.has_p OR i.p_override = 'VOID'", **item_keys),
        "BATCH_UNPAID": select(
            "BATCH_UNPAID", "b.bd", "b.net",
            "FROM _b b WHERE NOT EXISTS (SELECT 1 FROM _m m WHERE m.batch_id = b.batch_id)",
            station_id="b.station_id", batch_id="b.batch_id", provider_id="b.provider_id"),
        "BATCH_AMOUNT_MISMATCH": select(
            "BATCH_AMOUNT_MISMATCH", "b.bd", "abs(x.paid - b.net)",
            "FROM _b b JOIN (SELECT m.batch_id, sum(c.amount_vnd) AS paid FROM _m m "
            "JOIN _cr c USING (account, entry_id) GROUP BY m.batch_id) x USING (batch_id) "
            "WHERE x.paid <> b.net",
            station_id="b.station_id", batch_id="b.batch_id", provider_id="b.provider_id"),
        "BANK_UNMATCHED_CREDIT": select(
            "BANK_UNMATCHED_CREDIT", "c.booking_date", "c.amount_vnd",
            "FROM _cr c WHERE NOT EXISTS (SELECT 1 FROM _m m WHERE m.account = c.account "
            "AND m.entry_id = c.entry_id)", entry_id="c.entry_id"),
    }


def statements(period: Period, s: Settings, selects: dict[str, str] | None = None,
               extra: Iterable[tuple[str, str]] = ()) -> list[str]:
    """One statement: the shared steps and `extra` ones as materialised CTEs, then
    the union of `selects` (default: the MONEY rules) kept to the period, into the
    temp table `ref_findings`."""
    chosen = selects if selects is not None else money_selects(s)
    steps = ",\n".join(f"{name} AS MATERIALIZED ({sql})"
                         for name, sql in [*shared_steps(s), *extra])
    union = "\nUNION ALL\n".join(f"({sql})" for sql in chosen.values())
    return [f"""CREATE OR REPLACE TEMP TABLE ref_findings AS
        WITH {steps}
        SELECT * FROM ({union})
        WHERE business_date BETWEEN DATE '{period.first.isoformat()}'
                                AND DATE '{period.last.isoformat()}'"""]


def run(con: duckdb.DuckDBPyConnection, sqls: Iterable[str]) -> None:
    """Execute the statements (UTC session, as the store's)."""
    con.execute("SET TimeZone = 'UTC'")
    for sql in sqls:
        con.execute(sql)


def reference_findings(con: duckdb.DuckDBPyConnection, period: Period,
                       s: Settings) -> pl.DataFrame:
    """The MONEY findings of `period` as a polars frame in OUT_COLUMNS order."""
    run(con, statements(period, s))
    return con.sql(f"SELECT {', '.join(OUT_COLUMNS)} FROM ref_findings").pl()
