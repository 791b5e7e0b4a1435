"""What the creator page tells beyond the scores, as pure functions over the stored record: how the
recent posts did (views, engagement), the posting rhythm, the paid posts with the brands they name,
the refresh attempts in words, and the name to show.

No Flask and no clock (`now` is passed in), so the page's figures are tested without a server. The
figures come from the scorer's own definitions (server/scoring): the engagement rate of a post is
what `engagement_rate` says for that post alone (the platform's formula and basis from bands.json),
a paid post is what `is_sponsored` says, its brands what server.scoring.brands reads, so the page
never disagrees with the scores above it.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from scraper import registry
from scraper.times import parse_time
from server.dashboard.charts import bar_chart, compact
from server.plain import platform_label, refresh_words
from server.scoring.authenticity import engagement_rate
from server.scoring.common import count, median, text
from server.scoring.content import is_sponsored, posts_of, sponsored_share
from server.scoring.brands import brand_mentions, brand_summary

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_POSTS = 30  # the bars: the platforms show 12-30 recent posts on a profile

def when_text(value: Any) -> str:
    """An ISO time as a person reads it: "2026-11-29 14:05" (UTC), or "" when unreadable."""
    t = parse_time(value)
    return t.strftime("%Y-%m-%d %H:%M") if t else ""


def day_text(value: Any) -> str:
    t = parse_time(value)
    return t.strftime("%Y-%m-%d") if t else ""


def heading(summary: dict) -> dict:
    """The creator's name and the line under it. A creator known by an account id (on a platform
    without handles, or a channel whose page showed only its id) is shown by its display name with
    the id beside it, never as "@123"."""
    platform, handle = summary["platform"], str(summary.get("handle") or summary.get("key") or "")
    module = registry.get(platform)
    by_id = (module is not None and module.identity == "id") or handle == summary.get("platform_id")
    label = platform_label(platform)
    name = summary.get("display_name")
    if by_id:
        return {"name": name or f"{label} account {handle}", "sub": f"{label} account {handle}", "by_id": True}
    return {"name": name or f"@{handle}", "sub": f"@{handle} · {label}", "by_id": False}


def _chronological(snapshot: dict, limit: int | None = MAX_POSTS) -> list[dict]:
    """The recent posts oldest first (the newest `limit`), by date when every post has one, else
    in the page's order turned round (profiles list the newest first)."""
    posts = posts_of(snapshot)
    times = [parse_time(p.get("published_at")) for p in posts]
    if posts and all(t is not None for t in times):
        ordered = [p for _, p in sorted(zip(times, posts, strict=True), key=lambda x: x[0])]
    else:
        ordered = list(reversed(posts))
    return ordered[-limit:] if limit else ordered


def post_rate(snapshot: dict, post: dict) -> float | None:
    """One post's engagement rate by the platform's formula: the scorer's median over that post alone."""
    return engagement_rate({**snapshot, "recent_posts": [post]})[0]


def _post_label(post: dict, i: int) -> str:
    return day_text(post.get("published_at")) or f"post {i + 1}"


def _pct(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") + "%"


def performance(snapshot: dict) -> dict:
    """Views and engagement per recent post (bars for the newest MAX_POSTS, paid posts set apart)
    with the medians as lines, and the words under them. The medians are over every recent post, as
    the decision numbers' (server/scoring/decision.py). Charts are None when no post shows the figure."""
    every = posts_of(snapshot)
    posts = _chronological(snapshot)
    labels = [_post_label(p, i) for i, p in enumerate(posts)]
    paid = [is_sponsored(p) for p in posts]
    titles = [text(p.get("title")).strip()[:80] or None for p in posts]
    views = [count(p.get("views")) for p in posts]
    shown = [v for v in (count(p.get("views")) for p in every) if v is not None]
    mid = median(shown)
    er, info = engagement_rate(snapshot)
    basis = "view" if info.get("basis") == "views" else "follower"
    rates = [post_rate(snapshot, p) for p in posts]
    views_chart = bar_chart(list(zip(labels, views, strict=True)), what="views", reference=mid,
                            reference_text=f"median {compact(mid)}" if mid is not None else "",
                            marked=paid, details=titles)
    rate_chart = bar_chart([(lb, None if r is None else r * 100) for lb, r in zip(labels, rates, strict=True)],
                           fmt=_pct, hover=_pct, what=f"per {basis}", marked=paid, details=titles,
                           reference=None if er is None else er * 100,
                           reference_text="" if er is None else f"median {_pct(er * 100)}")
    words = []
    if mid is not None:
        words.append(f"Median views {mid:,.0f} over the {len(shown)} recent posts that show views.")
    if er is not None:
        line = f"Engagement {_pct(er * 100)} per {basis} over {info.get('posts_used')} posts."
        words.append(line + (f" Formula: {info['formula']}." if info.get("formula") else ""))
    elif every:
        hidden = info.get("hidden_likes")
        why = f"likes are hidden on {hidden} posts" if hidden else "the posts here show no likes"
        words.append(f"No engagement rate: {why}.")
    if len(every) > len(posts):
        words.append(f"The bars show the newest {len(posts)} of the {len(every)} posts.")
    return {"posts": len(posts), "views_chart": views_chart, "rate_chart": rate_chart, "words": words,
            "paid_marked": any(paid)}


def gap_text(days: float) -> str:
    """A time between posts as a person says it: "5 hours", "1 day", "2.5 days"."""
    if days < 1:
        hours = round(days * 24)
        return "under an hour" if hours < 1 else f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{days:.1f}".rstrip("0").rstrip(".") + (" day" if round(days, 1) == 1 else " days")


def rhythm(snapshot: dict, now: datetime) -> dict:
    """Posts per week, the median days between posts, the weekday of each post (a bar chart) and the
    last post's age (at the capture and today), over the recent posts with a date.

    Dates read from "2 weeks ago" are approximate (posts share a day, or all share one time of day,
    the rule of the cadence factor): the weekday chart then says nothing and is left out."""
    times = sorted(t for t in (parse_time(p.get("published_at")) for p in posts_of(snapshot)) if t is not None)
    if not times:
        return {"dated": 0, "words": ["The capture shows no dated posts, so no posting rhythm."], "chart": None}
    captured = parse_time(snapshot.get("captured_at")) or now
    last = times[-1]
    at_capture = max(0, (captured - last).days)
    today = max(0, (now - last).days)
    age = f"Last post on {last:%Y-%m-%d}: {_days(at_capture)} before this capture"
    age += f", {_days(today)} ago today." if today != at_capture else "."
    out: dict[str, Any] = {"dated": len(times), "last_post": f"{last:%Y-%m-%d}", "days_since_capture": at_capture,
                           "days_today": today, "per_week": None, "median_gap_days": None, "chart": None}
    if len(times) < 2:
        out["words"] = [age, "One dated post: no rhythm yet."]
        return out
    gaps = [(b - a).total_seconds() / 86400 for a, b in pairwise(times)]
    span = (times[-1] - times[0]).total_seconds() / 86400
    ties = sum(1 for g in gaps if g == 0)
    approximate = ties * 3 >= len(gaps) or len({(t.minute, t.second) for t in times}) == 1
    words = []
    if span > 0:
        out["per_week"] = round((len(times) - 1) / span * 7, 1)
        words.append(f"{out['per_week']:g} posts a week over the last {len(times)} posts ({gap_text(span)}).")
        gap, mean = median(gaps) or 0.0, span / (len(times) - 1)
        out["median_gap_days"] = round(gap, 1)
        if gap < mean / 3:  # threads, or several posts a day then a pause: the median alone misleads
            words.append(f"Posts come in bursts: {gap_text(gap)} between posts on median, {gap_text(mean)} on average.")
        else:
            words.append(f"{gap_text(gap).capitalize()} between posts on median.")
    words.append(age)
    if approximate:
        words.append("The posts' dates look approximate (as \"2 weeks ago\" gives them), so weekdays are not shown.")
    else:
        days = [0] * 7
        for t in times:
            days[t.weekday()] += 1
        out["weekdays"] = dict(zip(WEEKDAYS, days, strict=True))
        busiest = WEEKDAYS[days.index(max(days))]
        words.append(f"Most posts on a {busiest} (weekdays in UTC).")
        out["chart"] = bar_chart(list(zip(WEEKDAYS, days, strict=True)), width=320, height=140, integer=True,
                                 what="posts", x_ticks=7)
    out["words"] = words
    return out


def _days(n: int) -> str:
    return "the same day" if n == 0 else f"{n} day{'s' if n != 1 else ''}"


_HOW = {"platform": "the platform's paid-partnership label", "words": "the post's words", "link": "the post's link",
        "mention": "an @mention in a paid post", "hashtag": "a hashtag in a paid post"}


def paid(snapshot: dict) -> dict:
    """The recent posts the scorer counts as paid, newest first, each with its date and the brands it
    names (server.scoring.brands: the platform's sponsor tag, "sponsored by X", the paid post's link,
    @mentions and brand hashtags; the creator's own name is no brand), the brands over all recent
    posts (most recent first), and the paid share of the recent posts."""
    posts = posts_of(snapshot)
    share, n, total = sponsored_share(posts)
    mentions = brand_mentions(snapshot)
    by_post: dict[str, list[dict]] = {}
    for m in mentions:
        by_post.setdefault(m.get("post_id") or "", []).append(
            {"name": m["name"], "how": _HOW.get(m["how"], m["how"]), "evidence": m.get("evidence")})
    items = []
    for p in reversed(_chronological(snapshot, None)):
        if not is_sponsored(p):
            continue
        items.append({"date": day_text(p.get("published_at")), "title": text(p.get("title")).strip() or p.get("id"),
                      "url": p.get("url") if str(p.get("url") or "").startswith("https://") else None,
                      "brands": by_post.get(text(p.get("id")), [])})
    if share is None:
        words = "The capture shows no posts, so no paid share."
    else:
        words = f"{n} of the {total} recent posts are paid ({share:.0%})."
    return {"items": items, "count": n, "total": total, "share": share, "words": words,
            "brands": brand_summary(mentions)}


def refresh_history(summary: dict) -> list[dict]:
    """The refresh attempts (the store keeps the last 20), newest first, each said in words."""
    platform = summary["platform"]
    log = (summary.get("refresh") or {}).get("log") or []
    rows = [{"at": when_text(e.get("at")), "status": e.get("status"), "words": refresh_words(e, platform)}
            for e in log if isinstance(e, dict)]
    return list(reversed(rows))
