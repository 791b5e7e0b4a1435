"""kolscope's one way to write and read a moment: ISO 8601 in UTC with a "Z".

`now_iso()` stamps captures, refreshes and history in seconds; the store's change stamps use
milliseconds (`now_iso(ms=True)`: "was this scored after the brief changed" compares these strings).
`parse_time()` reads any ISO 8601 string (or datetime) back as an aware UTC-comparable datetime, or
None, never raising: a stored or captured date is data, and odd data is "unknown", not a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def iso(when: datetime, *, ms: bool = False) -> str:
    """`when` in UTC as 2026-01-31T12:00:00Z (or ...12:00:00.123Z with ms); naive means UTC."""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    text = when.astimezone(UTC).isoformat(timespec="milliseconds" if ms else "seconds")
    return text.replace("+00:00", "Z")


def now_iso(*, ms: bool = False) -> str:
    return iso(datetime.now(UTC), ms=ms)


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from an ISO string (or a datetime), or None when it cannot be read."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    s = value.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    try:
        dt.astimezone(UTC)
    except OverflowError:  # year 1 at +14:00 (a page's date): no UTC time, so no time at all
        return None
    return dt
