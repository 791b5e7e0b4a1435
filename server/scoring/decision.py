"""The decision numbers a marketer reads before the scores: engagement rate, median views, the last
post (or "inactive") and the brands named in paid posts. One pure function, so the API (and through
it the overlay) and the dashboard show the same figures.

Pure like the rest of scoring: from one snapshot, as of its capture time (or `now`), no clock read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.scoring.authenticity import engagement_rate
from scraper.times import parse_time
from server.scoring.common import count, median, text
from server.scoring.brands import brand_key, post_brands
from server.scoring.content import is_sponsored, posts_of
from server.scoring.history import as_dict

# The cadence factor's threshold too: no post for this many days is an inactive account.
INACTIVE_DAYS = 90
MAX_BRANDS = 10


def paid_brands(posts: list[dict], own_handle: str | None = None) -> list[dict]:
    """The brands named by paid posts, most often first: [{name, posts}].

    What names a brand is server/scoring/brands.py's reading (the platform's sponsor tags, "sponsored
    by X" in a title or description, a paid post's link, @mentions and brand hashtags), the same as
    the creator page and brand search. A post counts when it is paid (the page's flag or a
    disclosure) or its own words name a sponsor. The creator's own handle is not a brand."""
    own = brand_key(own_handle or "")
    seen: dict[str, dict] = {}
    for p in posts:
        paid = is_sponsored(p)
        for b in post_brands(p):
            if b["key"] == own or not (paid or b["how"] in ("platform", "words")):
                continue
            entry = seen.setdefault(b["key"], {"name": b["name"], "posts": 0})
            entry["posts"] += 1
    ranked = sorted(seen.values(), key=lambda b: (-b["posts"], b["name"].casefold()))
    return ranked[:MAX_BRANDS]


def decision_numbers(snapshot: Any, now: datetime | str | None = None) -> dict:
    """Engagement rate (a fraction and in percent, with its basis), median views of the recent posts,
    the last post's date and whether the account is inactive, and the brands of its paid posts. A
    figure the capture does not show is None, never 0."""
    snap = as_dict(snapshot)
    when = parse_time(now) if now is not None else parse_time(snap.get("captured_at"))
    posts = posts_of(snap)
    er, info = engagement_rate(snap)
    views = [v for v in (count(p.get("views")) for p in posts) if v is not None]
    mid = median(views)
    dated = [t for t in (parse_time(p.get("published_at")) for p in posts) if t is not None]
    last = max(dated) if dated else None
    days = None
    if last is not None and when is not None:
        days = max(0, (when - last).days)
    return {
        "engagement_rate": None if er is None else round(er, 5),
        "engagement_rate_percent": None if er is None else round(er * 100, 2),
        "engagement_basis": info.get("basis"),  # "views" or "followers" (bands.json, per platform)
        "engagement_posts": info.get("posts_used", 0),
        "median_views": None if mid is None else int(round(mid)),
        "median_views_posts": len(views),
        "last_post_at": None if last is None else last.isoformat().replace("+00:00", "Z"),
        "days_since_last_post": days,
        "inactive": None if days is None else days > INACTIVE_DAYS,
        "paid_posts": sum(1 for p in posts if is_sponsored(p)),
        "paid_brands": paid_brands(posts, text(snap.get("handle"))),
    }
