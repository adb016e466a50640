"""The generator's working state and the internal passage and tag layouts.

Passages are built with integer keys (`_pid`, `_st`, `_tag`, `_t` in UTC epoch
seconds, `_staff`) and turned into canonical columns only at the end (frames.py).
The truth is kept in the same terms and resolved to text keys the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum

import numpy as np
import polars as pl

from etc.generate import ids
from etc.generate.network import PROVIDER_SHARE, PROVIDERS, TAG_HEADER, Network

LOCAL_OFFSET_S = 7 * 3600
DAY_S = 86_400
SHIFT_S = 8 * 3600
DAY_OPEN_S = 30 * 60
"""Normal and injected passages of a day fall in [00:30, 23:30) local time."""
DAY_CLOSE_S = DAY_S - 30 * 60
CLASS_SHARE = (0.58, 0.16, 0.10, 0.09, 0.07)


class Settle(IntEnum):
    """What the providers do with a passage (column `_settle`)."""

    NORMAL = 0
    NONE = 1
    AMOUNT = 2
    LATE = 3
    DUPLICATE = 4
    WRONG_PROVIDER = 5
    VOID_PAID = 6


PASSAGE_SCHEMA: dict[str, pl.DataType] = {
    "_pid": pl.Int64(), "_day": pl.Int32(), "_st": pl.Int32(), "lane": pl.Int32(),
    "_t": pl.Int64(), "payment_method": pl.String(), "_tag": pl.Int64(),
    "_tag_text": pl.String(), "read_count": pl.Int64(), "rssi_dbm": pl.Float64(),
    "plate": pl.String(), "plate_confidence": pl.Float64(), "avc_class": pl.Int8(),
    "charged_class": pl.Int8(), "amount_vnd": pl.Int64(), "_staff": pl.Int32(),
    "override": pl.String(), "_settle": pl.Int8(), "_delta": pl.Int64(),
}
TAG_SCHEMA: dict[str, pl.DataType] = {
    "_tag": pl.Int64(), "tag_id": pl.String(), "provider_id": pl.String(),
    "account_id": pl.String(), "plate": pl.String(), "vehicle_class": pl.Int8(),
    "lot": pl.String(), "_corr": pl.Int64(),
}
STATUS_SCHEMA: dict[str, pl.DataType] = {"_tag": pl.Int64(), "status": pl.String(),
                                         "_vf": pl.Int64()}
TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(), "_day": pl.Int32(), "_pid": pl.Int64(), "_ikind": pl.Int8(),
    "tag_id": pl.String(), "plate": pl.String(), "_st": pl.Int32(), "lane": pl.Int32(),
    "batch_id": pl.String(), "entry_id": pl.String(), "_staff": pl.Int32(),
}


@dataclass
class World:
    rng: np.random.Generator
    net: Network
    start: date
    days: int
    tags: list[pl.DataFrame] = field(default_factory=list)
    status: list[pl.DataFrame] = field(default_factory=list)
    passages: list[pl.DataFrame] = field(default_factory=list)
    truth: list[pl.DataFrame] = field(default_factory=list)
    n_tags: int = 0
    next_plate: int = 0
    next_pid: int = 0
    degraded: pl.DataFrame | None = None
    """(_day, _st, lane) of the lanes made LANE_READ_DEGRADED."""
    ghosts: list[pl.DataFrame] = field(default_factory=list)
    """Settlement items for passages that do not exist: `_pid` (negative), `_day`,
    `_st`, `_prov` (provider index), `amount_vnd`, `_s` (settled, UTC epoch seconds)."""

    def day_start(self, day: np.ndarray | int) -> np.ndarray:
        """UTC epoch seconds of local midnight of day index `day`."""
        epoch = (self.start - date(1970, 1, 1)).days
        return (np.asarray(day, dtype=np.int64) + epoch) * DAY_S - LOCAL_OFFSET_S

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def instant(self, day: int, seconds: int) -> datetime:
        start = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        return start + timedelta(days=day, seconds=seconds - LOCAL_OFFSET_S)

    def pids(self, n: int) -> np.ndarray:
        out = np.arange(self.next_pid, self.next_pid + n, dtype=np.int64)
        self.next_pid += n
        return out

    def plates(self, n: int) -> np.ndarray:
        out = np.arange(self.next_plate, self.next_plate + n, dtype=np.int64)
        self.next_plate += n
        return out

    def add_truth(self, code: str, **cols: object) -> None:
        """Record ground truth; columns not given are null. Array columns set the row count."""
        n = max((len(v) for v in cols.values() if isinstance(v, np.ndarray | list | pl.Series)),
                default=1)
        data = {k: (cols[k] if k in cols else [None] * n) for k in TRUTH_SCHEMA if k != "code"}
        for k, v in data.items():
            if not isinstance(v, np.ndarray | list | pl.Series):
                data[k] = [v] * n
        frame = pl.DataFrame(data, schema={k: v for k, v in TRUTH_SCHEMA.items() if k != "code"})
        self.truth.append(frame.with_columns(pl.lit(code).alias("code")).select(list(TRUTH_SCHEMA)))

    def new_tags(
        self,
        n: int,
        *,
        cls: np.ndarray | None = None,
        provider: np.ndarray | None = None,
        plate_index: np.ndarray | None = None,
        status: str = "ACTIVE",
        issued: np.ndarray | None = None,
        corr: np.ndarray | None = None,
    ) -> np.ndarray:
        """Register n tags (one status row each, from `issued`, by default before the
        period) and return their `_tag` indices."""
        rng = self.rng
        idx = np.arange(self.n_tags, self.n_tags + n, dtype=np.int64)
        self.n_tags += n
        if cls is None:
            cls = rng.choice(np.arange(1, 6), size=n, p=CLASS_SHARE)
        if provider is None:
            provider = (rng.random(n) >= PROVIDER_SHARE[0]).astype(np.int64)
        if plate_index is None:
            plate_index = self.plates(n)
        if issued is None:
            issued = self.day_start(0) - rng.integers(2 * DAY_S, 900 * DAY_S, size=n)
        if corr is None:
            corr = rng.choice(len(self.net.corridor_weight), size=n, p=self.net.corridor_weight)
        lot = rng.integers(0, 48, size=n)
        header = np.asarray(TAG_HEADER, dtype=np.int64)[provider]
        prov = pl.Series(np.asarray(provider, dtype=np.int64)).replace_strict(
            list(range(len(PROVIDERS))), list(PROVIDERS), return_dtype=pl.String)
        frame = pl.DataFrame({
            "_tag": idx,
            "tag_id": ids.tag_ids(idx, header, 0x2400 + lot),
            "provider_id": prov,
            "plate": ids.plates(plate_index),
            "vehicle_class": np.asarray(cls, dtype=np.int8),
            "lot": ids.text(np.hstack([ids.const("LOT-24", n), ids.digits(lot + 1, 2)])),
            "_corr": np.asarray(corr, dtype=np.int64),
        }).with_columns(
            pl.format("{}{}", pl.col("provider_id").str.slice(0, 1) + pl.col("provider_id")
                      .str.slice(-1), ((pl.col("_tag") * 7919 + 104_729) % 10_000_000_000)
                      .cast(pl.String).str.zfill(10)).alias("account_id")
        ).select(list(TAG_SCHEMA))
        self.tags.append(frame)
        self.set_status(idx, status, np.asarray(issued, dtype=np.int64))
        return idx

    def set_status(self, tag: np.ndarray, status: str, at: np.ndarray) -> None:
        """Add a status row per tag, holding from `at` (UTC epoch seconds)."""
        self.status.append(pl.DataFrame({"_tag": np.asarray(tag, dtype=np.int64),
                                         "_vf": np.asarray(at, dtype=np.int64)})
                           .with_columns(pl.lit(status).alias("status")).select(list(STATUS_SCHEMA)))

    def tag_book(self) -> pl.DataFrame:
        return pl.concat(self.tags) if self.tags else pl.DataFrame(schema=TAG_SCHEMA)


def staff_no(lane: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The staff member on duty at a lane: three eight-hour shifts per lane."""
    shift = ((np.asarray(t) + LOCAL_OFFSET_S) % DAY_S) // SHIFT_S
    return ((np.asarray(lane) - 1) * 3 + shift + 1).astype(np.int32)


def passages(**cols: object) -> pl.DataFrame:
    """A passage frame from columns (arrays or scalars); missing columns are null."""
    n = max(len(v) for v in cols.values() if isinstance(v, np.ndarray | list | pl.Series))
    data: dict[str, object] = {}
    for name, dtype in PASSAGE_SCHEMA.items():
        v = cols.get(name)
        if v is None:
            data[name] = pl.Series(name, [None] * n, dtype=dtype)
        elif isinstance(v, np.ndarray | list | pl.Series):
            data[name] = pl.Series(name, v).cast(dtype)
        else:
            data[name] = pl.Series(name, [v] * n).cast(dtype)
    unknown = set(cols) - set(PASSAGE_SCHEMA)
    if unknown:
        raise KeyError(sorted(unknown))
    return pl.DataFrame(data)
