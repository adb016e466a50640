"""[output] and [notes]: checked like every setting, never part of a run's settings hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from etc.settings import Settings, SettingsError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "etc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    s = Settings()
    assert s.output.lang == "vi"
    assert s.notes.pass_states == ["EXPLAINED", "FALSE_POSITIVE"]
    assert s.notes.critical_note_days == 0


def test_language_and_notes_do_not_change_the_hash(tmp_path: Path) -> None:
    other = load_settings(write(tmp_path, '[output]\nlang = "en"\n[notes]\n'
                                           'pass_states = []\ncritical_note_days = 3\n'))
    assert other.output.lang == "en" and other.notes.pass_states == []
    assert other.digest() == Settings().digest()
    assert "output" not in Settings().canonical_json()
    changed = load_settings(write(tmp_path, "[money]\nlate_after_days = 2\n"))
    assert changed.digest() != Settings().digest()


@pytest.mark.parametrize(("text", "message"), [
    ('[output]\nlang = "fr"\n', "bad value for 'output.lang'"),
    ('[notes]\npass_states = ["MAYBE"]\n', "bad value for 'notes.pass_states.0'"),
    ("[notes]\ncritical_note_days = -1\n", "bad value for 'notes.critical_note_days'"),
    ('[output]\nlanguage = "vi"\n', "unknown setting 'output.language'"),
])
def test_bad_values_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(write(tmp_path, text))
