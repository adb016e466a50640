"""Settings: findings.md's defaults, a TOML file over them, and a wrong key or
value refused with its name (the command line prints that one line, exit 2)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from etc.codes import DEFAULT_SEVERITY, Code, Severity
from etc.settings import Settings, SettingsError, load_settings


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "etc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(toml(tmp_path, text))
    return str(caught.value)


def test_defaults_are_the_numbers_in_findings_md() -> None:
    s = Settings()
    # TAG
    assert s.tags.plate_confidence == 0.90          # TAG_PLATE_MISMATCH: confidence >= [0.90]
    assert s.tags.poor_read_days == 7               # TAG_POOR_READ: over the [7] days
    assert s.tags.poor_read_min_passages == 3       # passed >= [3] times
    assert s.tags.poor_read_share == 0.50           # at least [50 %]
    assert s.tags.weak_rssi_dbm == -70.0            # rssi_dbm below [-70]
    assert s.tags.lane_unread_share == 0.05         # LANE_READ_DEGRADED: >= [5 %]
    assert s.tags.lane_unread_ratio == 3.0          # and >= [3x] the median
    # MONEY
    assert s.money.late_after_days == 1             # SETTLEMENT_LATE: business date + [1] day
    assert s.money.bank_match_days == 3             # amount match within [3] days
    # FRAUD
    assert s.fraud.double_charge_minutes == 5.0     # DOUBLE_CHARGE: within [5] minutes
    assert s.fraud.clone_speed_kmh == 150.0         # TAG_CLONE: over [150] km/h
    assert s.fraud.clone_min_distance_km == 5.0     # stations >= [5] km apart
    assert s.fraud.staff_min_overrides == 10        # STAFF_OVERRIDE_OUTLIER: >= [10]
    assert s.fraud.staff_ratio == 5.0               # and >= [5x] the median
    # severity: ours (findings.md names the levels only)
    assert s.severity.raise_at_vnd == 10_000_000
    assert s.severity.fail_at is Severity.HIGH
    assert {c: s.severity.level(c) for c in Code} == DEFAULT_SEVERITY


def test_no_file_is_the_defaults() -> None:
    assert load_settings(None) == Settings()


def test_a_file_changes_only_what_it_names(tmp_path: Path) -> None:
    s = load_settings(toml(tmp_path, """
        [tags]
        plate_confidence = 0.95
        [fraud]
        double_charge_minutes = 2
        [severity]
        raise_at_vnd = 0
        [severity.codes]
        TAG_LOW_BALANCE = "medium"
    """))
    assert s.tags.plate_confidence == 0.95
    assert s.tags.poor_read_days == 7
    assert s.fraud.double_charge_minutes == 2.0
    assert s.severity.raise_at_vnd == 0
    assert s.severity.level(Code.TAG_LOW_BALANCE) is Severity.MEDIUM  # any case
    assert s.severity.level(Code.TAG_UNKNOWN) is Severity.HIGH


def test_an_unknown_key_is_named(tmp_path: Path) -> None:
    message = refusal(tmp_path, "[tags]\nplate_confidense = 0.9\n")
    assert "unknown setting 'tags.plate_confidense'" in message
    assert "etc.toml" in message and "\n" not in message


def test_an_unknown_area_is_named(tmp_path: Path) -> None:
    assert "unknown setting 'tag'" in refusal(tmp_path, "[tag]\nplate_confidence = 0.9\n")


def test_a_value_out_of_range_names_the_key_and_the_value(tmp_path: Path) -> None:
    message = refusal(tmp_path, "[tags]\nplate_confidence = 1.5\n")
    assert "bad value for 'tags.plate_confidence'" in message
    assert "1.5" in message


def test_a_value_of_the_wrong_type_names_the_key(tmp_path: Path) -> None:
    message = refusal(tmp_path, '[money]\nlate_after_days = "one"\n')
    assert "bad value for 'money.late_after_days'" in message
    assert "'one'" in message


def test_an_unknown_code_in_severity_codes_is_named(tmp_path: Path) -> None:
    message = refusal(tmp_path, '[severity.codes]\nTAG_UNKNWN = "HIGH"\n')
    assert "unknown rule code 'TAG_UNKNWN' in 'severity.codes'" in message


def test_an_unknown_level_names_the_code(tmp_path: Path) -> None:
    message = refusal(tmp_path, '[severity.codes]\nTAG_UNKNOWN = "SEVERE"\n')
    assert "bad value for 'severity.codes.TAG_UNKNOWN'" in message
    assert "SEVERE" in message


def test_a_missing_or_broken_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="settings file not found"):
        load_settings(tmp_path / "absent.toml")
    assert "not valid TOML" in refusal(tmp_path, "[tags\nplate_confidence = 0.9\n")


def test_the_digest_is_of_the_canonical_json_of_every_setting(tmp_path: Path) -> None:
    s = Settings()
    data = json.loads(s.canonical_json())
    assert data["tags"]["plate_confidence"] == 0.9 and data["severity"]["codes"] == {}
    assert s.digest() == hashlib.sha256(s.canonical_json().encode()).hexdigest()


def test_the_digest_is_stable_and_changes_with_a_value(tmp_path: Path) -> None:
    restated = load_settings(toml(tmp_path, """
        [money]
        bank_match_days = 3
        [tags]
        poor_read_days = 7
    """))
    assert restated.digest() == Settings().digest()  # defaults spelled out: same settings
    changed = load_settings(toml(tmp_path, "[money]\nbank_match_days = 4\n"))
    assert changed.digest() != Settings().digest()
    levelled = load_settings(toml(tmp_path, '[severity.codes]\nTAG_UNKNOWN = "LOW"\n'))
    assert levelled.digest() not in (Settings().digest(), changed.digest())
