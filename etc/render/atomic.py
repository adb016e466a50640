"""Writing a file whole or not at all: to a temporary name beside it, then a rename.
The file gets the mode a new file gets (0666 less the umask), not mkstemp's 0600."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from etc.errors import EtcError


def _umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(out: Path, write: Callable[[Path], None]) -> None:
    """Run `write(tmp)` on a temporary file beside `out`, then rename it to `out`."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise EtcError(f"cannot write the file: {exc.strerror or exc}", path=out) from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp made it 0600: a new file's usual mode
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EtcError(f"cannot write the file: {exc.strerror or exc}", path=out) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
