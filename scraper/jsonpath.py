"""Tolerant walking of nested JSON (in the spirit of yt-dlp's traverse_obj): a missing key is None.

Safe on hostile input: every walk is iterative (or as deep as its path), decoding JSON nested deeper
than Python's decoder can go is TooLarge (`too_large`), not a RecursionError, and finding a blob in
a page retries `raw_decode` a bounded number of times (each failed decode costs a scan of the text
before it to number the error's line, so unbounded retries over a page full of markers were
quadratic).
"""

from __future__ import annotations

import json
from typing import Any
from collections.abc import Callable, Iterator

from scraper import budget
from scraper.errors import TooLarge

_decoder = json.JSONDecoder()
# JSON deeper than this is no page's data (the real ones reach 42 levels); a capture's decoded
# bodies are checked against it, and Python's decoder itself gives up near 1,000.
MAX_JSON_DEPTH = 200
# A marker ("ytInitialData", '"webapp.user-detail":') occurs a handful of times in a real page.
MAX_DECODE_TRIES = 24


def too_deep(limit: str = f"{MAX_JSON_DEPTH} levels") -> TooLarge:
    return TooLarge(f"The capture holds JSON nested deeper than kolscope reads ({limit}); no page's data is.")


_DECODER_LIMIT = "about 1,000 levels, where Python's JSON decoder stops"


def json_depth_over(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `value` (decoded JSON) nests deeper than `limit`: an iterative walk, no recursion."""
    if type(value) is not dict and type(value) is not list:
        return False
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:  # exact type checks: decoded JSON holds only dict and list containers, and it is faster
        node, depth = pop()
        if depth > limit:
            return True
        for child in (node.values() if type(node) is dict else node):
            if type(child) is dict or type(child) is list:
                push((child, depth + 1))
    return False


def loads(text: str) -> Any:
    """json.loads that answers TooLarge instead of a RecursionError for absurdly deep JSON."""
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(_DECODER_LIMIT) from None


def _raw_decode(text: str, at: int) -> tuple[Any, int]:
    try:
        return _decoder.raw_decode(text, at)
    except RecursionError:
        raise too_deep(_DECODER_LIMIT) from None


def decode_at(text: str, at: int) -> Any:
    """The JSON value that starts at `text[at]`, or None where none does (TooLarge past the decoder's depth)."""
    try:
        return _raw_decode(text, at)[0]
    except ValueError:
        return None


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
    steps = 0
    while stack:
        steps += 1
        if not steps & 0xFFF:
            budget.check("a JSON walk")
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
    tries = 0
    while i != -1 and tries < MAX_DECODE_TRIES:
        j = i + len(marker)
        n = len(text)
        while j < n and j - i < 64 and text[j] in " \t\r\n=":
            j += 1
        if j < n and text[j] in "{[":
            tries += 1
            budget.check("finding the page's JSON")
            try:
                value, end = _raw_decode(text, j)
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
    tries = 0
    while i != -1 and tries < MAX_DECODE_TRIES:
        tries += 1
        budget.check("finding the page's JSON")
        j = i + len(marker)
        while j < stop_at and j - i < 64 and text[j] in " \t\r\n":
            j += 1
        try:
            value, stop = _raw_decode(text, j)
        except ValueError:
            value, stop = None, -1
        if stop != -1 and stop <= stop_at and (expected_type is None or isinstance(value, expected_type)):
            return value
        i = text.find(marker, j, stop_at)
    return None


def as_list(value: Any) -> list:
    """`value` when it is a list, else [] (a field of the wrong type is a field the page does not show)."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """A non-empty stripped string; an int id becomes its digits; anything else (bool, dict...) None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None
