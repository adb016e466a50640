"""Drill-down: the runs in the store (`etc runs`) and what lies behind a finding,
a passage, an item, a batch or a bank entry (`etc show`).

`show` takes a finding id (as the report shows it), a txn_id, a settlement_id,
a batch_id or a bank entry_id and returns titled tables: the finding's history
across runs and its notes; the passage, its tag's status rows around the
passage, its settlement items and their batches, each batch's items and the
credits that paid it, the passage's disposition and the findings naming it in
the latest run holding its date. Nothing is computed anew: these are the
stored rows, with plates and account ids masked as in the report unless revealed
(`etc show --reveal`).
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl

from etc.errors import UsageError
from etc.localtime import clock
from etc.render.mask import mask_account, mask_frame, mask_plate
from etc.store import Store
from reconcile.report import accounts

Section = tuple[str, pl.DataFrame]


def runs_table(store: Store) -> pl.DataFrame:
    """One row per run, the latest started first: period, as-of and start (local
    time), passages, findings, pending items, input files, inputs sha256."""
    runs = store.runs()
    if runs.height == 0:
        return pl.DataFrame()
    return pl.DataFrame({
        "run_id": runs["run_id"],
        "period": [f"{a}" if a == b else f"{a}..{b}"
                   for a, b in zip(runs["first_date"], runs["last_date"], strict=True)],
        "as_of_local": [clock(t)[:16] if t is not None else "" for t in runs["as_of"]],
        "started_local": [clock(t)[:16] for t in runs["started_at"]],
        "passages": runs["passages"].cast(pl.Int64),
        "findings": runs["findings"].cast(pl.Int64),
        "pending": runs["pending"].cast(pl.Int64),
        "inputs": [len(json.loads(j)) for j in runs["loads_json"]],
        "inputs_sha256": [s[:12] for s in runs["inputs_sha256"]],
    }).reverse()


def _latest_run(store: Store, day: date) -> str | None:
    covering = store.runs_covering(day)
    return covering[0] if covering else None


def _findings_naming(store: Store, day: date, column: str, value: str) -> list[Section]:
    run = _latest_run(store, day)
    if run is None:
        return []
    found = store.run_rows("findings", run, column, value)
    return [(f"Findings naming {column}={value} in run {run}", found)] if found.height else []


def _batch(store: Store, batch_id: str) -> list[Section]:
    items = store.rows_where("settlements", "batch_id", batch_id)
    if items.height == 0:
        return []
    last = items["settled_at"].max()
    out = [(f"Batch {batch_id}: {items.height} items, gross "
            f"{int(items['amount_vnd'].sum()):,} VND, fees {int(items['fee_vnd'].sum()):,} VND",
            items.sort("settled_at", "settlement_id").head(50))]
    credits = store.rows_where("bank_entries", "reference", batch_id)
    run = (_latest_run(store, date.fromisoformat(clock(last)[:10]))  # type: ignore[arg-type]
           if last is not None else None)
    if run is not None:
        matched = store.run_rows("matches", run, "batch_id", batch_id).filter(
            pl.col("stage") == "BATCH_CREDIT")
        if matched.height:
            out.append((f"Credits matched to batch {batch_id} in run {run}", matched))
            entries = pl.concat([store.rows_where("bank_entries", "entry_id", e)
                                 for e in matched["entry_id"].unique().to_list()])
            credits = pl.concat([credits, entries]).unique(maintain_order=True)
    out.append((f"Bank entries naming or paying batch {batch_id}", credits))
    return out


def _passage(store: Store, txn_id: str) -> list[Section]:
    lanes = store.rows_where("lanes", "txn_id", txn_id)
    if lanes.height == 0:
        return []
    p = lanes.row(0, named=True)
    out: list[Section] = [(f"Passage {txn_id}", lanes)]
    if p.get("tag_id"):
        out.append((f"Tag {p['tag_id']}: status rows around the passage",
                     store.tag_rows_around(p["tag_id"], p["passed_at"])))
    items = store.rows_where("settlements", "txn_id", txn_id)
    out.append((f"Settlement items of {txn_id}", items))
    run = _latest_run(store, p["business_date"])
    if run is not None:
        out.append((f"Disposition in run {run}",
                    store.run_rows("dispositions", run, "txn_id", txn_id)))
    for batch in items["batch_id"].unique().sort().to_list():
        out += _batch(store, batch)
    return out + _findings_naming(store, p["business_date"], "txn_id", txn_id)


def _finding(store: Store, finding_id: str) -> list[Section]:
    wanted = "F" + finding_id[1:].lower()
    target = store.finding_by_id(wanted)
    if target is None:
        return []
    out: list[Section] = [
        (f"Finding {wanted}: {target.code} {target.identity} on {target.business_date}",
         store.lifecycle_of(target.code, target.identity)),
        (f"Notes on {target.code} {target.identity}",
         store.notes(target.code, target.identity).drop("code", "identity")),
    ]
    for part in target.identity.split("|"):
        column, _, value = part.partition("=")
        if column in ("txn_id", "settlement_id", "batch_id", "entry_id") and value:
            out += _lookup(store, value.split("/")[-1], nested=True)
            break
    return out


def _lookup(store: Store, what: str, nested: bool = False) -> list[Section]:
    passage = _passage(store, what)
    if passage:
        return passage
    item = store.rows_where("settlements", "settlement_id", what)
    if item.height:
        txn = item["txn_id"][0]
        return [(f"Settlement item {what}", item), *_passage(store, txn),
                *([] if store.rows_where("lanes", "txn_id", txn).height
                  else _batch(store, item["batch_id"][0]))]
    batch = _batch(store, what)
    if batch:
        return batch
    entry = store.rows_where("bank_entries", "entry_id", what)
    if entry.height:
        out: list[Section] = [(f"Bank entry {what}", entry)]
        day = entry["booking_date"][0]
        run = _latest_run(store, day)
        if run is not None:
            matched = store.run_rows("matches", run, "entry_id", what)
            out.append((f"Matches of entry {what} in run {run}", matched))
        return out + _findings_naming(store, day, "entry_id", what)
    return []


def masked(frame: pl.DataFrame, accounts: tuple[str, ...]) -> pl.DataFrame:
    """`frame` with plates and account ids masked as in the report (etc.render.mask):
    plate columns and account columns whole, identities, keys and details where a
    plate or an account occurs in them."""
    out = mask_frame(frame, accounts)
    for col in ("plate_raw", "tag_plate"):
        if col in out.columns:
            out = out.with_columns(pl.col(col).map_elements(mask_plate, return_dtype=pl.String))
    if "account" in out.columns:
        out = out.with_columns(pl.col("account").map_elements(mask_account,
                                                              return_dtype=pl.String))
    return out


def show(store: Store, what: str, reveal: bool = False) -> list[Section]:
    """What lies behind `what` (a finding id, txn_id, settlement_id, batch_id or
    entry_id), plates and accounts masked unless `reveal`; a UsageError when it names
    nothing in the store."""
    what = what.strip()
    sections: list[Section] = []
    if len(what) == 11 and what[:1] in "fF" and all(c in "0123456789abcdefABCDEF"
                                                     for c in what[1:]):
        sections = _finding(store, what)
    sections = sections or _lookup(store, what)
    if not sections:
        raise UsageError(f"{what!r} is no finding id, txn_id, settlement_id, batch_id or "
                         "entry_id in the database", path=store.path,
                         hint="finding ids are in the report's first column (F + 10 hex digits)")
    if reveal:
        return sections
    known = accounts(store)
    return [(title, masked(frame, known)) for title, frame in sections]
