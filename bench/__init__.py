"""kolscope benchmarks: `make bench` runs every module here and prints its figures.

Each module's main() prints its figures and answers whether its targets were met (None when it has
no target or could not run); `python -m bench` exits 1 when one was missed. The helpers below keep
the figures comparable across modules: one percentile, one note of how busy the machine was."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile `q` (0-100] of `values`: an observed value, never interpolated (with
    few values, p95 is the slowest)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def load_line() -> str:
    """How busy the machine was: figures on a shared machine mean little without it."""
    load = load_average()
    if load is None:
        return "load average unknown"
    busy = " (busy: wall figures include waiting for a core)" if load > (os.cpu_count() or 1) else ""
    return f"load average {load:.1f} on {os.cpu_count()} cores{busy}"


def run_clients(client: Callable[[], None], n: int) -> float:
    """Wall seconds for `n` threads each running `client` (a load generator pulling its own work) to
    finish, all started together."""
    threads = [threading.Thread(target=client) for _ in range(n)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t
