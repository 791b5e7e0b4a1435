"""History points packed small, losslessly: the PostgreSQL engine keeps one row per point, and issue
16's target is <= 40 KB per creator with 365 daily points (the JSON points take ~225 KB in TinyDB,
and ~200 KB a year of a realistic creator's).

A creator's points are a chain: each is written as its differences from the point before it (in
the order they arrived), by `Chain.encode`, and read back by `Chain.decode` in the same order.
Consecutive captures of a creator mostly repeat each other: the same handle and keys, the same
recent posts shifted by one when a post is new, counts that moved a little, terms and hashtags
already seen. So a value is written as one of (a tag byte first; see `_T`):

- "the same as before" (one byte), or an int as its change (-16..15 in the tag byte itself);
- a dict with the previous one's keys: a bit mask of the changed keys (inline for <= 6 bits), then
  only those values, each against its previous value;
- a list: positionally against the previous one, or "shifted by h" (h new items at its head, each
  written against the previous head: a new post is another post's keys and near values);
- text seen before in this creator's history as its index in the chain's string table (one byte
  for the first 64), a timestamp in kolscope's ISO forms as the seconds (or ms) from the last one
  written, digits as an integer; anything else as itself.

`Chain().decode(Chain().encode(p)) == p` for any JSON value, and a whole chain reads back each point
exactly (key order, int vs float vs bool, -0.0, NaN's bits, lone surrogates). A chain depends on its
rows' order: the engine keeps each row's number and rewrites a creator's chain whole or appends to
it, never edits a row in the middle.
"""

from __future__ import annotations

import re
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

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


def _time_value(value: Any) -> tuple[int, int] | None:
    """(seconds, or milliseconds when the text shows them, from EPOCH; 1 for milliseconds else 0) of
    text in one of kolscope's two ISO forms, or None when the text would not come back identical."""
    if not isinstance(value, str) or len(value) not in (20, 24) or not _ISO.fullmatch(value):
        return None
    ms = value[19] == "."
    try:  # by hand: strptime takes ~10x longer, and every text a point holds is tried
        t = datetime(int(value[:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]), int(value[14:16]),
                     int(value[17:19]), int(value[20:23]) * 1000 if ms else 0, tzinfo=UTC)
    except ValueError:
        return None
    if _iso(t, ms) != value:
        return None
    return (t - EPOCH) // timedelta(milliseconds=1 if ms else 1000), int(ms)


class _T:
    """The tag bytes of a value (see `Chain`)."""

    SAME, NONE, FALSE, TRUE, INT, INT_DELTA, FLOAT, STR, STR_REF, TIME, DIGITS, DIGITS_DELTA, DICT_SAME_KEYS, \
        DICT, LIST, LIST_SHIFT = range(16)
    SHIFT_INLINE = 0x10  # 0x10-0x16: a list as long as the previous one, shifted by 0..6
    DICT_KEPT = 0x17     # a dict with some of the previous one's keys (in its order), then new ones
    MASK_SHORT = 0x18    # 0x18-0x1F and one more byte: a dict with the previous one's keys, mask < 2048
    DELTA_INLINE = 0x20  # 0x20-0x3F: an int changed by -16..15 (zig-zagged: 0..31)
    MASK_INLINE = 0x40   # 0x40-0x7F: a dict with the previous one's keys, the mask of changed ones < 64
    DELTA_SHORT = 0x80   # 0x80-0xBF and one more byte: an int changed by zig-zag 32..16,415
    REF_INLINE = 0xC0    # 0xC0-0xFF: a string of the table, index < 64


_MISSING = object()  # "no previous value" (None is a value)
_DIGITS = re.compile(r"0|[1-9][0-9]{0,37}")
_DOUBLE = struct.Struct("<d")


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON would write them: types, key order and a float's bits too (1 == 1.0 == True,
    and 0.0 == -0.0, in Python)."""
    t = type(a)
    if t is not type(b):
        return False
    if t is dict:
        return len(a) == len(b) and all(ka == kb and _same(a[ka], b[kb]) for ka, kb in zip(a, b))
    if t is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if t is float:
        return _DOUBLE.pack(a) == _DOUBLE.pack(b)
    return a == b


def _is_int(v: Any) -> bool:
    return type(v) is int


class Chain:
    """One creator's history as a chain of rows: `encode(point)` answers the bytes of the next row
    and `decode(row)` reads the next row back; both advance the chain (the previous point, the
    strings seen, the last timestamp), so rows are decoded in the order they were encoded, each
    chain from its start."""

    def __init__(self) -> None:
        self.prev: Any = _MISSING
        self.strings: list[str] = []
        self.index: dict[str, int] = {}
        self.clock = 0  # milliseconds from EPOCH: the last timestamp written

    # -- writing ------------------------------------------------------------------------------------

    def encode(self, point: Any) -> bytes:
        out = bytearray()
        self._put(out, point, self.prev)
        self.prev = point
        return bytes(out)

    def _put(self, out: bytearray, v: Any, p: Any) -> None:
        if p is not _MISSING and _same(v, p):
            out.append(_T.SAME)
            return
        t = type(v)
        if v is None:
            out.append(_T.NONE)
        elif t is bool:
            out.append(_T.TRUE if v else _T.FALSE)
        elif t is int:
            if type(p) is int:
                z = _zig(v - p)
                if z < 32:
                    out.append(_T.DELTA_INLINE + z)
                    return
                if z < 32 + 0x4000:
                    out += bytes((_T.DELTA_SHORT + ((z - 32) >> 8), (z - 32) & 0xFF))
                    return
                if z < _zig(v):
                    out.append(_T.INT_DELTA)
                    put_varint(out, z)
                    return
            out.append(_T.INT)
            put_varint(out, _zig(v))
        elif t is float:
            out.append(_T.FLOAT)
            out += _DOUBLE.pack(v)
        elif t is str:
            self._put_str(out, v, p)
        elif t is dict:
            self._put_dict(out, v, p)
        elif t is list:
            self._put_list(out, v, p)
        else:
            raise TypeError(f"a history point holds only JSON values, not {t.__name__}")

    def _put_str(self, out: bytearray, v: str, p: Any) -> None:
        when = _time_value(v)
        if when is not None:
            units, ms = when
            delta = units - (self.clock if ms else self.clock // 1000)
            out.append(_T.TIME)
            put_varint(out, _zig(delta) * 2 + ms)
            self.clock = units if ms else units * 1000
            return
        if _DIGITS.fullmatch(v) and v.isascii():
            if type(p) is str and _DIGITS.fullmatch(p) and p.isascii():
                out.append(_T.DIGITS_DELTA)
                put_varint(out, _zig(int(v) - int(p)))
            else:
                out.append(_T.DIGITS)
                put_varint(out, int(v))
            return
        self._put_text(out, v)

    def _put_text(self, out: bytearray, v: str) -> None:
        """Text as its index in the table, or as itself (then added to the table)."""
        n = self.index.get(v)
        if n is None:
            data = v.encode("utf-8", "surrogatepass")
            out.append(_T.STR)
            put_varint(out, len(data))
            out += data
            self.index[v] = len(self.strings)
            self.strings.append(v)
        elif n < 64:
            out.append(_T.REF_INLINE + n)
        else:
            out.append(_T.STR_REF)
            put_varint(out, n)

    def _put_dict(self, out: bytearray, v: dict, p: Any) -> None:
        if type(p) is dict and len(p) == len(v) and all(a == b for a, b in zip(v, p)):
            mask, changed = 0, []
            for bit, (k, x) in enumerate(v.items()):
                if not _same(x, p[k]):
                    mask |= 1 << bit
                    changed.append((x, p[k]))
            if mask < 64:
                out.append(_T.MASK_INLINE + mask)
            elif mask < 2048:
                out += bytes((_T.MASK_SHORT + (mask >> 8), mask & 0xFF))
            else:
                out.append(_T.DICT_SAME_KEYS)
                put_varint(out, mask)
            for x, before in changed:
                self._put(out, x, before)
            return
        if type(p) is dict and self._put_kept(out, v, p):
            return
        out.append(_T.DICT)
        put_varint(out, len(v))
        old = p if type(p) is dict else {}
        for k, x in v.items():
            self._put_text(out, k)
            self._put(out, x, old.get(k, _MISSING))

    def _put_kept(self, out: bytearray, v: dict, p: dict) -> bool:
        """A dict as the previous one's keys it keeps (a mask), the keys it adds after them, and the
        kept ones that changed (a mask); False (nothing written) when its keys are not in that order."""
        kept = [k for k in p if k in v]
        keys = list(v)
        if keys[:len(kept)] != kept or any(k in p for k in keys[len(kept):]):
            return False
        keep = sum(1 << bit for bit, k in enumerate(p) if k in v)
        changed = sum(1 << bit for bit, k in enumerate(kept) if not _same(v[k], p[k]))
        out.append(_T.DICT_KEPT)
        put_varint(out, keep)
        put_varint(out, len(keys) - len(kept))
        for k in keys[len(kept):]:
            self._put_text(out, k)
        put_varint(out, changed)
        for bit, k in enumerate(kept):
            if changed >> bit & 1:
                self._put(out, v[k], p[k])
        for k in keys[len(kept):]:
            self._put(out, v[k], _MISSING)
        return True

    def _put_list(self, out: bytearray, v: list, p: Any) -> None:
        if type(p) is not list or not p:
            out.append(_T.LIST)
            put_varint(out, len(v))
            for x in v:
                self._put(out, x, _MISSING)
            return
        # the shift that writes shortest (h new items at the head, the rest the previous ones); a trial
        # advances the table and the clock, so each is undone, and the best one written again
        best, size = 0, None
        shifts = self._shifts(v, p)
        if len(shifts) == 1:
            self._put_shifted(out, v, p, shifts[0])
            return
        for h in shifts:
            mark, clock, trial = len(self.strings), self.clock, bytearray()
            self._put_shifted(trial, v, p, h)
            for s in self.strings[mark:]:
                del self.index[s]
            del self.strings[mark:]
            self.clock = clock
            if size is None or len(trial) < size:
                best, size = h, len(trial)
        self._put_shifted(out, v, p, best)

    @staticmethod
    def _shifts(v: list, p: list) -> list[int]:
        """The shifts worth trying: the least (none, or the items the list grew by), and each that
        puts the previous head back where an item starts as it did (the same value, or a dict whose
        first entry is the same: a post's id)."""
        head = p[0]
        first = next(iter(head.items()), None) if type(head) is dict else None
        least = max(0, len(v) - len(p))
        out = [least]
        for h, x in enumerate(v[least + 1:least + 9], least + 1):
            if _same(x, head) or (first is not None and type(x) is dict and x
                                   and next(iter(x.items())) == first):
                out.append(h)
        return out

    def _put_shifted(self, out: bytearray, v: list, p: list, h: int) -> None:
        if len(v) == len(p) and h < _T.DICT_KEPT - _T.SHIFT_INLINE:
            out.append(_T.SHIFT_INLINE + h)
        else:
            out.append(_T.LIST_SHIFT)
            put_varint(out, h)
            put_varint(out, len(v))
        for i, x in enumerate(v):
            self._put(out, x, p[0] if i < h else p[i - h])

    # -- reading ------------------------------------------------------------------------------------

    def decode(self, row: bytes, i: int = 0) -> Any:
        """The next point, from `row[i:]`."""
        point, _ = self._get(row, i, self.prev)
        self.prev = point
        return point

    def _get(self, b: bytes, i: int, p: Any) -> tuple[Any, int]:
        t = b[i]
        i += 1
        if t >= _T.REF_INLINE:
            return self.strings[t - _T.REF_INLINE], i
        if t >= _T.DELTA_SHORT:
            return p + _unzig(32 + ((t - _T.DELTA_SHORT) << 8) + b[i]), i + 1
        if t >= _T.MASK_INLINE:
            return self._get_dict(b, i, p, t - _T.MASK_INLINE)
        if t >= _T.DELTA_INLINE:
            return p + _unzig(t - _T.DELTA_INLINE), i
        if t >= _T.MASK_SHORT:
            return self._get_dict(b, i + 1, p, ((t - _T.MASK_SHORT) << 8) + b[i])
        if t == _T.DICT_KEPT:
            return self._get_kept(b, i, p)
        if t >= _T.SHIFT_INLINE:
            return self._get_list(b, i, p, t - _T.SHIFT_INLINE, len(p))
        if t == _T.SAME:
            return p, i
        if t == _T.NONE:
            return None, i
        if t == _T.FALSE or t == _T.TRUE:
            return t == _T.TRUE, i
        if t == _T.INT or t == _T.INT_DELTA:
            z, i = get_varint(b, i)
            return (p if t == _T.INT_DELTA else 0) + _unzig(z), i
        if t == _T.FLOAT:
            return _DOUBLE.unpack_from(b, i)[0], i + 8
        if t == _T.STR:
            n, i = get_varint(b, i)
            s = b[i:i + n].decode("utf-8", "surrogatepass")
            self.strings.append(s)
            return s, i + n
        if t == _T.STR_REF:
            n, i = get_varint(b, i)
            return self.strings[n], i
        if t == _T.TIME:
            code, i = get_varint(b, i)
            ms, delta = code & 1, _unzig(code >> 1)
            units = delta + (self.clock if ms else self.clock // 1000)
            self.clock = units if ms else units * 1000
            return _iso(EPOCH + timedelta(milliseconds=self.clock), bool(ms)), i
        if t == _T.DIGITS or t == _T.DIGITS_DELTA:
            z, i = get_varint(b, i)
            return str(int(p) + _unzig(z) if t == _T.DIGITS_DELTA else z), i
        if t == _T.DICT_SAME_KEYS:
            mask, i = get_varint(b, i)
            return self._get_dict(b, i, p, mask)
        if t == _T.DICT:
            n, i = get_varint(b, i)
            out, old = {}, p if type(p) is dict else {}
            for _ in range(n):
                k, i = self._get_text(b, i)
                out[k], i = self._get(b, i, old.get(k, _MISSING))
            return out, i
        if t == _T.LIST:
            n, i = get_varint(b, i)
            out = []
            for _ in range(n):
                x, i = self._get(b, i, _MISSING)
                out.append(x)
            return out, i
        if t == _T.LIST_SHIFT:
            h, i = get_varint(b, i)
            n, i = get_varint(b, i)
            return self._get_list(b, i, p, h, n)
        raise ValueError(f"a history row holds an unknown tag {t}")

    def _get_text(self, b: bytes, i: int) -> tuple[str, int]:
        t = b[i]
        if t >= _T.REF_INLINE or t in (_T.STR, _T.STR_REF):
            return self._get(b, i, _MISSING)
        raise ValueError(f"a history row holds a key with tag {t}")

    def _get_dict(self, b: bytes, i: int, p: dict, mask: int) -> tuple[dict, int]:
        out = dict(p)
        bit = 1
        for k in p:
            if mask & bit:
                out[k], i = self._get(b, i, p[k])
            bit <<= 1
            if bit > mask:
                break
        return out, i

    def _get_kept(self, b: bytes, i: int, p: dict) -> tuple[dict, int]:
        keep, i = get_varint(b, i)
        added, i = get_varint(b, i)
        kept = [k for bit, k in enumerate(p) if keep >> bit & 1]
        new = []
        for _ in range(added):
            k, i = self._get_text(b, i)
            new.append(k)
        changed, i = get_varint(b, i)
        out = {}
        for bit, k in enumerate(kept):
            if changed >> bit & 1:
                out[k], i = self._get(b, i, p[k])
            else:
                out[k] = p[k]
        for k in new:
            out[k], i = self._get(b, i, _MISSING)
        return out, i

    def _get_list(self, b: bytes, i: int, p: list, h: int, n: int) -> tuple[list, int]:
        out = []
        for j in range(n):
            x, i = self._get(b, i, p[0] if j < h else p[j - h])
            out.append(x)
        return out, i
