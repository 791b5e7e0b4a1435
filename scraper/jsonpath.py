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
from scraper.counts import int_or_none
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


def traverse(obj: Any, *paths: tuple | str, default: Any = None, expected_type: type | None = None) -> Any:
    """Return the first path of `paths` that resolves in `obj` to a non-None value (and not to []).

    A path is a tuple of keys: str for dicts, int for lists (negative allowed), `...` to branch over
    every item of a list or dict (the result is then a list of the non-None hits), a callable
    `f(obj) -> value` (an exception it raises reads as None), or a set holding one type, `{int}`,
    that converts the value reached so far by that type's rule (as yt-dlp's `traverse_obj(data,
    ("stats", "followers", {int}))`). A bare string is a one-key path. `expected_type=T` converts
    every path's result by the same rule, as if each path ended in `{T}`. A value a rule turns into
    None is not there: the next path is tried, then `default`. The rules, one per type:

    - `str`: the text stripped, None when that leaves nothing; an int (an id, not a bool) gives its
      digits; anything else None (`as_str`).
    - `int`: an integer the data states: an int (not a bool), a float cut to its whole part (not NaN
      or infinite), a string of digits with spaces around; anything else None, "1,234" and "1.2M"
      too: display text is parse_count's (`scraper.counts.int_or_none`).
    - `list`, `dict`, `bool`: the value when it is one, else None (a field of the wrong type is a
      field the page does not show).

    A string that must stay exactly as the page gives it (X's handles and bios: spaces are the
    store's to refuse, and a bio's length is scored) is read without a rule.
    """
    convert = _rule(expected_type) if expected_type is not None else None
    for path in paths:
        value = _walk(obj, (path,) if type(path) is str else path)
        if value is None or value == []:
            continue
        if convert is not None:
            value = convert(value)
            if value is None:
                continue
        return value
    return default


def as_list(value: Any) -> list:
    """`value` when it is a list, else [] (for a loop over a field that may hold anything)."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """The `str` rule of `traverse`: a non-empty stripped string; an int id becomes its digits; else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _of_type(kind: type) -> Callable[[Any], Any]:
    return lambda value: value if isinstance(value, kind) else None


_RULES: dict[type, Callable[[Any], Any]] = {
    str: as_str,
    int: int_or_none,
    list: _of_type(list),
    dict: _of_type(dict),
    bool: _of_type(bool),
}


def _rule(kind: Any) -> Callable[[Any], Any]:
    """The conversion for `{kind}` or `expected_type=kind`; an unknown type is a bug in the caller."""
    if isinstance(kind, (set, frozenset)):
        if len(kind) != 1:
            raise ValueError(f"a conversion in a traverse path holds one type, not {kind!r}")
        (kind,) = kind
    try:
        return _RULES[kind]
    except (KeyError, TypeError):
        raise ValueError(f"traverse converts to str, int, list, dict or bool, not {kind!r}") from None


def _walk(obj: Any, path: tuple) -> Any:
    for i, key in enumerate(path):
        if obj is None:
            return None
        if type(key) is str:  # the common step first: a key of a dict
            obj = obj.get(key) if isinstance(obj, dict) else None
            continue
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
        if type(key) is set or type(key) is frozenset:
            obj = _rule(key)(obj)
            continue
        if callable(key):
            try:
                obj = key(obj)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                return None
            continue
        if isinstance(obj, list) and isinstance(key, int) and not isinstance(key, bool):
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
    are escaped), so this reads one member of a big blob, e.g. one `"webapp.user-detail"` out
    of a 300 KB page-state script that is mostly translations. With
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
