"""The parse time budget: one capture may not hold a worker longer than `PARSE_BUDGET_S`.

`scraper.parse` opens a budget; the parsers call `check()` between stages (finding the page data,
the header, the grid, the comments) and every few hundred items inside loops. Past the deadline
`check()` raises ParseTimeout (code `parse_timeout`), which ends the parse and stores nothing.

Checks alone cannot interrupt one long C call (a regex, a JSON decode), so they come with the other
two halves: every scan over page text is linear (no backtracking regex, bounded retries of
`raw_decode`), and the capture's size is capped (scraper.capture.LIMITS) so one stage is bounded
too. Together the budget really stops work: no stage can run for long, and none runs after the
deadline. Set `KOLSCOPE_PARSE_BUDGET` (seconds) to change it; the budget is per thread (contextvars),
so waitress's worker threads each keep their own.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from scraper.errors import ParseTimeout


def _default_budget() -> float:
    try:
        value = float(os.environ.get("KOLSCOPE_PARSE_BUDGET", "3"))
    except ValueError:
        return 3.0
    return value if value > 0 else 3.0


PARSE_BUDGET_S = _default_budget()

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("kolscope_parse_deadline", default=None)


@contextmanager
def budget(seconds: float | None = None) -> Iterator[None]:
    """Run the block under a parse deadline `seconds` of this thread's CPU time from now
    (PARSE_BUDGET_S by default).

    A nested budget keeps the outer, earlier deadline."""
    limit = PARSE_BUDGET_S if seconds is None else seconds
    deadline = time.thread_time() + limit
    outer = _deadline.get()
    if outer is not None and outer[0] <= deadline:
        yield
        return
    token = _deadline.set((deadline, limit))
    try:
        yield
    finally:
        _deadline.reset(token)


def check(stage: str = "") -> None:
    """Raise ParseTimeout when the current parse is past its deadline (no budget open: never)."""
    current = _deadline.get()
    if current is not None and time.thread_time() > current[0]:
        where = f" (at {stage})" if stage else ""
        raise ParseTimeout(f"Reading this capture took more than its {current[1]:g} s of CPU budget{where}; "
                           "it is not a page kolscope can read in time.")
