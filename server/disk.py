"""A full disk, said plainly: ENOSPC/EDQUOT recognised however a write's error was wrapped."""

from __future__ import annotations

import errno

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def disk_full(exc: BaseException | None) -> OSError | None:
    """The disk-full OSError behind `exc` (itself, or its cause/context chain), else None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return exc
        if type(exc).__name__ == "OperationalError" and "disk is full" in str(exc):  # sqlite (scheduler)
            return OSError(errno.ENOSPC, "database or disk is full")
        exc = exc.__cause__ or exc.__context__
    return None


def disk_full_message(err: OSError, data_dir: object = None) -> str:
    where = f" for the data directory {data_dir}" if data_dir else ""
    what = "the disk quota is used up" if err.errno == errno.EDQUOT else "no space left on the device"
    return f"disk full: {what}{where}. Nothing was written; free some space and try again."
