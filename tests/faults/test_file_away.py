"""Filing an inbox file away, stopped after each of its steps (a kill between two
file operations, made exact): the file is in the inbox or filed away, never
both nor neither; a refused file is never without its reason; and the night run
again ends as an uninterrupted one, leaving no second copy or stray reason."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from faultchecks import check_inbox, sha

import reconcile.nightly as nightly
from etc.ingest import FileResult

DAY = date(2026, 11, 1)


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even `except Exception`)."""


def stop_after(monkeypatch: pytest.MonkeyPatch, steps: int) -> None:
    """Let `steps` file operations of file_away happen, then stop it."""
    done = [0]

    def counted(real: Callable[..., Any]) -> Callable[..., Any]:
        def op(*args: Any, **kwargs: Any) -> Any:
            if done[0] == steps:
                raise Killed
            done[0] += 1
            return real(*args, **kwargs)
        return op
    monkeypatch.setattr(nightly.shutil, "move", counted(nightly.shutil.move))
    monkeypatch.setattr(nightly, "write_atomic", counted(nightly.write_atomic))
    monkeypatch.setattr(Path, "write_text", counted(Path.write_text))


@pytest.mark.parametrize("status", ["refused", "loaded"])
@pytest.mark.parametrize("steps", [0, 1, 2])
def test_a_file_filed_away_stopped_after_each_step(
        status: str, steps: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "junk.csv"
    path.write_text("no,such\ncolumns,here\n", encoding="utf-8")
    originals = Counter([sha(path)])
    result = FileResult(file=str(path), status=status,
                        error=f"{path}: cannot tell which kind of file this is")
    loaded = {sha(path)} if status == "loaded" else set()
    with monkeypatch.context() as patched:
        stop_after(patched, steps)
        try:
            nightly.file_away(inbox, path, result, DAY)
        except Killed:
            pass
    check_inbox(inbox, originals, loaded)
    if path.exists():  # the night again: the file is still waiting
        nightly.file_away(inbox, path, result, DAY)
    where = check_inbox(inbox, originals, loaded)
    assert where == Counter({"refused" if status == "refused" else "archive": 1})
    folder = inbox / ("refused" if status == "refused" else "archive") / DAY.isoformat()
    names = sorted(p.name for p in folder.iterdir())
    assert names == (["junk.csv", "junk.csv.reason.txt"] if status == "refused"
                     else ["junk.csv"])
    if status == "refused":
        assert (folder / "junk.csv.reason.txt").read_text("utf-8") == (
            "junk.csv: cannot tell which kind of file this is\n")


def test_a_killed_writers_temporary_file_is_removed_by_the_next_writer(tmp_path: Path) -> None:
    """write_atomic names its temporary file after its pid: the next writer of that
    name removes those of writers that are gone, never one still writing."""
    from etc.render.atomic import write_atomic

    out = tmp_path / "report.html"
    gone = tmp_path / ".report.html.999999999.abcd1234.tmp"  # no such pid
    alive = tmp_path / f".report.html.{os.getpid()}.efgh5678.tmp"
    other = tmp_path / ".summary.json.999999999.abcd1234.tmp"
    for p in (gone, alive, other):
        p.write_text("half", encoding="utf-8")
    write_atomic(out, lambda tmp: tmp.write_text("<html></html>", encoding="utf-8"))
    assert out.read_text("utf-8") == "<html></html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, other.name, out.name])
