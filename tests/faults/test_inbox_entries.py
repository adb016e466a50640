"""Hostile inbox entries on one night: symbolic links (to a file outside the
inbox, to a folder, to nothing), a name with a newline, a name with `..`, and a
file still being written. Links and odd names are refused unread and filed away
with a one-line reason; the growing file stays in the inbox and the night says
so; every other file is loaded and archived — nothing lost, nothing read from
outside the inbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from faultkit import D1, inputs, sample  # fixtures, by name

import cli
import reconcile.inbox
from etc.generate import Sample


def test_links_odd_names_and_a_growing_file(sample: Sample, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, out, db = tmp_path / "inbox", tmp_path / "out", tmp_path / "etc.duckdb"
    shutil.copytree(inputs(sample)[0].parent, inbox)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    secret = outside / "lanes_secret.csv"  # a loadable file: loading it would show
    shutil.copyfile(inbox / "lanes_20261101_resend.csv", secret)
    secret.write_text(secret.read_text(encoding="utf-8").replace("ST", "XX"), encoding="utf-8")
    (inbox / "link_out.csv").symlink_to(secret)
    (inbox / "link_dir").symlink_to(outside, target_is_directory=True)
    (inbox / "link_none.csv").symlink_to(tmp_path / "nothing.csv")
    shutil.copyfile(inbox / "providers.csv", inbox / "providers\nevil.csv")
    shutil.copyfile(inbox / "stations.csv", inbox / "stations..csv")
    growing = inbox / "counts_late.csv"
    growing.write_text("station_id,lane_id\n", encoding="utf-8")

    def still_writing(seconds: float) -> None:  # the uploader goes on during the wait
        with growing.open("a", encoding="utf-8") as fh:
            fh.write("ST01,L01\n")

    monkeypatch.setattr(reconcile.inbox, "_sleep", still_writing)
    code = cli.main(["nightly", "--db", str(db), "--inbox", str(inbox), "--out", str(out),
                     "--date", D1])
    assert code == 1  # the sample's findings, and the file still arriving

    refused = inbox / "refused" / D1
    names = sorted(p.name for p in refused.iterdir())
    assert names == sorted(["link_dir", "link_dir.reason.txt", "link_none.csv",
                            "link_none.csv.reason.txt", "link_out.csv",
                            "link_out.csv.reason.txt", "providers_evil.csv",
                            "providers_evil.csv.reason.txt"])
    for reason in refused.glob("*.reason.txt"):
        text = reason.read_text(encoding="utf-8")
        assert text.count("\n") == 1 and "refused unread" in text, text
    assert (refused / "link_out.csv").is_symlink()  # moved as a link; its target untouched
    assert secret.is_file() and (refused / "link_out.csv").resolve() == secret

    archived = sorted(p.name for p in (inbox / "archive" / D1).iterdir())
    assert archived == sorted([p.name for p in inputs(sample)] + ["stations..csv"])
    left = sorted(p.name for p in inbox.iterdir() if p.is_file())
    assert left == ["counts_late.csv"]  # still being written: not loaded, not lost

    summary = json.loads((out / D1 / "summary.json").read_text(encoding="utf-8"))
    assert any(p.startswith("counts_late.csv was still being written")
               for p in summary["problems"])
    assert sorted(r["file"] for r in summary["refused"]) == [
        "link_dir", "link_none.csv", "link_out.csv", "providers_evil.csv"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        files = [r[0] for r in con.execute("SELECT file FROM loads").fetchall()]
        xx = con.execute("SELECT count(*) FROM lanes WHERE station_id LIKE 'XX%'").fetchall()
    finally:
        con.close()
    assert not any("secret" in f or "late" in f for f in files) and xx == [(0,)]
