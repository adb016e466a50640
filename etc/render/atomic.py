"""Writing a file whole or not at all: to a temporary name beside it, then a rename.
The file gets the mode a new file gets (0666 less the umask), not mkstemp's 0600.

The temporary name holds the writer's pid (.NAME.PID.XXXXXXXX.tmp): a writer killed
midway leaves its temporary file, and the next writer of NAME removes those whose
process is gone, so a folder written every night gathers no debris.

A full disk or an I/O error, however the writing library wraps it (xlsxwriter's
FileCreateError), is one DiskError naming the file; the temporary file goes, and
the final name keeps what it had (or stays absent)."""

from __future__ import annotations

import gc
import glob
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from etc.errors import DiskError, EtcError
from etc.faults import DISK_HINT, disk_cause


def _umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write(tmp)` on a temporary file beside `out`, then rename it to `out`."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=out.parent)
    except OSError as exc:
        if disk_cause(exc):
            raise DiskError(f"cannot write the file: {disk_cause(exc)}", path=out,
                            hint=DISK_HINT) from None
        raise EtcError(f"cannot write the file: {exc.strerror or exc}", path=out) from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600: a new file's usual mode
        os.replace(tmp, out)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        cause = disk_cause(exc)
        if cause is not None:
            _release(exc)
            raise DiskError(f"cannot write the file: {cause}", path=out, hint=DISK_HINT) from None
        if isinstance(exc, OSError):
            raise EtcError(f"cannot write the file: {exc.strerror or exc}", path=out) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_leftovers(out: Path) -> None:
    """Remove the temporary files of `out` left by writers that no longer run."""
    prefix = f".{out.name}."
    for tmp in out.parent.glob(f".{glob.escape(out.name)}.*.tmp"):
        pid = tmp.name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass  # debris that cannot go does not stop the writing


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process (or no such pid)
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _release(exc: BaseException) -> None:
    """Free the frames of a writer that failed on a full disk now, so that a file
    object they still hold (xlsxwriter's half-written zip) is closed here, its
    second complaint about the disk unheard, rather than at exit as a stray
    "Exception ignored" traceback under the one-line message."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        seen: BaseException | None = exc
        while seen is not None:
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__
        gc.collect()
    finally:
        sys.unraisablehook = hook
