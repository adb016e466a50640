"""Bank entries on the operators' collection accounts, with the BATCH and BANK codes.

Each batch is paid by one credit of Σ amount − Σ fee, booked the day after its
settlement day. The credit names its batch in `reference` (most), only in the
remittance text (some), or not at all (some: then its amount must single out the
batch, so only batches whose net is unique on their account, across the whole
period, are paid that way). Each account also has a fee debit per day.

Injected (only on batches of days inside the period):
- BATCH_UNPAID: the batch gets no credit. Its net cannot be taken by an
  amount-only credit (those amounts are unique on the account), nor by an
  unmatched credit (whose amounts equal no batch net of the account).
- BATCH_AMOUNT_MISMATCH: the credit names the batch but pays Σ amount (fee not
  kept), net − 10,000, or net − Σ fee (fee kept twice).
- BANK_UNMATCHED_CREDIT: a credit naming no batch, or a batch id that does not
  exist, whose amount equals no batch net of that account (interest, refunds).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from etc.generate.network import OPERATORS, PROVIDERS
from etc.generate.world import World

ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "account": pl.String(), "_book": pl.Int64(), "_value": pl.Int64(), "amount_vnd": pl.Int64(),
    "direction": pl.String(), "reference": pl.String(), "remittance": pl.String(),
    "_kind": pl.Int8(), "_code": pl.String(), "_batch": pl.String(),
}
_REF, _REMIT, _AMOUNT, _UNPAID, _MISMATCH = 0, 1, 2, 3, 4
ACCOUNT_FEE_VND = 22_000


def entries(w: World, batches: pl.DataFrame, stations: pl.DataFrame, k: int) -> pl.DataFrame:
    """Canonical bank entries (entry_id … remittance); records the truth of the
    injected codes when k > 0."""
    rng = w.rng
    acct = stations["account"].to_numpy()
    b = batches.with_columns(pl.Series("account", acct[batches["_st"].to_numpy()]))
    n = b.height
    mode = np.zeros(n, dtype=np.int64)
    if k:
        cand = rng.permutation(np.flatnonzero(b["_bday"].to_numpy() < w.days))
        if len(cand) < 2 * k:
            raise ValueError("too few batches to inject BATCH codes; raise `passages`")
        mode[cand[:k]] = _UNPAID
        mode[cand[k:2 * k]] = _MISMATCH
    unique = (b.select(pl.len().over("account", "net_vnd") == 1).to_series().to_numpy())
    u = rng.random(n)
    free = np.flatnonzero((mode == _REF) & unique)
    mode[free[u[free] < 0.06]] = _AMOUNT
    mode[free[rng.permutation(len(free))[:2]]] = _AMOUNT
    mode[np.flatnonzero((mode == _REF) & (u >= 0.06) & (u < 0.18))] = _REMIT
    net = b["net_vnd"].to_numpy()
    variant = np.arange(n) % 3
    wrong = np.choose(variant, [b["amount_vnd"].to_numpy(), net - 10_000,
                                net - b["fee_vnd"].to_numpy()])
    wrong = np.where(wrong > 0, wrong, net + 1000)
    bday = b["_bday"].to_numpy()
    book = bday + 1
    batch = b["batch_id"]
    prov = pl.Series(np.asarray(PROVIDERS)[b["_prov"].to_numpy()])
    named = pl.Series((mode == _REF) | ((mode == _MISMATCH) & (variant != 1)))
    in_text = pl.Series((mode == _REMIT) | ((mode == _MISMATCH) & (variant == 1)))
    credits = pl.DataFrame({
        "account": b["account"], "_book": book, "_value": np.where(u > 0.8, bday, book),
        "amount_vnd": np.where(mode == _MISMATCH, wrong, net), "_batch": batch,
        "_mode": mode,
    }).with_columns(
        pl.lit("CRDT").alias("direction"),
        pl.when(named).then(batch).otherwise(None).alias("reference"),
        pl.when(in_text).then(pl.format("{} TT phi ETC lo {}", prov, batch))
        .when(named).then(pl.format("{} thanh toan phi ETC", prov))
        .otherwise(pl.format("{} chuyen tien thu phi ETC", prov)).alias("remittance"),
        pl.lit(1, pl.Int8).alias("_kind"), pl.lit(None, pl.String).alias("_code"),
    )
    if k:
        for code, m in (("BATCH_UNPAID", _UNPAID), ("BATCH_AMOUNT_MISMATCH", _MISMATCH)):
            sel = mode == m
            w.add_truth(code, batch_id=batch.filter(pl.Series(sel)),
                        _day=bday[sel].astype(np.int32))
    credits = credits.filter(pl.col("_mode") != _UNPAID).drop("_mode")
    last_day = int(book.max()) if n else w.days
    frames = [credits.select(list(ENTRY_SCHEMA)), _debits(w, last_day)]
    if k:
        frames.append(_unmatched(w, k, b))
    out = pl.concat(frames)
    return _number(w, out)


def _debits(w: World, last_day: int) -> pl.DataFrame:
    rows = [(a, d) for _, _, a in OPERATORS for d in range(0, last_day + 1)]
    return pl.DataFrame({
        "account": [a for a, _ in rows], "_book": [d for _, d in rows],
        "_value": [d for _, d in rows], "amount_vnd": [ACCOUNT_FEE_VND] * len(rows),
        "direction": ["DBIT"] * len(rows), "reference": [None] * len(rows),
        "remittance": ["Phi quan ly tai khoan"] * len(rows), "_kind": [2] * len(rows),
        "_code": [None] * len(rows), "_batch": [None] * len(rows),
    }, schema=ENTRY_SCHEMA)


def _unmatched(w: World, k: int, b: pl.DataFrame) -> pl.DataFrame:
    rng = w.rng
    accounts = [a for _, _, a in OPERATORS]
    rows = []
    for i in range(k):  # k injected credits
        account = accounts[i % len(accounts)]
        taken = set(b.filter(pl.col("account") == account)["net_vnd"].to_list())
        amount = int(rng.integers(50, 5000)) * 1000 + int(rng.integers(1, 999))
        while amount in taken:
            amount += 1
        day = int(rng.integers(0, w.days))
        stamp = (w.start + timedelta(days=day)).strftime("%Y%m%d")
        ref = f"B-{PROVIDERS[i % 2]}-ST99-{stamp}" if i % 3 == 1 else None
        text = ("Lai tien gui khong ky han", "Thanh toan phi ETC",
                "Hoan tra tien thua giao dich")[i % 3]
        rows.append((account, day, day, amount, "CRDT", ref, text, 3, "BANK_UNMATCHED_CREDIT",
                     None))
    return pl.DataFrame(rows, schema=ENTRY_SCHEMA, orient="row")


def _number(w: World, df: pl.DataFrame) -> pl.DataFrame:
    """Entry ids: FT + yymmdd of booking + the account's last two digits + a sequence
    (15 characters, unique across accounts, short enough for MT940)."""
    epoch = (w.start - date(1970, 1, 1)).days
    df = (df.sort("account", "_book", "_kind", "_batch", "amount_vnd", nulls_last=True)
          .with_columns(pl.int_range(1, pl.len() + 1).over("account", "_book").alias("_seq"))
          .with_columns(
              (pl.col("_book") + epoch).cast(pl.Date).alias("booking_date"),
              (pl.col("_value") + epoch).cast(pl.Date).alias("value_date"),
          )
          .with_columns(pl.format("FT{}{}{}", pl.col("booking_date").dt.strftime("%y%m%d"),
                                  pl.col("account").str.slice(-2),
                                  pl.col("_seq").cast(pl.String).str.zfill(5)).alias("entry_id")))
    hits = df.filter(pl.col("_code").is_not_null())
    if hits.height:
        w.add_truth("BANK_UNMATCHED_CREDIT", entry_id=hits["entry_id"],
                    _day=hits["_book"].cast(pl.Int32))
    return df.select("entry_id", "account", "booking_date", "value_date", "amount_vnd",
                     "direction", "reference", "remittance")
