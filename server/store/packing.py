"""History points packed small, losslessly (the PostgreSQL engine keeps one row per point: issue 16's
target is <= 40 KB per creator with 365 daily points, where the JSON points take ~225 KB).

A point (records.default_point or server.scoring.history_point) splits in two:

- its *shape*: the point with the numbers that change from one capture to the next taken out (the
  counts followers/following/posts/likes/views, each recent post's views/likes/comments, and
  captured_at). Consecutive captures of a creator mostly share it (the same recent posts, terms and
  commenters), so an engine stores each distinct shape once and refers to it;
- its *numbers*: captured_at and those counts as varints in a few bytes (a count of 120 takes one).

`pack(point) -> (shape_json, numbers)` and `unpack(shape_json, numbers) -> point` are exact inverses
for any JSON-able dict: `unpack(*pack(p)) == p`, key order included. A slot holding anything but an
int >= 0 (None, a float, text, a negative number) stays in the shape as it was (varint 0 says "as
shaped"), and captured_at is taken out only when it is one of the two ISO forms kolscope writes
(seconds, or milliseconds) and reads back character for character.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

COUNTS = ("followers", "following", "posts", "likes", "views")
POST_COUNTS = ("views", "likes", "comments")
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z")


def put_varint(out: bytearray, n: int) -> None:
    """An unsigned varint (7 bits a byte, the high bit says "more")."""
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return


def get_varint(buf: bytes, i: int) -> tuple[int, int]:
    """The varint at `buf[i]` and the index after it."""
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        if not b & 0x80:
            return n, i
        shift += 7


def _zig(n: int) -> int:
    return n * 2 if n >= 0 else -n * 2 - 1


def _unzig(z: int) -> int:
    return z // 2 if not z & 1 else -(z + 1) // 2


def _iso(t: datetime, ms: bool) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{t.microsecond // 1000:03d}" if ms else "") + "Z"


def _time_code(value: Any) -> int | None:
    """captured_at as a number (seconds, or milliseconds when the text shows them, from EPOCH, zig-
    zagged, times two, plus one for milliseconds), or None when it is not text that comes back
    identical from the number."""
    if not isinstance(value, str) or not _ISO.fullmatch(value):
        return None
    ms = value[19] == "."
    try:
        t = datetime.strptime(value[:23 if ms else 19], "%Y-%m-%dT%H:%M:%S.%f" if ms else "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    t = t.replace(tzinfo=UTC)
    if _iso(t, ms) != value:
        return None
    delta = (t - EPOCH) // timedelta(milliseconds=1 if ms else 1000)
    return _zig(delta) * 2 + ms


def _time_of(code: int) -> str:
    ms = code & 1
    return _iso(EPOCH + timedelta(milliseconds=_unzig(code >> 1) * (1 if ms else 1000)), bool(ms))


def _slots(point: dict) -> list[tuple[dict, str]]:
    """(dict, key) of each count slot present in the point, in a fixed order."""
    slots = [(point, k) for k in COUNTS if k in point]
    posts = point.get("recent_posts")
    if isinstance(posts, list):
        for p in posts:
            if isinstance(p, dict):
                slots += [(p, k) for k in POST_COUNTS if k in p]
    return slots


def pack(point: dict) -> tuple[str, bytes]:
    """(the point's shape as JSON text, its numbers as varints); see the module's docstring."""
    shape = json.loads(json.dumps(point))  # a deep copy, in JSON's own types
    out = bytearray()
    code = _time_code(shape.get("captured_at")) if "captured_at" in shape else None
    if code is None:
        put_varint(out, 0)
    else:
        put_varint(out, code + 1)
        shape["captured_at"] = None
    for holder, key in _slots(shape):
        value = holder[key]
        if type(value) is int and value >= 0:  # not bool, float or a negative: those stay in the shape
            put_varint(out, value + 1)
            holder[key] = None
        else:
            put_varint(out, 0)
    return json.dumps(shape, ensure_ascii=False, separators=(",", ":")), bytes(out)


def _plan(shape: dict) -> list[tuple[int, str]]:
    """_slots as positions ((-1: the point itself, else a recent post's index), key), the same for
    every point of one shape: worked out once per shape, not once per point."""
    plan = [(-1, k) for k in COUNTS if k in shape]
    posts = shape.get("recent_posts")
    if isinstance(posts, list):
        for n, p in enumerate(posts):
            if isinstance(p, dict):
                plan += [(n, k) for k in POST_COUNTS if k in p]
    return plan


def unpack_many(shape_json: str, items: list[tuple[bytes, int]]) -> list[dict]:
    """The points of one shape: `items` are (numbers, index where pack's numbers start)."""
    plan = _plan(json.loads(shape_json))
    out = []
    for numbers, i in items:
        point = json.loads(shape_json)  # a fresh copy (the fastest deep copy of JSON data)
        code, i = get_varint(numbers, i)
        if code:
            point["captured_at"] = _time_of(code - 1)
        for n, key in plan:
            z, i = get_varint(numbers, i)
            if z:
                (point if n < 0 else point["recent_posts"][n])[key] = z - 1
        out.append(point)
    return out


def unpack(shape_json: str, numbers: bytes, start: int = 0) -> dict:
    """The point `pack` split (`numbers` read from index `start`)."""
    return unpack_many(shape_json, [(numbers, start)])[0]
