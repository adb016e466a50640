"""Two `etc` processes on one store, or two nightlies on one inbox: on purpose
(the second starts once the first holds the store) and at random offsets
(seeded). The second waits for the store up to ETC_STORE_WAIT, else exits 2
with one line naming the holder and its pid; never exit 3, never a partial
write (faultchecks.check_store after every pair)."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from faultchecks import check_inbox, check_store, sha
from faultprocs import KILLS, Ended, start

from etc.generate import Sample, generate
from etc.store import Store
from reconcile.inbox_lock import LOCK_NAME

D1 = "2026-11-01"
pytestmark = pytest.mark.slow  # real processes, seconds each (still run in CI)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """Two days of 1,500 passages each, every kind and format of file: a night."""
    return generate(tmp_path_factory.mktemp("small"), seed=17, days=2, passages=1_500)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """One day of 60,000 passages: a lanes CSV that takes a second or two to load."""
    return generate(tmp_path_factory.mktemp("sample"), seed=16, days=1, passages=60_000)


def finish(proc: subprocess.Popen[str]) -> Ended:
    _, stderr = proc.communicate(timeout=300)
    return Ended("finished", proc.returncode, stderr, 0.0)


def holds_store(db: Path) -> bool:
    """True while another process holds `db` (a try to open it fails on the lock)."""
    try:
        duckdb.connect(str(db)).close()
    except duckdb.IOException as exc:
        return "Conflicting lock" in str(exc)
    return False


def wait_until(cond: object, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def stopped_holding(db: Path, lanes: Path) -> subprocess.Popen[str]:
    """An `etc ingest` stopped (SIGSTOP) while it holds `db`: seen holding it after
    it stopped (one that had just let go is let finish, and another is started)."""
    for _ in range(5):
        first = start(["ingest", "--db", db, lanes], ETC_STORE_WAIT="60")
        wait_until(lambda first=first: holds_store(db) or first.poll() is not None)
        os.kill(first.pid, signal.SIGSTOP)
        if first.poll() is None and holds_store(db):
            return first
        os.kill(first.pid, signal.SIGCONT)
        assert finish(first).returncode == 0
        for path in (db, db.with_name(db.name + ".wal")):
            path.unlink(missing_ok=True)
    raise AssertionError("no etc ingest was caught holding the store")


def busy_line(ended: Ended, pid: int, what: str) -> None:
    """The one line of a second process that found the store (or inbox) taken."""
    assert ended.returncode == 2, ended.stderr
    line = ended.stderr.strip()
    assert "\n" not in line, line
    assert re.search(rf"{what} in use by .*\(pid {pid}\)", line), line


def test_a_second_writer_waits_for_the_first_or_says_who_holds_the_store(
        sample: Sample, tmp_path: Path) -> None:
    """On purpose: the first ingest is stopped (SIGSTOP) while it holds the store
    and the second starts. Without a wait the second exits 2 naming the first;
    with one it waits, and loads once the first (continued) is done."""
    lanes, stations = sample.files["lanes"][1], sample.files["stations"][0]
    for wait in ("0", "60"):
        db = tmp_path / f"wait{wait}.duckdb"
        first = stopped_holding(db, lanes)
        second = start(["ingest", "--db", db, stations], ETC_STORE_WAIT=wait)
        if wait != "0":
            time.sleep(3.0)  # the second is waiting now (or still starting)
            assert second.poll() is None
        os.kill(first.pid, signal.SIGCONT)
        ended = finish(second)
        assert finish(first).returncode == 0
        state = check_store(db)
        if wait == "0":
            busy_line(ended, first.pid, "store")
            assert "etc ingest" in ended.stderr
            assert {f[1] for f in state.files} == {"lanes"}  # nothing of the second
        else:
            assert ended.returncode == 0, ended.stderr
            assert {f[1] for f in state.files} == {"lanes", "stations"}


def test_writers_and_readers_at_random_offsets(sample: Sample, tmp_path: Path) -> None:
    """A loading ingest, and at a seeded random offset a second ingest or a reader
    (etc runs, etc quarantine) that may not wait: each ends 0, or 2 naming the
    first; the store is whole after every pair."""
    lanes, tariffs = sample.files["lanes"][1], sample.files["tariffs"][0]
    rng = random.Random(1404)
    tally: Counter[str] = Counter()
    seconds = 0.0
    for i in range(KILLS):
        db = tmp_path / f"r{i}.duckdb"
        Store(db).close()  # readers refuse a store that does not exist yet
        second_args: list[str | Path] = rng.choice([
            ["ingest", "--db", db, tariffs], ["runs", "--db", db],
            ["quarantine", "--db", db]])
        began = time.monotonic()
        first = start(["ingest", "--db", db, lanes], ETC_STORE_WAIT="60")
        time.sleep(rng.uniform(0.0, 1.2) * (seconds or 3.0))
        second = finish(start(second_args, ETC_STORE_WAIT=rng.choice(["0", "0.5"])))
        assert finish(first).returncode == 0
        seconds = time.monotonic() - began
        state = check_store(db)
        if second.returncode == 2:
            busy_line(second, first.pid, "store")
            tally[f"{second_args[0]}: store in use, exit 2"] += 1
        else:
            assert second.returncode == 0, second.stderr
            tally[f"{second_args[0]}: done, exit 0"] += 1
        kinds = {f[1] for f in state.files}
        assert kinds == ({"lanes", "tariffs"} if second_args[0] == "ingest"
                         and second.returncode == 0 else {"lanes"})
    print(dict(tally))
    assert any("exit 2" in k for k in tally)


def test_two_nightlies_on_one_inbox(small: Sample, tmp_path: Path) -> None:
    """On purpose (a second store, so only the inbox lock stands between them) and
    at seeded offsets (one store): one does the night, the other exits 2 saying
    that another nightly has the inbox — or, started after the first ended, runs
    the night again to the same end."""
    source = small.files["lanes"][0].parent
    originals = Counter(sha(p) for p in source.iterdir() if p.is_file())
    rng = random.Random(1405)
    tally: Counter[str] = Counter()
    seconds = 0.0
    for i in range(1 + KILLS // 4):
        root = tmp_path / f"n{i}"
        inbox, out = root / "inbox", root / "out"
        shutil.copytree(source, inbox)

        def night(db: str, inbox: Path = inbox, out: Path = out) -> subprocess.Popen[str]:
            return start(["nightly", "--db", inbox.parent / db, "--inbox", inbox, "--out", out,
                          "--date", D1], ETC_STORE_WAIT="60")
        began = time.monotonic()
        first = night("etc.duckdb")
        lock = inbox / LOCK_NAME
        if i == 0:  # on purpose: once the first has written its pid into the lock
            wait_until(lambda lock=lock, pid=first.pid: lock.is_file()
                       and lock.read_text().strip() == str(pid))
            os.kill(first.pid, signal.SIGSTOP)  # it holds the inbox while the second tries
        else:
            time.sleep(rng.uniform(0.0, 1.3) * seconds)
        second = finish(night("etc.duckdb" if i else "other.duckdb"))
        os.kill(first.pid, signal.SIGCONT)
        done = finish(first)
        seconds = seconds or time.monotonic() - began
        assert done.returncode in (0, 1), done.stderr
        if second.returncode == 2:
            busy_line(second, first.pid, "inbox")
            assert "another etc nightly" in second.stderr
            assert not (root / "other.duckdb").exists()  # it wrote nothing
            tally["second: inbox in use, exit 2"] += 1
        else:
            assert i and second.returncode == done.returncode, second.stderr
            tally["second: started after the first ended, same night again"] += 1
        state = check_store(root / "etc.duckdb")
        where = check_inbox(inbox, originals, {f[0] for f in state.files})
        assert where["inbox"] == 0
    print(dict(tally))
    assert tally["second: inbox in use, exit 2"] >= 1
