"""Tag sequences: each ETC passage beside the previous passage of the same tag,
and the two FRAUD rules read from that pair (DOUBLE_CHARGE, TAG_CLONE).

A tag's passages are ordered by `passed_at`, then `txn_id` (so simultaneous
passages have one order whatever the load order); a passage is compared with the
one just before it only, as findings.md's "twice … within" and "closer in time
than a vehicle could travel" are read (and as the generator's oracle does).

Passages are many (10 M a day), so the order is made by one sort of the few
columns the rules read, then a `shift` over the sorted frame (cheaper than a
window `over` the tag). The sort's first key is an integer surrogate of the tag
instead of the 24-character text: a well-formed tag id is 96 bits of hex, packed
exactly into a UInt128 with the passage's second beside it, so most comparisons
are of one integer and the text is never compared while sorting. A tag id that
is not well formed gets its 64-bit hash in a range of its own; two distinct
malformed ids with the same hash could interleave and hide a pair of theirs
(never invent one: a pair always has the same tag id text).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.localtime import OFFSET
from etc.settings import FraudSettings

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG) for the great-circle distance between stations."""

PASSAGE_COLUMNS = ("txn_id", "tag_id", "station_id", "lane_id", "plate", "staff_id",
                   "tag_provider_id", "passed_at", "business_date", "charged", "amount_vnd")
"""What the tag-sequence rules read of a passage (the keys of its findings too)."""

PREVIOUS_COLUMNS = ("txn_id", "station_id", "passed_at", "charged", "amount_vnd")
"""What they read of the tag's previous passage, as `<name>_prev`."""

_PROVIDER = {"provider_id": pl.col("tag_provider_id")}  # the tag's issuer at the later passage
_EPOCH_S = 946_684_800  # 2000-01-01 UTC: the surrogate keeps seconds since then (31 bits)
_WORDS = ("_w0", "_w1", "_w2")


def _tag_key(frame: pl.LazyFrame) -> pl.LazyFrame:
    """`frame` with `_key` (UInt128): for a well-formed tag the 96-bit value of its
    hex id × 2³¹ + seconds since 2000 (clamped); otherwise 2¹²⁷ + hash × 2³¹ +
    seconds. Equal ids give equal high bits, so ordering by (`_key`, passed_at,
    txn_id) orders by tag, then time. Built in stages: each step reads columns,
    not the expression before it again."""
    text = pl.when(pl.col("tag_ok")).then(pl.col("tag_id")).otherwise(pl.lit("0" * 24))
    words = text.cast(pl.Binary).bin.reinterpret(dtype=pl.Array(pl.UInt64, 3), endianness="big")
    frame = frame.with_columns(words.alias("_w")).with_columns(
        pl.col("_w").arr.get(i).alias(w) for i, w in enumerate(_WORDS))
    # eight ASCII hex digits per word → eight nibbles ('0'-'9': low 4 bits, 'A'-'F': + 9)
    frame = frame.with_columns(
        (pl.col(w) & 0x0F0F0F0F0F0F0F0F) + (pl.col(w) // 64 & 0x0101010101010101) * 9
        for w in _WORDS)
    for shift, mask in ((16, 0x00FF00FF00FF00FF), (256, 0x0000FFFF0000FFFF), (65536, 0xFFFFFFFF)):
        frame = frame.with_columns((pl.col(w) | pl.col(w) // shift) & mask for w in _WORDS)
    wide = [pl.col(w).cast(pl.UInt128) for w in _WORDS]
    hex96 = wide[0] * 2**64 + wide[1] * 2**32 + wide[2]
    odd = pl.lit(2**63, pl.UInt64).cast(pl.UInt128) * 2**64 + pl.col("tag_id").hash().cast(
        pl.UInt128) * 2**31
    seconds = (pl.col("passed_at").dt.epoch("s") - _EPOCH_S).clip(0, 2**31 - 1).cast(pl.UInt128)
    key = pl.when(pl.col("tag_ok")).then(hex96 * 2**31).otherwise(odd) + seconds
    return frame.with_columns(key.alias("_key")).drop("_w", *_WORDS)


def tag_pairs(passages: pl.LazyFrame) -> pl.LazyFrame:
    """Every ETC passage with a tag id that has an earlier passage of the same tag:
    `PASSAGE_COLUMNS` of it and `PREVIOUS_COLUMNS` of that earlier one (`_prev`),
    plus `gap` (Duration, passed_at − passed_at_prev, never negative)."""
    etc = passages.filter((pl.col("payment_method") == "ETC") & pl.col("tag_id").is_not_null())
    ordered = _tag_key(etc.select(*PASSAGE_COLUMNS, "tag_ok")).sort(
        "_key", "passed_at", "txn_id")
    same_tag = pl.col("tag_id") == pl.col("tag_id").shift(1)
    return (
        ordered.with_columns(pl.col(c).shift(1).alias(f"{c}_prev") for c in PREVIOUS_COLUMNS)
        .filter(same_tag)
        .drop("_key", "tag_ok")
        .with_columns((pl.col("passed_at") - pl.col("passed_at_prev")).alias("gap"))
    )


def local_time(instant: pl.Expr) -> pl.Expr:
    """A UTC instant as local 'YYYY-MM-DD HH:MM:SS' text."""
    return (instant.dt.replace_time_zone(None) + OFFSET).dt.strftime("%Y-%m-%d %H:%M:%S")


def seconds_text(gap: pl.Expr) -> pl.Expr:
    """A Duration as seconds: '280' when whole, else with milliseconds ('300.5')."""
    us = gap.dt.total_microseconds()
    whole = (us // 1_000_000).cast(pl.String)
    exact = (us / 1_000_000).round(3).cast(pl.String)
    return pl.when(us % 1_000_000 == 0).then(whole).otherwise(exact)


def double_charge(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """DOUBLE_CHARGE: an ETC passage charged at the same station as the tag's
    previous passage, that one charged too, at most `double_charge_minutes` later
    (a gap of exactly the window fires). Key: the later txn_id; money at risk:
    its amount. A VOID or FREE_PASS passage on either side is not a charge, so it
    does not pair; nor is a passage compared with any but the tag's previous one
    (A, VOID B, C at one station a minute apart: no finding); passages without a
    tag id are never paired."""
    window = timedelta(minutes=cfg.double_charge_minutes)
    pairs = tag_pairs(ctx.passages).filter(
        (pl.col("station_id") == pl.col("station_id_prev"))
        & pl.col("charged") & pl.col("charged_prev") & (pl.col("gap") <= window))
    detail = say(
        "tag {} charged {} VND at {} by {} at {}, {} s after {} charged {} VND there "
        f"(window {window.total_seconds():g} s)",
        pl.col("tag_id"), vnd(pl.col("amount_vnd")), pl.col("station_id"), pl.col("txn_id"),
        local_time(pl.col("passed_at")), seconds_text(pl.col("gap")), pl.col("txn_id_prev"),
        vnd(pl.col("amount_vnd_prev")))
    return finding(pairs, Code.DOUBLE_CHARGE, amount=pl.col("amount_vnd"), detail=detail,
                   keys=_PROVIDER)


def haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km between two points given in degrees."""
    h = ((lat2 - lat1).radians() / 2).sin() ** 2 + lat1.radians().cos() * lat2.radians().cos() * (
        (lon2 - lon1).radians() / 2).sin() ** 2
    return 2 * EARTH_RADIUS_KM * h.sqrt().clip(upper_bound=1.0).arcsin()


def tag_clone(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """TAG_CLONE: an ETC passage at another station than the tag's previous passage,
    the stations at least `clone_min_distance_km` apart (great circle) and the
    implied speed, distance / elapsed time, strictly over `clone_speed_kmh` (two
    stations at the same instant: infinite speed, fires). Key: the later txn_id;
    money at risk: its amount. Compares with the previous passage only, charged or
    not; a station missing from the stations list never fires."""
    geo = ctx.inputs.stations.select("station_id", "lat", "lon")
    pairs = (
        tag_pairs(ctx.passages).filter(pl.col("station_id") != pl.col("station_id_prev"))
        .join(geo, on="station_id", how="inner")
        .join(geo.rename({"station_id": "station_id_prev", "lat": "lat_prev", "lon": "lon_prev"}),
              on="station_id_prev", how="inner")
        .with_columns(
            haversine_km(pl.col("lat_prev"), pl.col("lon_prev"), pl.col("lat"), pl.col("lon"))
            .alias("km"),
            (pl.col("gap").dt.total_microseconds() / 3_600_000_000).alias("hours"))
        .with_columns((pl.col("km") / pl.col("hours")).alias("kmh"))
    )
    instant = (pl.col("hours") == 0) & (pl.col("km") > 0)
    fast = instant | ((pl.col("hours") > 0) & (pl.col("kmh") > cfg.clone_speed_kmh))
    clones = pairs.filter((pl.col("km") >= cfg.clone_min_distance_km) & fast)
    speed = pl.when(pl.col("hours") == 0).then(pl.lit("an infinite speed")).otherwise(
        say("{} km/h", pl.col("kmh").round(1)))
    detail = say(
        "tag {} passed {} at {} ({}) and {} {} min later ({}): {} km apart, {} over "
        f"the {cfg.clone_speed_kmh:g} km/h limit (stations at least "
        f"{cfg.clone_min_distance_km:g} km apart)",
        pl.col("tag_id"), pl.col("station_id_prev"), local_time(pl.col("passed_at_prev")),
        pl.col("txn_id_prev"), pl.col("station_id"), (pl.col("hours") * 60).round(1),
        pl.col("txn_id"), pl.col("km").round(1), speed)
    return finding(clones, Code.TAG_CLONE, amount=pl.col("amount_vnd"), detail=detail,
                   keys=_PROVIDER)
