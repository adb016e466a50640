"""Writing a file whole or not at all: to a temporary name beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from etc.errors import EtcError


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
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EtcError(f"cannot write the file: {exc.strerror or exc}", path=out) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
