"""Tolerant walking of nested JSON (in the spirit of yt-dlp's traverse_obj): a missing key is None."""

from __future__ import annotations

import json
from typing import Any
from collections.abc import Callable, Iterator

_decoder = json.JSONDecoder()


def traverse(obj: Any, *paths: tuple | str, default: Any = None, expected_type: type | tuple | None = None) -> Any:
    """Return the first path of `paths` that resolves in `obj` to a non-None value.

    A path is a tuple of keys: str for dicts, int for lists (negative allowed), `...` to branch over
    every item of a list or dict (the result is then a list of the non-None hits), or a callable
    `f(obj) -> value`. A bare string is a one-key path.
    """
    for path in paths:
        if isinstance(path, str):
            path = (path,)
        value = _walk(obj, path)
        if value is None or value == []:
            continue
        if expected_type is not None and not isinstance(value, expected_type):
            continue
        return value
    return default


def _walk(obj: Any, path: tuple) -> Any:
    for i, key in enumerate(path):
        if obj is None:
            return None
        if key is Ellipsis:
            items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else None
            if items is None:
                return None
            rest = path[i + 1:]
            out = []
            for item in items:
                v = _walk(item, rest)
                if v is None:
                    continue
                if isinstance(v, list) and rest and Ellipsis in rest:
                    out.extend(v)
                else:
                    out.append(v)
            return out
        if callable(key):
            try:
                obj = key(obj)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                return None
            continue
        if isinstance(obj, dict):
            obj = obj.get(key) if isinstance(key, str) else None
        elif isinstance(obj, list) and isinstance(key, int) and not isinstance(key, bool):
            obj = obj[key] if -len(obj) <= key < len(obj) else None
        else:
            return None
    return obj


def find_key(obj: Any, key: str, *, limit: int | None = None) -> Iterator[Any]:
    """Yield every value stored under `key` anywhere in `obj` (depth-first, document order)."""
    stack = [obj]
    found = 0
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            if key in cur:
                yield cur[key]
                found += 1
                if limit is not None and found >= limit:
                    return
            stack.extend(reversed(list(cur.values())))
        elif isinstance(cur, list):
            stack.extend(reversed(cur))


def first_key(obj: Any, key: str, predicate: Callable[[Any], bool] | None = None) -> Any:
    """The first value under `key` anywhere in `obj` (that satisfies `predicate`), or None."""
    for value in find_key(obj, key):
        if predicate is None or predicate(value):
            return value
    return None


def json_after(text: str, marker: str, start: int = 0) -> tuple[Any, int] | tuple[None, int]:
    """Decode the JSON value that follows `marker` in `text` (after optional `=`, spaces).

    Returns (value, end index) or (None, -1). Uses str.find + raw_decode: no regex over megabytes.
    """
    i = text.find(marker, start)
    while i != -1:
        j = i + len(marker)
        n = len(text)
        while j < n and text[j] in " \t\r\n=":
            j += 1
        if j < n and text[j] in "{[":
            try:
                value, end = _decoder.raw_decode(text, j)
                return value, end
            except ValueError:
                pass
        i = text.find(marker, i + len(marker))
    return None, -1


def script_span(html: str, script_id: str) -> tuple[int, int] | None:
    """(start, end) of the text inside `<script id="script_id" ...>`, or None (no DOM parse)."""
    i = html.find(f'id="{script_id}"')
    if i == -1:
        return None
    j = html.find(">", i)
    k = html.find("</script>", j) if j != -1 else -1
    if k == -1:
        return None
    return j + 1, k


def json_at_key(text: str, key: str, start: int = 0, end: int | None = None,
                expected_type: type | tuple | None = None) -> Any:
    """Decode the value of the first `"key":` in text[start:end] without decoding what surrounds it.

    In valid JSON a quoted string followed by `:` can only be an object key (quotes inside strings
    are escaped), so this reads one member of a big blob, e.g. TikTok's `"webapp.user-detail"` out
    of a 300 KB `__UNIVERSAL_DATA_FOR_REHYDRATION__` that is mostly translations. With
    `expected_type`, a same-named key holding another type (deeper, earlier) is skipped.
    """
    marker = f'"{key}":'
    stop_at = end if end is not None else len(text)
    i = text.find(marker, start, stop_at)
    while i != -1:
        j = i + len(marker)
        while j < stop_at and text[j] in " \t\r\n":
            j += 1
        try:
            value, stop = _decoder.raw_decode(text, j)
        except ValueError:
            value, stop = None, -1
        if stop != -1 and stop <= stop_at and (expected_type is None or isinstance(value, expected_type)):
            return value
        i = text.find(marker, j, stop_at)
    return None
