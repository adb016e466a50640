"""The generator's night-by-night inboxes (`generate(..., by_night=True)`): together
the nights hold exactly the rows of the one-shot `inputs/`, each night only what had
arrived by its cut-off (D+1 06:00 local), and the same seed gives the same bytes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from etc.generate import Sample, build, generate, write_sample
from etc.readers import read
from etc.schemas import SCHEMAS, Kind
from etc.validate import validate

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS, PASSAGES = 3, 2000
REFERENCE = (Kind.STATIONS, Kind.TARIFFS, Kind.EXEMPTIONS)


class Pair(NamedTuple):
    seed: int
    one: Sample
    """Written at once into inputs/."""
    by_night: Sample
    """The same seed written night by night."""


@pytest.fixture(scope="module", params=[3, 11])
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    seed: int = request.param
    root = tmp_path_factory.mktemp(f"seed{seed}")
    one = generate(root / "one", seed=seed, days=DAYS, passages=PASSAGES)
    by_night = generate(root / "nights", seed=seed, days=DAYS, passages=PASSAGES, by_night=True)
    return Pair(seed, one, by_night)


def _kinds(sample: Sample) -> dict[Path, Kind]:
    return {p: Kind(k) for k, paths in sample.files.items() for p in paths}


def _is_resend(path: Path) -> bool:
    return path.name.endswith("_resend.csv")


def _rows(path: Path, kind: Kind) -> pl.DataFrame:
    """The file's rows as etc reads and types them; none may be refused."""
    checked = validate(read(path), SCHEMAS[kind])
    assert checked.bad.is_empty(), (path, checked.bad.head())
    return checked.good.drop("extra", "source_row")


def _union(paths: list[Path], kind: Kind) -> pl.DataFrame:
    frame = pl.concat([_rows(p, kind) for p in paths])
    return frame.sort(frame.columns, nulls_last=True)


def _cutoff(d: date) -> datetime:
    """C(D) = D+1 06:00 local, as a UTC instant (the typed columns are UTC)."""
    return datetime.combine(d + timedelta(days=1), time(6), tzinfo=LOCAL).astimezone(UTC)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_layout_and_names(pair: Pair) -> None:
    _, one, by_night = pair
    assert one.nights == [] and not (one.out_dir / "nights").exists()
    assert not (by_night.out_dir / "inputs").exists()
    assert (by_night.out_dir / "truth.csv").read_bytes() == one.truth.read_bytes()
    dates = [by_night.start + timedelta(days=d) for d in range(DAYS)]
    assert by_night.nights == [by_night.out_dir / "nights" / d.isoformat() for d in dates]
    on_disk = {p for n in by_night.nights for p in n.iterdir()}
    kinds = _kinds(by_night)
    assert set(kinds) == on_disk  # `files` lists every file written, once
    assert sum(len(v) for v in by_night.files.values()) == len(on_disk)
    for d, night in zip(dates, by_night.nights, strict=True):
        names = [p.name for p in night.iterdir()]
        assert all(re.search(r"_20\d{6}[._]", n) for n in names), names
        here = {kinds[p] for p in night.iterdir()}
        assert Kind.LANES in here
        assert f"lanes_{d:%Y%m%d}" in " ".join(names)
        assert all((k in here) == (d == dates[0]) for k in REFERENCE)
        assert (f"tags_snapshot_{d:%Y%m%d}.csv" in names) == (d == dates[0])
    resend = [p for p in kinds if _is_resend(p)]
    assert [p.parent for p in resend] == [by_night.nights[1]]
    [sent] = [p for p in _kinds(one) if _is_resend(p)]
    assert resend[0].read_bytes() == sent.read_bytes()


@pytest.mark.parametrize("kind", list(Kind))
def test_nights_together_hold_exactly_the_one_shot_rows(pair: Pair,
                                                        kind: Kind) -> None:
    _, one, by_night = pair
    mine = [p for p, k in _kinds(by_night).items() if k == kind and not _is_resend(p)]
    theirs = [p for p, k in _kinds(one).items() if k == kind and not _is_resend(p)]
    got, want = _union(mine, kind), _union(theirs, kind)
    assert want.height == one.counts[kind.value] > 0
    assert_frame_equal(got, want)  # as multisets: nothing lost, nothing twice
    for p in mine:  # a night writes no empty file
        assert _rows(p, kind).height > 0, p


def test_each_night_holds_only_what_had_arrived(pair: Pair) -> None:
    by_night = pair.by_night
    kinds = _kinds(by_night)
    last = len(by_night.nights) - 1
    for d, night in enumerate(by_night.nights):
        day = by_night.start + timedelta(days=d)
        cut, prev = _cutoff(day), _cutoff(day - timedelta(days=1))
        files = [p for p in sorted(night.iterdir()) if not _is_resend(p)]

        def rows(kind: Kind, files: list[Path] = files) -> pl.DataFrame:
            return _union([p for p in files if kinds[p] == kind], kind)

        lanes = rows(Kind.LANES)
        assert lanes["business_date"].unique().to_list() == [day]
        settled = rows(Kind.SETTLEMENTS)["settled_at"]
        booked = rows(Kind.BANK)["booking_date"]
        assert settled.len() > 0 and booked.len() > 0
        if d < last:
            assert (settled < cut).all(), (day, settled.max())
            assert (booked <= day).all(), (day, booked.max())
        else:  # the last night also takes everything later
            assert (settled >= cut).any() and (booked > day).any()
        if d > 0:  # nothing an earlier night could have had
            assert (settled >= prev).all() and (booked >= day).all()
            changes = rows(Kind.TAGS)["valid_from"]
            assert (changes >= prev).all() and (d == last or (changes < cut).all())


def test_same_seed_same_night_bytes(pair: Pair, tmp_path: Path) -> None:
    by_night = pair.by_night
    again = generate(tmp_path, seed=pair.seed, days=DAYS, passages=PASSAGES, by_night=True)
    assert _digest(again.out_dir / "nights") == _digest(by_night.out_dir / "nights")
    assert again.truth.read_bytes() == by_night.truth.read_bytes()


def test_one_day_is_one_night_with_everything(tmp_path: Path) -> None:
    one = generate(tmp_path / "one", seed=2, days=1, passages=1500)
    by_night = generate(tmp_path / "nights", seed=2, days=1, passages=1500, by_night=True)
    [night] = by_night.nights
    assert night == tmp_path / "nights" / "nights" / "2026-11-01"
    assert sorted(p.name for p in night.iterdir() if _is_resend(p)) == [
        "lanes_20261101_resend.csv"]
    for kind in Kind:
        mine = [p for p in by_night.files[kind.value] if not _is_resend(p)]
        theirs = [p for p in one.files[kind.value] if not _is_resend(p)]
        assert_frame_equal(_union(mine, kind), _union(theirs, kind))


def test_a_night_without_rows_of_a_kind_gets_no_file_of_it(tmp_path: Path) -> None:
    f = build(seed=4, days=2, passages=1500)
    vec = f.stations.filter(pl.col("operator_id") == "VEC")["account"][0]
    thin = replace(
        f, tags=f.tags.filter(pl.col("valid_from") < f.changes_from),  # no changes at all
        settlements=f.settlements.filter(pl.col("provider_id") == "VETC"),  # no EPASS items
        bank=f.bank.filter((pl.col("account") != vec)
                           | (pl.col("booking_date") > f.start)))  # VEC: nothing on night 1
    s = write_sample(thin, tmp_path, by_night=True)
    names = [sorted(p.name for p in n.iterdir()) for n in s.nights]
    flat = " ".join(n for night in names for n in night)
    assert "tag_changes" not in flat and "EPASS" not in flat
    assert not any(n.startswith("bank_VEC") for n in names[0])
    assert "bank_VEC_20261102.csv" in names[1]
    for kind, paths in s.files.items():
        for p in paths:
            assert _rows(p, Kind(kind)).height > 0, p
