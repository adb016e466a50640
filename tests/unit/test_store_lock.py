"""Waiting for a store another process holds (etc.store.lock) and how long
([store] wait_seconds, ETC_STORE_WAIT). Two etc processes meet in
tests/faults/test_concurrency.py; here a child process holds the file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etc.settings import Settings, SettingsError, StoreSettings, load_settings, store_settings
from etc.store import Store, StoreBusyError
from etc.store.lock import describe, holder_of

DUCKDB_SAYS = ('IO Error: Could not set lock on file "/tmp/x/etc.duckdb": Conflicting lock is '
               "held in /usr/bin/python3.11 (PID 4242) by user root. See also "
               "https://duckdb.org/docs/current/connect/concurrency")


def test_the_holder_is_read_from_duckdbs_lock_error() -> None:
    assert holder_of(DUCKDB_SAYS) == ("/usr/bin/python3.11", 4242)
    assert holder_of("IO Error: Cannot open file: No such file or directory") is None


def test_the_holder_is_named_as_an_etc_command_when_it_is_one() -> None:
    me = describe("/usr/bin/python3", os.getpid())  # pytest: not an etc command
    assert me == f"/usr/bin/python3 (pid {os.getpid()})"
    child = subprocess.Popen([sys.executable, "-m", "cli", "runs", "--help"],
                             stdout=subprocess.DEVNULL)
    try:
        assert describe("python", child.pid) in (f"etc runs (pid {child.pid})",
                                                 f"python (pid {child.pid})")  # if it ended
    finally:
        child.wait()


def test_a_busy_store_is_waited_for_then_refused_naming_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"
    Store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        told: list[str] = []
        began = time.monotonic()
        with pytest.raises(StoreBusyError) as caught:
            Store(db, wait_seconds=0.6, waiting=told.append)
        assert 0.5 <= time.monotonic() - began < 10
        line = str(caught.value)
        assert re.search(rf"store in use by \S+ \(pid {holder.pid}\); waited 0.6 s", line)
        assert "\n" not in line and "ETC_STORE_WAIT" in line
        assert len(told) == 1 and told[0].endswith(f"(pid {holder.pid})")
    finally:
        holder.kill()
        holder.communicate()
    with Store(db, wait_seconds=0) as store:  # let go: opens at once
        assert store.loads().is_empty()


def test_the_wait_is_a_setting_outside_the_run_hash(tmp_path: Path) -> None:
    path = tmp_path / "etc.toml"
    path.write_text("[store]\nwait_seconds = 5\n", encoding="utf-8")
    settings = load_settings(path)
    assert settings.store.wait_seconds == 5 and Settings().store.wait_seconds == 30
    assert settings.digest() == Settings().digest()  # waiting changes no finding
    assert store_settings(settings.store, None).wait_seconds == 5
    assert store_settings(settings.store, " 0.5 ").wait_seconds == 0.5  # ETC_STORE_WAIT wins
    with pytest.raises(SettingsError, match=r"ETC_STORE_WAIT.*got 'soon'"):
        store_settings(StoreSettings(), "soon")
    with pytest.raises(SettingsError, match="ETC_STORE_WAIT"):
        store_settings(StoreSettings(), "-1")
