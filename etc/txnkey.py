"""An integer surrogate for txn_id, the key that joins passages and settlement items.

Joining and grouping 10 M passages with 9 M items on a 20-character text key is
where a run's time went (matching, missing settlements, dispositions: ~35 s of
string hashing at 10 M rows). Each run therefore gives every passage a
`txn_key` (Int64, unique: txn_id is the lanes table's key) and every settlement
item the `txn_key` of the passage it names, null when no loaded passage has its
txn_id. Later joins compare integers.

The values depend on storage order, so they are for equality only: never sort,
break ties or report by them. The store computes them in SQL while reading
(`Store.inputs`); `with_txn_keys` is the same in Polars, for inputs built
otherwise (tests), and both are checked against each other in the tests.
"""

from __future__ import annotations

import polars as pl

TXN_KEY = "txn_key"


def with_txn_keys(lanes: pl.LazyFrame, settlements: pl.LazyFrame
                  ) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """`lanes` and `settlements` with `txn_key`, unless they have it already."""
    if TXN_KEY in lanes.collect_schema().names():
        return lanes, settlements
    keyed = lanes.with_row_index(TXN_KEY).with_columns(pl.col(TXN_KEY).cast(pl.Int64))
    keys = keyed.select("txn_id", TXN_KEY)
    items = settlements
    if TXN_KEY in items.collect_schema().names():
        items = items.drop(TXN_KEY)
    items = items.join(keys, on="txn_id", how="left", maintain_order="left")
    cols = [c for c in keyed.collect_schema().names() if c != TXN_KEY]
    return keyed.select(*cols, TXN_KEY), items
