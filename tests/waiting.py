"""Waiting in tests for something another thread or process does (a refresh run, a worker, a page
that stops reloading): poll a predicate until it holds, with a ceiling that fails the test in words."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 90.0, step: float = 0.1, what: str = "") -> T:
    """The predicate's first true value, polled every `step` seconds. The ceiling is generous (a
    loaded CI machine is slow); a passing test returns as soon as its condition holds, so it costs
    a failing test only."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting" + (f" for {what}" if what else ""))
