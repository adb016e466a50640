"""Shared by the bank-format tests: the fixtures, the real samples, frames as dicts.

The real samples (../shared/samples beside the clone in CI, /work/shared/samples
on the dev box) are never copied into the project; a test that needs one is
skipped, saying so, when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etc.readers.base import RAW, RawFrame

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bank"
SAMPLE_DIRS = (
    Path(__file__).resolve().parents[2].parent / "shared" / "samples",
    Path("/work/shared/samples"),
)
VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐ"


def sample(name: str) -> Path:
    """A real bank statement from the shared samples; skips the test when absent."""
    for folder in SAMPLE_DIRS:
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"real sample {name} not found in {' or '.join(map(str, SAMPLE_DIRS))}")


def records(frame: RawFrame, *, raw: bool = False) -> list[dict[str, object]]:
    """The frame's rows as dicts, `_raw` left out unless asked for."""
    data = frame.data if raw else frame.data.drop(RAW)
    return data.to_dicts()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """A file in `folder` with exactly this content (text is written as UTF-8, no
    newline translation)."""
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path
