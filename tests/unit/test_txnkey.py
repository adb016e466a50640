"""etc.txnkey: the txn_id surrogate, as the store computes it in SQL and as
`with_txn_keys` computes it in Polars: unique per passage, shared by the items
naming that passage, null for items naming none."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from conftest import write_csv
from literal import frame, item, lane
from rows import valid_row

from etc.ingest import ingest_paths
from etc.schemas import Kind
from etc.store import Store
from etc.txnkey import TXN_KEY, with_txn_keys


def check(lanes: pl.DataFrame, items: pl.DataFrame) -> dict[str, bool]:
    """txn_key unique per passage; each item's key is its passage's; → settlement
    id: has a key."""
    assert lanes[TXN_KEY].null_count() == 0
    assert lanes[TXN_KEY].n_unique() == lanes.height
    joined = items.join(lanes.select("txn_id", pl.col(TXN_KEY).alias("lane_key")),
                        on="txn_id", how="left")
    assert (joined[TXN_KEY].fill_null(-1) == joined["lane_key"].fill_null(-1)).all()
    return dict(zip(joined["settlement_id"], joined[TXN_KEY].is_not_null(), strict=True))


def test_polars_keys() -> None:
    lanes, items = with_txn_keys(
        frame("lanes", [lane("T1"), lane("T2"), lane("T3")]),
        frame("settlements", [item("S1", "T2"), item("S2", "T2"), item("S3", "GHOST"),
                              item("S4", "T3")]))
    assert check(lanes.collect(), items.collect()) == {
        "S1": True, "S2": True, "S3": False, "S4": True}


def test_store_keys_agree_with_polars(tmp_path: Path) -> None:
    lanes = [valid_row(Kind.LANES, i) for i in range(5)]
    items = [valid_row(Kind.SETTLEMENTS, i) for i in range(4)]
    items[0]["txn_id"] = lanes[3]["txn_id"]
    items[1]["txn_id"] = lanes[3]["txn_id"]
    items[2]["txn_id"] = lanes[0]["txn_id"]
    items[3]["txn_id"] = "NO-SUCH-PASSAGE"
    with Store(tmp_path / "etc.duckdb") as store:
        ingest_paths(store, [write_csv(tmp_path / "lanes.csv", lanes),
                             write_csv(tmp_path / "items.csv", items)], None)
        inputs = store.inputs()
        sql = check(inputs.lanes.collect(), inputs.settlements.collect())
        plain_lanes = inputs.lanes.drop(TXN_KEY)
        plain_items = inputs.settlements.drop(TXN_KEY)
    ours = check(*(f.collect() for f in with_txn_keys(plain_lanes, plain_items)))
    assert sql == ours
    assert sorted(sql.values()) == [False, True, True, True]
