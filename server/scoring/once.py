"""`load_once`: read-only data from an installed package (a language model, a topic model), loaded on
first use and then kept for the process: the only memory scoring keeps between calls."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def load_once(loader: Callable[[], T]) -> Callable[[], T]:
    """`loader` run at most once, even when two threads ask first at the same moment (a model takes a
    second and hundreds of MB: loading it twice doubles both), then its answer every time. Only for
    data that never changes once loaded and depends on no data directory, so apps can share it."""
    lock = threading.Lock()
    loaded: list[T] = []  # empty until the loader has answered (None is an answer)

    @functools.wraps(loader)
    def get() -> T:
        if not loaded:
            with lock:
                if not loaded:
                    loaded.append(loader())
        return loaded[0]

    return get
