"""Tag sequences: each ETC passage beside the previous passage of the same tag,
and the two FRAUD rules read from that pair (DOUBLE_CHARGE, TAG_CLONE).

A tag's passages are ordered by `passed_at`, then `txn_id` (so simultaneous
passages have one order whatever the load order); a passage is compared with the
one just before it only, as findings.md's "twice … within" and "closer in time
than a vehicle could travel" are read (and as the generator's oracle does).

Passages are many (10 M a day) and pairs that fire are few, so each rule works
in two steps. A coarse pass sorts one integer per passage — 32 bits of its tag
id's hash, its whole second, and for TAG_CLONE its station's code — as bare
values (no permutation, no text compared: the cheapest sort Polars has), and
keeps the hashes of tags of which two neighbours in that order *could* fire.
The exact pairs are then made, as the rules define them, from every passage of
those suspect tags only (a few rows), found again by the same hash.

The coarse pass keeps too many tags, never too few, whatever it cannot see
(tags of one hash interleaved, the passages of one second in any order, a
station missing from the list), so the findings are exactly those of one sort
of all passages (tests/unit/test_fraud_rules.py compares the two). Why, is said
where each test is made (`_repeats`, `_leaps`).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.localtime import local_text
from etc.settings import FraudSettings

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG) for the great-circle distance between stations."""

PASSAGE_COLUMNS = ("txn_id", "tag_id", "station_id", "lane_id", "plate", "staff_id",
                   "tag_provider_id", "passed_at", "business_date", "charged", "amount_vnd")
"""What the tag-sequence rules read of a passage (the keys of its findings too)."""

PREVIOUS_COLUMNS = ("txn_id", "station_id", "passed_at", "charged", "amount_vnd")
"""What they read of the tag's previous passage, as `<name>_prev`."""

_PROVIDER = {"provider_id": pl.col("tag_provider_id")}  # the tag's issuer at the later passage
_EPOCH_S = 946_684_800  # 2000-01-01 UTC: the coarse key keeps seconds since then (32 bits)
_ETC = (pl.col("payment_method") == "ETC") & pl.col("tag_id").is_not_null()

_WORD = 2**32  # the coarse keys are made of 32-bit fields
_TAG_UNIT = pl.lit(2**64, pl.UInt128)  # the tag field's unit in a 128-bit key
_HIGH = pl.lit(2**64 - _WORD, pl.UInt64)  # the tag field of a 64-bit key
_TAG_BITS = pl.lit(2**128 - 2**64, pl.UInt128)  # the fields of a 128-bit key
_SECOND_BITS = pl.lit(2**64 - _WORD, pl.UInt128)
_STATION_BITS = pl.lit(_WORD - 1, pl.UInt128)


def tagged(passages: pl.LazyFrame) -> pl.LazyFrame:
    """`passages` with `_tag` (UInt64 < 2³²): the upper half of the 64-bit hash of
    the tag id, null unless an ETC passage with a tag id (the only ones paired)."""
    return passages.with_columns(pl.when(_ETC).then(pl.col("tag_id").hash() // _WORD)
                                 .alias("_tag"))


def _second() -> pl.Expr:
    """Whole seconds of passed_at since 2000 (clamped to 32 bits), UInt64."""
    seconds = (pl.col("passed_at").dt.epoch("s") - _EPOCH_S).clip(0, _WORD - 1)
    return seconds.cast(pl.UInt64)


def _station_code() -> pl.Expr:
    """32 bits of the hash of station_id (UInt64 < 2³²)."""
    return pl.col("station_id").hash() // _WORD


def _coarse(passages: pl.LazyFrame, key: pl.Expr) -> pl.LazyFrame:
    """`_v`: `key` of every `tagged` passage with a `_tag`, ascending. The values
    alone are sorted (no permutation, no text): the cheapest sort there is. With
    `_tag` as its first field and the second next, one tag's passages are
    consecutive and in time order to the second; those of one second are in any
    order, and two tags with one hash interleave."""
    return passages.select(key.filter(pl.col("_tag").is_not_null()).sort().alias("_v"))


def _repeats(passages: pl.LazyFrame, window_s: float) -> pl.LazyFrame:
    """`_tag`s of which two coarse neighbours are at most `window_s` + 1 whole
    seconds apart (key: tag × 2³² + second). A pair A → B of one tag within the
    window is two passages whose seconds differ by less than `window_s` + 1;
    every row between them in the coarse order (an interleaved tag, a passage
    of the same second) has its second between theirs, so each step from A to B
    is that close too."""
    v = pl.col("_v")
    near = ((v & _HIGH) == (v & _HIGH).shift(1)) & (v - v.shift(1) <= int(window_s + 1))
    return (_coarse(passages, pl.col("_tag") * _WORD + _second()).filter(near)
            .select((v // _WORD).alias("_tag")).unique())


def _leaps(passages: pl.LazyFrame, stations: pl.LazyFrame, speed_kmh: float) -> pl.LazyFrame:
    """`_tag`s of which two coarse neighbours are further apart than `speed_kmh`
    covers in their seconds' difference less 2 s (a lower bound of the time
    between them, with room for rounding); key: tag × 2⁶⁴ + second × 2³² +
    station code (32 bits of the station id's hash). Great-circle distance is a
    metric, so along the coarse rows from A to B of a pair that fires, at least
    one step is that fast: the steps' distances add up to at least A–B's, their
    lower bounds of time to at most A–B's time less 1 s. A step's distance is
    that of any two listed stations with its codes (the largest, as a step is
    kept when one is fast); with a code no listed station has, 0 to the same
    code, else the farthest distance between two listed stations: every such
    station is then taken as one point (any point keeps the sum above A–B's),
    so a station missing from the list cannot break a chain."""
    code = _station_code()
    key = (pl.col("_tag").cast(pl.UInt128) * _TAG_UNIT
           + (_second() * _WORD + code.fill_null(_WORD - 1)).cast(pl.UInt128))
    v, u = pl.col("_v"), pl.col("_v").shift(1)
    steps = _coarse(passages, key).select(v, u.alias("_u")).filter(
        (v & _TAG_BITS) == (pl.col("_u") & _TAG_BITS)).select(
        "_v",
        (pl.col("_u") & _STATION_BITS).cast(pl.UInt64).alias("_st_prev"),
        (v & _STATION_BITS).cast(pl.UInt64).alias("_st"),
        ((v & _SECOND_BITS) - (pl.col("_u") & _SECOND_BITS)).cast(pl.Float64).alias("_seconds"),
    ).select("_v", (pl.col("_st_prev") * _WORD + pl.col("_st")).alias("_leg"),
             (pl.col("_st_prev") == pl.col("_st")).alias("_stay"),
             pl.col("_seconds") / _WORD)  # exact: a multiple of 2³² below 2⁶⁴
    geo = stations.select(code.alias("_st"), "lat", "lon")
    legs = geo.join(geo, how="cross", suffix="_prev").group_by(
        (pl.col("_st_prev") * _WORD + pl.col("_st")).alias("_leg")).agg(
        haversine_km(pl.col("lat_prev"), pl.col("lon_prev"), pl.col("lat"), pl.col("lon"))
        .max().alias("_km"))
    farthest = legs.select(pl.col("_km").max().alias("_farthest"))
    unlisted = pl.when(pl.col("_stay")).then(0.0).otherwise(pl.col("_farthest"))
    km = pl.col("_km").fill_null(unlisted) * (1 + 1e-9)  # room for rounding
    least_h = (pl.col("_seconds") - 2).clip(lower_bound=0) / 3600
    return (steps.join(legs, on="_leg", how="left").join(farthest, how="cross")
            .filter(km > speed_kmh * least_h)
            .select((v // _TAG_UNIT).cast(pl.UInt64).alias("_tag")).unique())


def tag_pairs(passages: pl.LazyFrame, suspects: pl.LazyFrame) -> pl.LazyFrame:
    """Every ETC passage with a tag id whose tag hash is in `suspects` (`_tag`)
    and that has an earlier passage of the same tag: `PASSAGE_COLUMNS` of it and
    `PREVIOUS_COLUMNS` of that earlier one (`_prev`), plus `gap` (Duration,
    passed_at − passed_at_prev, never negative). Ordered by hash first, the tag
    id text only between the rare tags that share one."""
    ordered = (
        passages.join(suspects, on="_tag", how="semi")
        .select("_tag", *PASSAGE_COLUMNS)
        .sort("_tag", "tag_id", "passed_at", "txn_id")
    )
    same_tag = pl.col("tag_id") == pl.col("tag_id").shift(1)
    return (
        ordered.with_columns(pl.col(c).shift(1).alias(f"{c}_prev") for c in PREVIOUS_COLUMNS)
        .filter(same_tag)
        .drop("_tag")
        .with_columns((pl.col("passed_at") - pl.col("passed_at_prev")).alias("gap"))
    )


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
    passages = tagged(ctx.history())
    pairs = tag_pairs(passages, _repeats(passages, window.total_seconds())).filter(
        (pl.col("station_id") == pl.col("station_id_prev"))
        & pl.col("charged") & pl.col("charged_prev") & (pl.col("gap") <= window))
    detail = say(
        "tag {} charged {} VND at {} by {} at {}, {} s after {} charged {} VND there "
        f"(window {window.total_seconds():g} s)",
        pl.col("tag_id"), vnd(pl.col("amount_vnd")), pl.col("station_id"), pl.col("txn_id"),
        local_text(pl.col("passed_at")), seconds_text(pl.col("gap")), pl.col("txn_id_prev"),
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
    passages = tagged(ctx.history())
    suspects = _leaps(passages, ctx.inputs.stations, cfg.clone_speed_kmh)
    pairs = (
        tag_pairs(passages, suspects).filter(pl.col("station_id") != pl.col("station_id_prev"))
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
        pl.col("tag_id"), pl.col("station_id_prev"), local_text(pl.col("passed_at_prev")),
        pl.col("txn_id_prev"), pl.col("station_id"), (pl.col("hours") * 60).round(1),
        pl.col("txn_id"), pl.col("km").round(1), speed)
    return finding(clones, Code.TAG_CLONE, amount=pl.col("amount_vnd"), detail=detail,
                   keys=_PROVIDER)
