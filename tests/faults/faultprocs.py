"""Real `etc` processes for the fault suite: started as the console script
would be (`python -m cli`), killed with SIGKILL at a chosen moment.

    killed = run_killed(["ingest", "--db", db, file], after=1.5)
    killed.outcome  # "killed", or "finished" when it ended first (with .returncode)

KILLS scales every test's injections (ETC_FAULT_KILLS, default 6): CI runs the
default; the README's table comes from a larger run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

KILLS = int(os.environ.get("ETC_FAULT_KILLS", "6"))


def env(**extra: str) -> dict[str, str]:
    """The environment of an etc process: no config, no debug, a short store wait."""
    out = {k: v for k, v in os.environ.items()
           if k not in ("ETC_CONFIG", "ETC_DB", "ETC_DEBUG", "ETC_STORE_WAIT")}
    return {**out, "ETC_STORE_WAIT": "0", **extra}


def start(args: list[str | Path], **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "cli", *map(str, args)], env=env(**extra),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@dataclass(frozen=True)
class Ended:
    outcome: str
    """killed, or finished (it ended before the kill)."""
    returncode: int
    stderr: str
    seconds: float


def run_killed(args: list[str | Path], after: float, **extra: str) -> Ended:
    """Start `etc args`, SIGKILL it `after` seconds later unless it ended first."""
    began = time.monotonic()
    proc = start(args, **extra)
    try:
        _, stderr = proc.communicate(timeout=after)
        outcome = "finished"
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        _, stderr = proc.communicate()
        outcome = "killed"
    return Ended(outcome, proc.returncode, stderr, time.monotonic() - began)


def run(args: list[str | Path], timeout: float = 300, **extra: str) -> Ended:
    """Run `etc args` to its end."""
    began = time.monotonic()
    proc = start(args, **extra)
    _, stderr = proc.communicate(timeout=timeout)
    return Ended("finished", proc.returncode, stderr, time.monotonic() - began)
