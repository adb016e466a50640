"""Settings: thresholds, windows and severity levels, one frozen model per area.

Every field carries the default of findings.md (in brackets there) and a one-line
docstring. `load_settings(path)` reads one TOML file; an unknown key or a bad
value is a `SettingsError` naming the key (exit 2 on the command line). Without
a file, `Settings()` is findings.md's defaults.

    [tags]
    plate_confidence = 0.95
    [severity.codes]
    TAG_LOW_BALANCE = "MEDIUM"
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from etc.codes import DEFAULT_SEVERITY, Code, Severity
from etc.errors import EtcError


class SettingsError(EtcError):
    """The settings file cannot be read, or a key or value in it is wrong."""


class _Area(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


Share = Annotated[float, Field(ge=0.0, le=1.0)]


class TagSettings(_Area):
    plate_confidence: Share = 0.90
    """TAG_PLATE_MISMATCH: lowest ANPR confidence at which a differing plate counts."""
    poor_read_days: Annotated[int, Field(ge=1, le=366)] = 7
    """TAG_POOR_READ: days in the window ending on the business date."""
    poor_read_min_passages: Annotated[int, Field(ge=1)] = 3
    """TAG_POOR_READ: fewest passages of a tag in the window."""
    poor_read_share: Share = 0.50
    """TAG_POOR_READ: lowest share of unread or weak passages."""
    weak_rssi_dbm: float = -70.0
    """TAG_POOR_READ: a read strictly below this signal (dBm) is weak."""
    lane_unread_share: Share = 0.05
    """LANE_READ_DEGRADED: lowest share of unread ETC passages of the lane that day."""
    lane_unread_ratio: Annotated[float, Field(ge=0.0)] = 3.0
    """LANE_READ_DEGRADED: lowest multiple of the median share of the station's other lanes."""


class MoneySettings(_Area):
    late_after_days: Annotated[int, Field(ge=0, le=366)] = 1
    """SETTLEMENT_LATE: days after the business date by whose end the first item must come."""
    bank_match_days: Annotated[int, Field(ge=0, le=366)] = 3
    """Amount-only bank matching: days between the batch's last item and the booking."""


class FraudSettings(_Area):
    double_charge_minutes: Annotated[float, Field(ge=0.0)] = 5.0
    """DOUBLE_CHARGE: the same tag charged twice at a station within this many minutes."""
    clone_speed_kmh: Annotated[float, Field(gt=0.0)] = 150.0
    """TAG_CLONE: fastest believable straight-line speed between two stations."""
    clone_min_distance_km: Annotated[float, Field(ge=0.0)] = 5.0
    """TAG_CLONE: stations closer than this are never a clone."""
    staff_min_overrides: Annotated[int, Field(ge=1)] = 10
    """STAFF_OVERRIDE_OUTLIER: fewest overrides (CLASS, VOID, FREE_PASS) of the staff that day."""
    staff_ratio: Annotated[float, Field(ge=0.0)] = 5.0
    """STAFF_OVERRIDE_OUTLIER: lowest multiple of the median of the station's staff."""
    hidden_share: Share = 0.02
    """PASSAGES_HIDDEN: lowest excess of counted over recorded vehicles, as a share of recorded."""
    hidden_vehicles: Annotated[int, Field(ge=1)] = 20
    """PASSAGES_HIDDEN: fewest vehicles counted beyond those recorded, over a lane's day."""
    cash_spike_ratio: Annotated[float, Field(ge=0.0)] = 3.0
    """CASH_SHARE_SPIKE: lowest multiple of the lane's own median cash share."""
    cash_spike_points: Share = 0.10
    """CASH_SHARE_SPIKE: lowest rise over that median, as a share (0.10 = 10 points)."""
    cash_spike_passages: Annotated[int, Field(ge=0)] = 20
    """CASH_SHARE_SPIKE: fewest cash passages beyond the median share (ours: a jump of a few
    vehicles on a quiet lane is no evidence; findings.md is silent on volume)."""
    cash_lookback_days: Annotated[int, Field(ge=1, le=366)] = 28
    """CASH_SHARE_SPIKE: days before the business date whose shares give the median."""
    cash_min_days: Annotated[int, Field(ge=1, le=366)] = 7
    """CASH_SHARE_SPIKE: fewest of those days on which the lane had passages."""


class SeveritySettings(_Area):
    codes: dict[Code, Severity] = Field(default_factory=dict)
    """Level per rule code, over the defaults (etc.codes.DEFAULT_SEVERITY)."""
    raise_at_vnd: Annotated[int, Field(ge=0)] = 10_000_000
    """A finding whose money at risk is at least this is raised one level (0: never)."""
    fail_at: Severity = Severity.HIGH
    """Lowest level that makes a nightly run exit 1."""

    @field_validator("codes", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        if isinstance(v, dict):
            return {str(k): str(s).upper() if isinstance(s, str) else s for k, s in v.items()}
        return v

    def level(self, code: Code) -> Severity:
        return self.codes.get(code, DEFAULT_SEVERITY[code])


class NightlySettings(_Area):
    lookback_days: Annotated[int, Field(ge=0, le=366)] = 7
    """`etc nightly` also re-runs the earlier dates, this many at most, that have
    pending items or received data since their latest run."""


class OutputSettings(_Area):
    lang: Literal["vi", "en"] = "vi"
    """Language of the report and statements: Vietnamese (vi) or English (en); the
    CLI's `--lang` overrides it. Not part of a run's settings hash (it changes no
    finding)."""


NoteState = Literal["EXPLAINED", "DISPUTED", "CONFIRMED_LOSS", "FALSE_POSITIVE"]


def _passing() -> list[NoteState]:
    return ["EXPLAINED", "FALSE_POSITIVE"]


class NotesSettings(_Area):
    pass_states: list[NoteState] = Field(default_factory=_passing)
    """Note states that keep a finding from failing the night ([] : every finding counts)."""
    critical_note_days: Annotated[int, Field(ge=0, le=3660)] = 0
    """A night fails while a CRITICAL finding open this many days or more has no note
    (0: never)."""


class StoreSettings(_Area):
    wait_seconds: Annotated[float, Field(ge=0.0, le=86_400.0)] = 30.0
    """Seconds a command waits while another process holds the store before it gives up
    (exit 2, naming that process); ETC_STORE_WAIT overrides it. Not in the settings hash."""


def store_settings(base: StoreSettings, env_wait: str | None) -> StoreSettings:
    """`base` with ETC_STORE_WAIT (`env_wait`, when set) as its wait: a command without
    --config (ingest) still waits as told. A bad value is a SettingsError."""
    if env_wait is None or not env_wait.strip():
        return base
    try:
        return StoreSettings(wait_seconds=env_wait.strip())  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(f"bad value for ETC_STORE_WAIT: {exc.errors()[0]['msg']} "
                            f"(got {env_wait!r})",
                            hint="seconds to wait for the store, 0 to 86400") from None


NOT_HASHED = ("output", "notes", "store")
"""Areas that change what people read, not what a run finds: left out of
`canonical_json`, so they never change a run id."""


class Settings(_Area):
    tags: TagSettings = Field(default_factory=TagSettings)
    money: MoneySettings = Field(default_factory=MoneySettings)
    fraud: FraudSettings = Field(default_factory=FraudSettings)
    severity: SeveritySettings = Field(default_factory=SeveritySettings)
    nightly: NightlySettings = Field(default_factory=NightlySettings)
    output: OutputSettings = Field(default_factory=OutputSettings)
    notes: NotesSettings = Field(default_factory=NotesSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)

    def canonical_json(self) -> str:
        """Every setting that can change a finding, defaults included, as sorted compact
        JSON (stored per run); NOT_HASHED areas are left out."""
        data = self.model_dump(mode="json", exclude=set(NOT_HASHED))
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def digest(self) -> str:
        """sha256 of `canonical_json()`: equal settings, equal hash."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


def load_settings(path: str | Path | None) -> Settings:
    """The settings of a TOML file, or the defaults when `path` is None."""
    if path is None:
        return Settings()
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError("settings file not found", path=p) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read the settings file: {exc}", path=p) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"not valid TOML: {exc}", path=p) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(x) for x in first["loc"])
        if first["loc"] and first["loc"][-1] == "[key]":
            where = ".".join(str(x) for x in first["loc"][:-2])
            problem = f"unknown rule code {first.get('input')!r} in {where!r}"
            hint = "the codes are those of findings.md"
        elif first["type"] == "extra_forbidden":
            problem = f"unknown setting {key!r}"
            hint = "see the README's settings table for the keys"
        else:
            problem = f"bad value for {key!r}: {first['msg']} (got {first.get('input')!r})"
            hint = None
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise SettingsError(problem + more, path=p, hint=hint) from None
