"""A creator's history: the compact point stored per capture, and what the factors read from it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from scraper.times import iso, parse_time
from server.scoring.common import count, dicts, strs, text
from server.scoring.content import is_sponsored, top_terms
from server.scoring.interaction import commenter_id

HISTORY_FORMAT = "kolscope.history/1"
# Captures closer than this are one observation: reloading a page is not a second look at a creator.
OBSERVATION_GAP = timedelta(days=1)
MAX_POSTS = 6
MAX_TAGS = 2
MAX_COMMENTERS = 32
MAX_COMMENTED_POSTS = 4


def history_point(snapshot: Any) -> dict:
    """The compact form the store keeps per capture (well under 2 KB whatever the snapshot holds)."""
    snap = as_dict(snapshot)
    posts = []
    for p in dicts(snap.get("recent_posts"))[:MAX_POSTS]:
        pid = p.get("id")
        entry: dict[str, Any] = {"id": str(pid)[:32] if pid is not None else None}
        published = parse_time(p.get("published_at"))
        if published:
            entry["published_at"] = iso(published)
        for k in ("views", "likes", "comments"):
            v = count(p.get(k))
            if v is not None:
                entry[k] = int(v)
        if isinstance(p.get("is_sponsored"), bool) or text(p.get("title")).strip() or strs(p.get("hashtags")):
            entry["is_sponsored"] = is_sponsored(p)  # a bare thumbnail tells nothing about ads
        tags = [t[:16].lower() for t in strs(p.get("hashtags"))[:MAX_TAGS]]
        if tags:
            entry["hashtags"] = tags
        posts.append(entry)
    point: dict[str, Any] = {"format": HISTORY_FORMAT}
    captured = parse_time(snap.get("captured_at"))
    point["captured_at"] = iso(captured) if captured else None
    point["platform"] = text(snap.get("platform"))[:16] or None
    point["handle"] = text(snap.get("handle"))[:64] or None
    for k in ("followers", "following", "posts", "likes", "views"):
        v = count(snap.get(k))
        point[k] = int(v) if v is not None else None
    approx = [k for k in strs(snap.get("approximate")) if k in ("followers", "following", "posts", "likes", "views")]
    if approx:
        point["approximate"] = approx
    point["recent_posts"] = posts
    titles = [text(p.get("title")) for p in dicts(snap.get("recent_posts"))]
    point["terms"] = [t[:16] for t in top_terms(titles, k=6)]
    commenters = _commenters(snap)
    if commenters:
        point["commenters"] = commenters
    return point


def _commenters(snap: dict) -> dict[str, str]:
    """{post id: "id id ..."}: who commented where, as short hashed ids, so a later capture can tell a
    fan who comes back on another post. At most MAX_COMMENTERS on MAX_COMMENTED_POSTS posts: ~350 B."""
    by_post: dict[str, list[str]] = {}
    n = 0
    for c in dicts(snap.get("comments")):
        author, post_id = text(c.get("author")).strip(), c.get("post_id")
        if c.get("is_creator") is True or not author or post_id is None:
            continue
        key = str(post_id)[:32]
        if key not in by_post and len(by_post) >= MAX_COMMENTED_POSTS:
            continue
        ids = by_post.setdefault(key, [])
        cid = commenter_id(author)
        if cid not in ids:
            ids.append(cid)
            n += 1
            if n >= MAX_COMMENTERS:
                break
    return {post: " ".join(ids) for post, ids in by_post.items() if ids}


def as_dict(snapshot: Any) -> dict:
    """A snapshot dict from a Snapshot, its dict form, or anything else (as an empty snapshot)."""
    if isinstance(snapshot, dict):
        return snapshot
    if hasattr(snapshot, "__dataclass_fields__") and hasattr(snapshot, "recent_posts"):
        # a Snapshot: a shallow read of its fields (dataclasses.asdict deep-copies, ~10x slower)
        d = dict(vars(snapshot))
        for key in ("recent_posts", "comments", "audience_sample"):
            d[key] = [vars(x) if hasattr(x, "__dict__") else x for x in d.get(key) or []]
        return d
    to_dict = getattr(snapshot, "to_dict", None)
    if callable(to_dict):
        try:
            d = to_dict()
            return d if isinstance(d, dict) else {}
        except Exception:  # noqa: BLE001 -- a half-built object must not break scoring
            return {}
    return {}


def normalize(history: Iterable[Any] | None) -> list[tuple[datetime, dict]]:
    """History points (full snapshots are reduced), dated, oldest first; undated ones are dropped."""
    out = []
    try:
        entries = list(history or ())
    except TypeError:
        return []
    for h in entries:
        if not isinstance(h, dict):
            h = as_dict(h)
            if not h:
                continue
        point = h if h.get("format") == HISTORY_FORMAT else history_point(h)
        when = parse_time(point.get("captured_at"))
        if when is not None:
            out.append((when, point))
    out.sort(key=lambda p: p[0])
    return out


def all_posts(current: dict, points: list[tuple[datetime, dict]]) -> list[dict]:
    """Every post seen (current capture first wins), de-duplicated by id."""
    seen: dict[str, dict] = {}
    anonymous: list[dict] = []
    for p in dicts(current.get("recent_posts")):
        (seen.setdefault(str(p["id"]), p) if p.get("id") is not None else anonymous.append(p))
    for _, point in reversed(points):
        for p in dicts(point.get("recent_posts")):
            if p.get("id") is not None:
                seen.setdefault(str(p["id"]), p)
    return list(seen.values()) + anonymous


def observations(points: list[tuple[datetime, dict]], current: datetime | None) -> list[tuple[datetime, dict]]:
    """The history as one observation per day, the current capture excluded.

    Points less than a day before (or after) the current capture are that capture seen again: it
    replaces them. Among the others, a point less than a day after the first point of its group
    replaces the group's point (the latest of the day counts), so ten reloads weigh as one capture.
    """
    out: list[tuple[datetime, dict]] = []
    group_start: datetime | None = None
    for when, point in points:
        if current is not None and abs(current - when) < OBSERVATION_GAP:
            continue
        if group_start is not None and when - group_start < OBSERVATION_GAP and out:
            out[-1] = (when, point)
            continue
        group_start = when
        out.append((when, point))
    return out
