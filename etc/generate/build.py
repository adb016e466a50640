"""Build the sample in memory: network, vehicles, normal traffic, injections,
settlements, bank entries and the truth. Every random draw comes from one
`numpy.random.Generator` seeded by `seed`, in a fixed order."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl

from etc.generate import (
    bank,
    cash_spike,
    counts,
    incidents,
    inject_fraud,
    inject_money,
    inject_tags,
    settlement,
    traffic,
    vehicles,
)
from etc.generate.frames import Frames, assemble
from etc.generate.network import build_network
from etc.generate.world import World

Progress = Callable[[str, float], None]
MIN_PASSAGES_WITH_ANOMALIES = 300


def instances(total_passages: int) -> int:
    """Injected instances per rule code: 3 at a few thousand passages, ~10 at 1 M, 12 at 10 M."""
    return max(3, int(2.5 * math.log10(max(total_passages, 10))) - 5)


def build(
    *,
    seed: int = 7,
    days: int = 1,
    passages: int = 20_000,
    start: date = date(2026, 11, 1),
    anomalies: bool = True,
    progress: Progress | None = None,
) -> Frames:
    """The sample as canonical frames (see frames.Frames), without writing files.

    `passages` is per day. With `anomalies`, every rule code of findings.md is
    injected `instances(passages × days)` times and recorded in `Frames.truth` —
    CASH_SHARE_SPIKE only in samples of 8 days or more (it needs 7 earlier days;
    etc.generate.cash_spike), and up to that many times (lanes must qualify).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if anomalies and passages < MIN_PASSAGES_WITH_ANOMALIES:
        raise ValueError(f"anomalies need at least {MIN_PASSAGES_WITH_ANOMALIES} passages a day")

    def step(stage: str, done: float) -> None:
        if progress is not None:
            progress(stage, done)

    rng = np.random.default_rng(seed)
    net = build_network(rng, start, days)
    w = World(rng=rng, net=net, start=start, days=days)
    n_etc, _, _ = traffic.split(passages)
    step("vehicles", 0.02)
    pool = vehicles.build_pool(w, n_etc)
    ex = vehicles.build_exemptions(w, passages)
    day_frames = []
    for d in range(days):  # one day at a time keeps the pool draws simple
        day_frames.append(traffic.normal_day(w, d, passages, pool, ex))
        step("traffic", 0.05 + 0.45 * (d + 1) / days)
    normal = pl.concat(day_frames)
    del day_frames
    normal = incidents.overrides(w, normal)
    normal, unread_tags = incidents.manual_entries(w, normal)
    incidents.status_changes(w, normal, pool.size)
    k = instances(passages * days) if anomalies else 0
    if anomalies:
        normal = inject_tags.degrade_lanes(w, normal, k, unread_tags)
    w.passages.append(normal)
    del normal, pool, unread_tags
    if anomalies:
        step("anomalies", 0.55)
        _inject(w, k, ex)
    lanes = pl.concat(w.passages)
    w.passages = []
    step("settlements", 0.65)
    items = settlement.finish(w, settlement.items(w, lanes, w.tag_book()),
                              net.stations["station_id"])
    step("bank", 0.8)
    entries = bank.entries(w, settlement.batches(items), net.stations, k)
    step("assemble", 0.85)
    parts = {"lanes": lanes, "items": items, "bank": entries}
    del lanes, items, entries
    frames = assemble(w, parts, ex)
    frames = cash_spike.inject(frames, seed, k)  # only with 8 days or more
    frames = counts.add_counts(frames, net.stations, seed, k)
    step("built", 0.9)
    return frames


def _inject(w: World, k: int, ex: vehicles.Exemptions) -> None:
    inject_tags.tag_unknown(w, k)
    inject_tags.tag_malformed(w, k)
    inject_tags.tag_status(w, k, "TAG_NOT_ACTIVE")
    inject_tags.tag_status(w, k, "TAG_LOW_BALANCE")
    inject_tags.plate_multi_tag(w, k)
    inject_tags.class_mismatch(w, k)
    inject_tags.plate_mismatch(w, k)
    inject_tags.poor_read(w, k)
    inject_money.tariff_mismatch(w, k)
    inject_money.settlement_codes(w, k)
    inject_money.settlement_orphan(w, k)
    inject_fraud.double_charge(w, k)
    inject_fraud.tag_clone(w, k)
    inject_fraud.class_undercharge(w, k)
    inject_fraud.exempt_unlisted(w, k, ex)
    inject_fraud.staff_outlier(w, k)  # last: it counts every other override
