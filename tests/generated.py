"""Generated scenarios as the rules see them, and the generator's truth as
finding identities.

`inputs_of(frames)` turns `etc.generate.Frames` into `Inputs` the way the loader
stores them (plates normalised with `<plate>_raw` beside them, tag ids
upper-case, lanes with their business_date), without writing files: the
precision/recall tests run many scenarios and the loader has its own tests. One
scenario also goes the whole way through files, `etc ingest` and the engine.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from etc.codes import IDENTITY, Code
from etc.context import Inputs, Period
from etc.findings import KEY_COLUMNS
from etc.generate import Frames
from etc.localtime import local_date
from etc.parse import normalise_plate
from etc.schemas import SCHEMAS, Kind

Identity = tuple[object, ...]


def _stored(frames: Frames, kind: Kind) -> pl.LazyFrame:
    schema = SCHEMAS[kind]
    df = frames.of(kind).lazy()
    for c in schema.columns:
        if c.type == "plate":
            df = df.with_columns(pl.col(c.name).alias(f"{c.name}_raw"),
                                 normalise_plate(pl.col(c.name)).alias(c.name))
        elif c.type == "tag":
            df = df.with_columns(pl.col(c.name).str.to_uppercase())
    if kind in (Kind.LANES, Kind.COUNTS):
        start = "passed_at" if kind is Kind.LANES else "interval_start"
        df = df.with_columns(local_date(pl.col(start)).alias("business_date"))
    return df


def inputs_of(frames: Frames) -> Inputs:
    return Inputs(**{k.value if k is not Kind.BANK else "bank": _stored(frames, k)
                     for k in Kind})


def period_of(frames: Frames) -> Period:
    return Period(frames.start, frames.start + timedelta(days=frames.days - 1))


def identities(found: pl.DataFrame) -> set[Identity]:
    """(code, identity values…) of every finding (or truth row)."""
    out: set[Identity] = set()
    for (code,), rows in found.group_by("code"):
        cols = IDENTITY[Code(str(code))]
        out |= {(str(code), *r) for r in rows.select(cols).iter_rows()}
    return out


def truth_identities(frames: Frames) -> set[Identity]:
    truth = frames.truth
    missing = [k for k in KEY_COLUMNS if k not in truth.columns]
    truth = truth.with_columns(pl.lit(None, pl.String).alias(k) for k in missing)
    return identities(truth)


def score(found: set[Identity], truth: set[Identity]) -> dict[str, tuple[float, float]]:
    """Precision and recall per code (1.0 where a code has nothing on either side)."""
    out = {}
    for code in Code:
        f = {x for x in found if x[0] == code}
        t = {x for x in truth if x[0] == code}
        hit = len(f & t)
        out[code.value] = (hit / len(f) if f else 1.0, hit / len(t) if t else 1.0)
    return out

