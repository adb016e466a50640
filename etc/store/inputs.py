"""Reading a run's inputs: every input table (`inputs()`), or only the rows a run
over a period needs (`inputs(scope)`), with the date filters pushed into DuckDB.

Lanes, settlement items and tag rows grow every night; a scoped read takes of
them only what can concern the period (etc.context.Scope), so a night costs the
same on a store of one day and on one of years. Loads insert rows in date order
(etc.store.loads.STORED_ORDER), so these filters skip whole row groups. Bank
entries, batches (`batch_parts`), stations, tariffs and exemptions are small and
read whole: bank matching then sees exactly what an unscoped run sees. Passages
counted per lane and day before the period come from `lane_day_parts`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from etc.context import BATCH_PART_SCHEMA, LANE_DAY_SCHEMA, Inputs, Scope
from etc.localtime import start_of
from etc.schemas import EXTRA, LOAD_ID, SCHEMAS, SOURCE_ROW, Kind, table_columns
from etc.store.connection import Connection
from etc.store.ddl import q

INPUT_KINDS: dict[str, Kind] = {
    "lanes": Kind.LANES, "tags": Kind.TAGS, "settlements": Kind.SETTLEMENTS,
    "bank": Kind.BANK, "stations": Kind.STATIONS, "tariffs": Kind.TARIFFS,
    "exemptions": Kind.EXEMPTIONS, "counts": Kind.COUNTS, "providers": Kind.PROVIDERS,
}
"""etc.context.Inputs field → the kind whose table fills it."""

BATCH_PARTS = ("SELECT batch_id, provider_id, station_id, sum(items)::BIGINT AS items, "
               "sum(gross_vnd)::BIGINT AS gross_vnd, sum(fee_vnd)::BIGINT AS fee_vnd, "
               "max(last_settled_at) AS last_settled_at FROM batch_parts "
               "GROUP BY batch_id, provider_id, station_id")


LANE_DAYS = ("SELECT station_id, lane_id, business_date, sum(passages)::BIGINT AS passages, "
             "sum(cash)::BIGINT AS cash, sum(cash_vnd)::BIGINT AS cash_vnd FROM lane_day_parts "
             "WHERE business_date >= $1 AND business_date < $2 "
             "GROUP BY station_id, lane_id, business_date")


def rule_columns(kind: Kind) -> list[str]:
    """The columns rules read of a kind's table: its canonical ones (plates
    normalised) and derived ones (`business_date`); not `<plate>_raw` (no rule
    reads it, and it keeps the first spelling loaded, so it depends on the load
    order), extra, load_id or source_row."""
    schema = SCHEMAS[kind]
    raw = {f"{c.name}_raw" for c in schema.columns if c.type == "plate"}
    return [n for n, _ in table_columns(schema) if n not in {EXTRA, LOAD_ID, SOURCE_ROW, *raw}]


def _cols(kind: Kind, alias: str = "") -> str:
    return ", ".join(f"{alias}{q(c)}" for c in rule_columns(kind))


class InputReads(Connection):
    """The reading half of the store, for runs."""

    TXN_KEY = "rowid"
    """The SQL of a passage's txn_key in `lanes` (an archive stores it as a column)."""

    def inputs(self, scope: Scope | None = None) -> Inputs:
        """The input tables a run reads, in memory and handed out lazily: every row
        (no scope), or what a run over `scope.period` needs (see the module).

        Rows come in storage order, which depends on the load order: rules must
        not depend on row order (tests/unit/test_engine.py shuffles the inputs;
        ORDER BY the key here doubled the read, 15 s → 30 s on 10 M passages).
        Read eagerly: a DuckDB-backed LazyFrame scans the table again at every
        collect and cannot be joined with itself (the connection is busy)."""
        sql = {field: f"SELECT {_cols(kind)} FROM {SCHEMAS[kind].table}"
               for field, kind in INPUT_KINDS.items()}
        # etc.txnkey: txn_id's surrogate (the lanes rowid), for equality only
        key = self.TXN_KEY
        sql["lanes"] = f"SELECT {_cols(Kind.LANES)}, {key}::BIGINT AS txn_key FROM lanes"
        sql["settlements"] = (f"SELECT {_cols(Kind.SETTLEMENTS, 's.')}, l.{key}::BIGINT AS "
                              "txn_key FROM settlements s LEFT JOIN lanes l USING (txn_id)")
        params: dict[str, list[object]] = {}
        if scope is not None:
            sql["lanes"], params["lanes"] = _scoped_lanes(sql["lanes"], scope)
            sql["tags"], params["tags"] = _tags_in_force(start_of(scope.first_read),
                                                         start_of(scope.period.last, 1))
            sql["settlements"], params["settlements"] = _period_items(scope, key)
            sql["counts"] += " WHERE business_date BETWEEN $1 AND $2"
            params["counts"] = [scope.period.first, scope.period.last]
        frames = {field: self._frame(sql[field], params.get(field)).lazy()
                  for field in INPUT_KINDS}
        parts = self._frame(BATCH_PARTS).cast(BATCH_PART_SCHEMA)  # type: ignore[arg-type]
        lane_days = None
        if scope is not None and scope.lane_days_from is not None:
            lane_days = self._frame(LANE_DAYS, [scope.lane_days_from, scope.period.first]).cast(
                LANE_DAY_SCHEMA).lazy()  # type: ignore[arg-type]
        return Inputs(**frames, batch_parts=parts.lazy() if scope is not None else None,
                      lane_days=lane_days)

    def batch_items(self, batch_ids: list[str]) -> pl.DataFrame:
        """Every item (settlement_id, batch_id, amount_vnd, fee_vnd) of these batches."""
        if not batch_ids:
            return pl.DataFrame(schema={"settlement_id": pl.String(), "batch_id": pl.String(),
                                        "amount_vnd": pl.Int64(), "fee_vnd": pl.Int64()})
        return self._frame("SELECT settlement_id, batch_id, amount_vnd, fee_vnd FROM settlements "
                           "WHERE batch_id IN (SELECT unnest($1::VARCHAR[]))", [batch_ids])

    def data_until(self) -> datetime | None:
        """The latest instant the loaded data speaks of: the last passage, the last
        settlement item, the start of the day after the last bank booking (None
        when nothing is loaded). A run's default as-of time."""
        row = self._one(
            "SELECT greatest((SELECT max(passed_at) FROM lanes), "
            "(SELECT max(settled_at) FROM settlements), "
            "(SELECT timezone('UTC', (max(booking_date) + 1)::TIMESTAMP) - INTERVAL 7 HOUR "
            "FROM bank_entries))")
        return row[0] if row and row[0] is not None else None

    def passage_dates(self, first: date, last: date) -> dict[date, int]:
        """Passages per business date between first and last (dates with none left out)."""
        rows = self.con.execute(
            "SELECT business_date, count(*) FROM lanes WHERE business_date BETWEEN ? AND ? "
            "GROUP BY business_date ORDER BY business_date", [first, last]).fetchall()
        return {d: int(n) for d, n in rows}

    def _frame(self, sql: str, params: list[object] | None = None) -> pl.DataFrame:
        rel = self.con.sql(sql, params=params) if params else self.con.sql(sql)
        return rel.pl()


def _scoped_lanes(select: str, scope: Scope) -> tuple[str, list[object]]:
    """The period's passages, and before them only the ETC passages its rules can
    pair with: from `lanes_from`, in the `prior_hours` before the period, of tags
    that pass in the period; from `reads_from`, of tags with a poor read in the
    window (etc.context.Scope)."""
    first, last = scope.period.first, scope.period.last
    params: list[object] = [first, last, scope.first_read, first]

    def etc_tags(since: date, poor: bool) -> str:
        params.extend([since, last])
        sql = ("SELECT tag_id FROM lanes WHERE business_date BETWEEN ? AND ? "
               "AND payment_method = 'ETC'")
        if poor and scope.weak_below is not None:
            params.append(scope.weak_below)
            sql += " AND (read_count = 0 OR rssi_dbm < ?)"
        return sql

    params.extend([scope.lanes_from, start_of(first) - timedelta(hours=scope.prior_hours)])
    earlier = f"business_date >= ? AND passed_at >= ? AND tag_id IN ({etc_tags(first, False)})"
    if scope.reads_from is not None:
        earlier = f"({earlier}) OR tag_id IN ({etc_tags(scope.reads_from, True)})"
    return (f"{select} WHERE business_date BETWEEN ? AND ? UNION ALL {select} "
            f"WHERE business_date >= ? AND business_date < ? AND payment_method = 'ETC' "
            f"AND ({earlier})", params)


def _tags_in_force(lo: datetime, hi: datetime) -> tuple[str, list[object]]:
    """Tag rows in force at some instant of [lo, hi]: valid_from before hi, and the
    tag's next row (over the whole history) not before lo or absent. A passage at t
    takes the latest row with valid_from <= t, the end of a date the latest with
    valid_from < its midnight: both are among these."""
    return (f"SELECT {_cols(Kind.TAGS)} FROM (SELECT *, lead(valid_from) OVER "
            "(PARTITION BY tag_id ORDER BY valid_from) AS _until FROM tags) "
            "WHERE valid_from < $2 AND (_until IS NULL OR _until > $1)", [lo, hi])


def _period_items(scope: Scope, key: str) -> tuple[str, list[object]]:
    """The settlement items whose business date can fall in the period: every item
    of a passage of the period (whenever it was settled), and every item of a
    txn_id that no loaded passage has, when one of its items was settled on a day
    of the period (an item without a passage belongs to its settled_at's date).
    Both go by the items' `passage_date` (etc.store.ddl.link_items), so neither
    matches the txn_ids of history."""
    first, last = scope.period.first, scope.period.last
    cols = _cols(Kind.SETTLEMENTS, "s.")
    return (f"""
        WITH p AS (SELECT txn_id, {key}::BIGINT AS txn_key FROM lanes
                   WHERE business_date BETWEEN $1 AND $2),
        orphan AS (SELECT DISTINCT txn_id FROM settlements WHERE settled_at >= $3
                   AND settled_at < $4 AND passage_date IS NULL)
        SELECT {cols}, p.txn_key FROM settlements s JOIN p USING (txn_id)
        WHERE s.passage_date BETWEEN $1 AND $2
        UNION ALL
        SELECT {cols}, NULL::BIGINT AS txn_key FROM settlements s
        WHERE s.passage_date IS NULL AND s.txn_id IN (SELECT txn_id FROM orphan)
        """, [first, last, start_of(first), start_of(last, 1)])
