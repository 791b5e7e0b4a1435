"""Deliverable tracking: a post marked as a partner's deliverable, read again from each new snapshot.

Every capture and every refresh of a creator carries its recent posts (or, on a post page, the post
shown) with their current counts. `post_metrics(snapshot, deliverable)` finds the deliverable among
them, by the platform's post id or by its URL, and answers its numbers; server/ingest.py records
them after each stored snapshot, so the deliverable's views, likes, comments and shares build a
series over time. Pure; the post id of a URL is the platform's own (`Platform.post_id_from_url`, as
its parser writes `recent_posts[].id`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scraper import registry
from server.scoring.common import count, dicts

METRICS: tuple[str, ...] = ("views", "likes", "comments", "shares")


def _same_url(a: str | None, b: str | None) -> bool:
    def norm(u: str | None) -> str:
        if not u:
            return ""
        p = urlsplit(u.strip())
        host = (p.hostname or "").lower().removeprefix("www.").removeprefix("m.")
        return host + p.path.rstrip("/").lower()
    na = norm(a)
    return bool(na) and na == norm(b)


def _post_id(deliverable: dict) -> str | None:
    module = registry.get(deliverable.get("platform"))
    url = deliverable.get("url")
    return module.post_id_from_url(url) if module is not None and isinstance(url, str) else None


def post_metrics(snapshot: dict, deliverable: dict) -> dict | None:
    """{at, views, likes, comments, shares} of the deliverable's post as this snapshot shows it (a
    count the page hides is None), or None when the snapshot does not show that post."""
    if snapshot.get("platform") != deliverable.get("platform"):
        return None
    post_id = deliverable.get("post_id") or _post_id(deliverable)
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
