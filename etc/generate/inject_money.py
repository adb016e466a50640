"""Injections of the passage and settlement MONEY codes (the batch and bank ones are
in bank.py). Each is a fresh passage (fresh.py) changed in one respect; settlement
items are made later from the `_settle` mode, and every batch is credited with the
Σ amount − Σ fee of the items it really holds, so batches still tie out.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from etc.generate import fresh
from etc.generate.network import stale_tariff
from etc.generate.world import DAY_CLOSE_S, DAY_OPEN_S, Settle, World, staff_no


def tariff_mismatch(w: World, k: int) -> None:
    """TARIFF_MISMATCH: charged the superseded tariff of a station whose tariff
    changed (where the period allows) or the tariff of a neighbouring class. Half
    ETC (the provider settles the amount charged: no SETTLEMENT_AMOUNT_MISMATCH),
    half cash."""
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    changed = np.flatnonzero(w.net.changed)
    st[::2] = changed[np.arange(len(st[::2])) % len(changed)]
    day[::2] = np.maximum(day[::2], w.net.change_day)
    t = fresh.times(w, day)
    is_cash = np.arange(k) % 2 == 1
    frames = []
    if (~is_cash).any():
        frames.append(fresh.etc(w, day[~is_cash], st[~is_cash], t[~is_cash]))
    if is_cash.any():
        frames.append(fresh.cash(w, day[is_cash], st[is_cash], t[is_cash]))
    df = pl.concat(frames)
    wrong = stale_tariff(w.net, df["_day"].to_numpy(), df["_st"].to_numpy().astype(np.int64),
                         df["charged_class"].to_numpy().astype(np.int64))
    df = df.with_columns(pl.Series("amount_vnd", wrong))
    w.passages.append(df)
    w.add_truth("TARIFF_MISMATCH", _day=df["_day"], _pid=df["_pid"])


def _settled(w: World, k: int, mode: Settle, delta: np.ndarray | None = None) -> pl.DataFrame:
    day = fresh.days(w, k)
    df = fresh.etc(w, day, fresh.stations(w, k), fresh.times(w, day))
    df = df.with_columns(pl.lit(int(mode), pl.Int8).alias("_settle"))
    if delta is not None:
        df = df.with_columns(pl.Series("_delta", delta, pl.Int64))
    w.passages.append(df)
    return df


def settlement_codes(w: World, k: int) -> None:
    """SETTLEMENT_MISSING: no item. SETTLEMENT_AMOUNT_MISMATCH: the only item pays
    ±1,000, +5,000 or half the amount charged. SETTLEMENT_LATE: the only item is
    settled on the business date + 2 days or later. SETTLEMENT_DUPLICATE: a second
    item, same provider and amount, 1–20 h after the first (the finding is the
    second one; the first is on time and right). SETTLEMENT_WRONG_PROVIDER: the only
    item comes from the provider that did not issue the tag (nothing else: the
    passage has exactly one item, on time, of the right amount)."""
    df = _settled(w, k, Settle.NONE)
    w.add_truth("SETTLEMENT_MISSING", _day=df["_day"], _pid=df["_pid"])

    df = _settled(w, k, Settle.AMOUNT, np.zeros(k, dtype=np.int64))
    amount = df["amount_vnd"].to_numpy()
    delta = np.choose(np.arange(k) % 4, [np.full(k, -1000), np.full(k, 1000),
                                         np.full(k, 5000), -(amount // 2)])
    w.passages[-1] = df.with_columns(pl.Series("_delta", delta, pl.Int64))
    w.add_truth("SETTLEMENT_AMOUNT_MISMATCH", _day=df["_day"], _pid=df["_pid"])

    df = _settled(w, k, Settle.LATE)
    w.add_truth("SETTLEMENT_LATE", _day=df["_day"], _pid=df["_pid"])

    df = _settled(w, k, Settle.DUPLICATE)
    w.add_truth("SETTLEMENT_DUPLICATE", _day=df["_day"], _pid=df["_pid"],
                _ikind=np.ones(k, dtype=np.int8))

    df = _settled(w, k, Settle.WRONG_PROVIDER)
    w.add_truth("SETTLEMENT_WRONG_PROVIDER", _day=df["_day"], _pid=df["_pid"],
                _ikind=np.zeros(k, dtype=np.int8))


def settlement_orphan(w: World, k: int) -> None:
    """SETTLEMENT_ORPHAN: an item for a VOID passage (cancelled by staff, 0 VND; the
    provider debited the tariff all the same) or for a txn_id no passage has. A
    VOID passage is not charged, so no other money rule applies to it; its one
    override keeps its staff member far below the outlier bound."""
    n_void = (k + 1) // 2
    day = fresh.days(w, n_void)
    st = fresh.stations(w, n_void)
    t = fresh.times(w, day)
    df = fresh.etc(w, day, st, t)
    lane = df["lane"].to_numpy()
    df = df.with_columns(
        pl.lit("VOID").alias("override"),
        pl.col("amount_vnd").alias("_delta"),
        pl.lit(0, pl.Int64).alias("amount_vnd"),
        pl.Series("_staff", staff_no(lane, t), pl.Int32),
        pl.lit(int(Settle.VOID_PAID), pl.Int8).alias("_settle"),
    )
    w.passages.append(df)
    w.add_truth("SETTLEMENT_ORPHAN", _day=df["_day"], _pid=df["_pid"],
                _ikind=np.zeros(n_void, dtype=np.int8))

    n_ghost = k - n_void
    rng = w.rng
    gday = fresh.days(w, n_ghost)
    gst = fresh.stations(w, n_ghost)
    cls = rng.integers(1, 6, n_ghost)
    pid = -(1 + np.arange(n_ghost, dtype=np.int64) + sum(g.height for g in w.ghosts))
    w.ghosts.append(pl.DataFrame({
        "_pid": pid,
        "_day": gday.astype(np.int32),
        "_st": gst.astype(np.int32),
        "_prov": rng.integers(0, 2, n_ghost),
        "amount_vnd": w.net.tariff_table[gday, gst, cls - 1],
        "_s": w.day_start(gday) + rng.integers(DAY_OPEN_S + 3600, DAY_CLOSE_S, n_ghost),
    }))
    w.add_truth("SETTLEMENT_ORPHAN", _day=gday.astype(np.int32), _pid=pid,
                _ikind=np.zeros(n_ghost, dtype=np.int8))
