"""Deliverable tracking: a post marked as a partner's deliverable, read again from each new snapshot.

Every capture and every refresh of a creator carries its recent posts (or, on a post page, the post
shown) with their current counts. `post_metrics(snapshot, deliverable)` finds the deliverable among
them, by the platform's post id or by its URL, and answers its numbers; server/ingest.py records
them after each stored snapshot, so the deliverable's views, likes, comments and shares build a
series over time. Pure: names no platform (post ids come from the URL's shape).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from server.scoring.common import count, dicts

METRICS: tuple[str, ...] = ("views", "likes", "comments", "shares")
# Path segments after which the platforms put a post's id: /watch?v=ID is read from the query,
# /shorts/ID, /@h/video/ID, /@h/photo/ID, /p/CODE, /reel/CODE, /h/status/ID, /video/BV...
_ID_AFTER = frozenset({"shorts", "video", "photo", "p", "reel", "reels", "tv", "status", "live", "embed"})
_ID = re.compile(r"^[A-Za-z0-9_-]{3,64}$")


def post_id_from_url(url: str | None) -> str | None:
    """The post id a post URL names (`v=` of a watch URL, the segment after /video/, /status/, /p/,
    /reel/, /shorts/...), or None for a URL naming no post (a short link is not followed here)."""
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip() if "//" in url else "https://" + url.strip())
    except ValueError:
        return None
    v = parse_qs(parts.query).get("v")
    if v and _ID.match(v[0]):
        return v[0]
    segments = [s for s in parts.path.split("/") if s]
    for before, seg in zip(segments, segments[1:]):
        if before.lower() in _ID_AFTER and _ID.match(seg):
            return seg
    return None


def _same_url(a: str | None, b: str | None) -> bool:
    def norm(u: str | None) -> str:
        if not u:
            return ""
        p = urlsplit(u.strip())
        host = (p.hostname or "").lower().removeprefix("www.").removeprefix("m.")
        return host + p.path.rstrip("/").lower()
    na = norm(a)
    return bool(na) and na == norm(b)


def post_metrics(snapshot: dict, deliverable: dict) -> dict | None:
    """{at, views, likes, comments, shares} of the deliverable's post as this snapshot shows it (a
    count the page hides is None), or None when the snapshot does not show that post."""
    if snapshot.get("platform") != deliverable.get("platform"):
        return None
    post_id = deliverable.get("post_id") or post_id_from_url(deliverable.get("url"))
    for post in dicts(snapshot.get("recent_posts")):
        if (post_id and str(post.get("id") or "") == str(post_id)) or _same_url(post.get("url"), deliverable.get("url")):
            numbers = {k: (None if count(post.get(k)) is None else int(count(post.get(k)))) for k in METRICS}
            if all(v is None for v in numbers.values()):
                return None  # the post is listed but without any count: nothing to record
            return {"at": snapshot.get("captured_at"), **numbers}
    return None


def engagements(metrics: dict | None) -> int | None:
    """likes + comments + shares of one reading (the counts shown), or None when none is shown."""
    if not metrics:
        return None
    shown = [metrics.get(k) for k in ("likes", "comments", "shares") if metrics.get(k) is not None]
    return sum(shown) if shown else None
