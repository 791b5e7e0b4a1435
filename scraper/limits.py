"""Length caps on the text a snapshot keeps (docs/formats.md lists them).

Page text is data: a capture is never refused for a long bio. Text over its cap is cut, and the
snapshot says so in `warnings`, so a 5 MB "bio" or a 1 MB display name is neither stored nor served
in every listing. The caps sit well above what the platforms let their users write (a channel
description: 1,000 characters; the longest paid-tier post: 25,000).
"""

from __future__ import annotations

from dataclasses import is_dataclass
from typing import Any

# characters per text field, per list item for lists of text
SNAPSHOT_CAPS: dict[str, int] = {
    "platform_id": 100, "url": 2048, "display_name": 200, "bio": 5000, "avatar_url": 2048,
    "captured_at": 64, "source": 64, "categories": 100, "links": 2048, "warnings": 500,
}
POST_CAPS: dict[str, int] = {
    "id": 200, "url": 2048, "title": 5000, "published_at": 64, "category": 100, "hashtags": 100, "mentions": 100,
}
COMMENT_CAPS: dict[str, int] = {"post_id": 200, "author": 100, "text": 5000, "published_at": 64}
ACCOUNT_CAPS: dict[str, int] = {"username": 100, "display_name": 200, "created_at": 64}
# items per list of text
LIST_CAPS: dict[str, int] = {"categories": 50, "links": 100, "warnings": 100, "hashtags": 100, "mentions": 100}


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _set(obj: Any, name: str, value: Any) -> None:
    if isinstance(obj, dict):
        obj[name] = value
    else:
        setattr(obj, name, value)


def _cap_fields(obj: Any, caps: dict[str, int], where: str, notes: list[str]) -> None:
    for name, cap in caps.items():
        value = _get(obj, name)
        if isinstance(value, str):
            if len(value) > cap:
                _set(obj, name, value[:cap])
                notes.append(f"{where}{name} was {len(value):,} characters: kept the first {cap:,}.")
        elif isinstance(value, list):
            limit = LIST_CAPS.get(name)
            items = value
            if limit is not None and len(items) > limit:
                notes.append(f"{where}{name} had {len(items):,} entries: kept the first {limit:,}.")
                items = items[:limit]
            cut = [v[:cap] if isinstance(v, str) and len(v) > cap else v for v in items]
            if any(a is not b for a, b in zip(cut, items)):
                notes.append(f"{where}{name}: entries over {cap:,} characters were cut.")
            if cut != value or len(items) != len(value):
                _set(obj, name, cut)


def cap_snapshot(snapshot: Any) -> Any:
    """Cut over-long text in a Snapshot (or its dict) in place, noting each cut in its warnings."""
    if not (is_dataclass(snapshot) or isinstance(snapshot, dict)):
        return snapshot
    notes: list[str] = []
    _cap_fields(snapshot, SNAPSHOT_CAPS, "", notes)
    for key, caps, label in (("recent_posts", POST_CAPS, "post"), ("comments", COMMENT_CAPS, "comment"),
                             ("audience_sample", ACCOUNT_CAPS, "account")):
        for i, item in enumerate(_get(snapshot, key) or []):
            if isinstance(item, dict) or is_dataclass(item):
                _cap_fields(item, caps, f"{label} {i + 1}: ", notes)
    if notes:
        warnings = _get(snapshot, "warnings")
        warnings = list(warnings) if isinstance(warnings, list) else []
        room = max(0, LIST_CAPS["warnings"] - len(warnings))
        shown = notes
        if len(notes) > room:
            kept = max(room - 1, 0)
            shown = notes[:kept] + ([f"... and {len(notes) - kept} more cuts."] if room else [])
        _set(snapshot, "warnings", warnings + shown)
    return snapshot
