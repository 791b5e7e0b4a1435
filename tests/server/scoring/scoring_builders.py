"""Synthetic snapshots for the scoring tests (no ../shared needed): a believable creator, then variants."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

TITLES = [
    "Trail running shoes review: which pair survived 500 km",
    "My marathon training week, what I eat and how I recover",
    "Beginner trail running tips: hills, breathing and pacing",
    "Testing a cheap GPS running watch against the expensive one",
    "Ultra marathon race day vlog in the Alps",
    "How I fixed my knee pain with strength training for runners",
    "Running in the rain: the jacket that actually keeps you dry",
    "Trail running nutrition: gels, bars or real food?",
    "Five mistakes I made in my first marathon",
    "Night trail run with a headlamp: what to pack",
    "Road vs trail running shoes explained",
    "Recovery day routine for runners: stretching and mobility",
]
COMMENTS = [
    "This review convinced me to try the trail shoes on my next long run",
    "The part about breathing on hills really helped me last weekend",
    "I had the same knee problem, the strength exercises fixed it for me too",
    "How many kilometres per week do you run before a marathon?",
    "Your pacing advice got me a personal best in the half marathon",
    "Which headlamp did you use for the night run? It looked very bright",
    "I tried the real food approach on my ultra and it worked much better than gels",
    "The rain jacket comparison was exactly what I needed before buying one",
    "Great explanation of road versus trail shoes, finally I understand the drop",
    "Can you make a video about running in the heat and hydration?",
]


def creator(platform: str = "instagram", followers: int = 40_000, posts: int = 12, comments: int = 30,
            seed: int = 7) -> dict:
    """An ordinary, authentic creator: engagement inside its band, varied posts, real comments."""
    rnd = random.Random(seed)
    recent = []
    for i in range(posts):
        published = NOW - timedelta(days=3 * i + 1)
        views = int(followers * rnd.uniform(0.25, 0.6))
        likes = int(followers * rnd.uniform(0.012, 0.03)) if platform in ("instagram", "x") else int(views * rnd.uniform(0.07, 0.11))
        recent.append({
            "id": f"p{i}", "url": None, "title": TITLES[i % len(TITLES)] + " #running #trailrunning",
            "published_at": published.isoformat(), "views": views, "likes": likes,
            "comments": int(likes * rnd.uniform(0.02, 0.06)), "shares": int(likes * 0.05),
            "is_sponsored": False, "hashtags": ["running", "trailrunning"], "mentions": [],
        })
    comment_list = [
        {"post_id": f"p{i % max(posts, 1)}", "author": f"fan{i % 23}", "text": COMMENTS[i % len(COMMENTS)] + ("" if i < len(COMMENTS) else f" (my week {i // len(COMMENTS)})"),
         "likes": rnd.randint(0, 40), "replies": 0, "is_creator": False, "published_at": None}
        for i in range(comments)
    ]
    if comments:
        comment_list.append({"post_id": "p0", "author": "creator", "text": "Thanks, glad it helped with your training!",
                             "likes": 3, "replies": 0, "is_creator": True, "published_at": None})
    return {
        "format": "kolscope.snapshot/1", "platform": platform, "handle": "trailjane", "platform_id": "1",
        "url": None, "display_name": "Jane Trails", "bio": "Trail runner and marathon coach 🇩🇪 Running tips every week",
        "avatar_url": None, "verified": False, "country": None, "links": [],
        "followers": followers, "following": 600, "posts": 400, "likes": None, "views": None,
        "approximate": [], "recent_posts": recent, "comments": comment_list, "audience_sample": [],
        "captured_at": NOW.isoformat(), "source": "extension", "warnings": [],
    }


def with_followers(snapshot: dict, factor: float) -> dict:
    s = copy.deepcopy(snapshot)
    s["followers"] = int(s["followers"] * factor)
    return s


def history_series(snapshot: dict, days: int = 60, step: int = 3, daily_growth: float = 0.002,
                   spike_at: int | None = None, spike: float = 0.0) -> list[dict]:
    """Earlier snapshots of the same creator (oldest first), optionally with one follower jump."""
    out = []
    followers = snapshot["followers"]
    points = list(range(days, 0, -step))
    series = []
    f = followers
    for d in reversed(points):  # walk back from now
        f = f / (1 + daily_growth) ** step
        if spike_at is not None and d == spike_at:
            f = f / (1 + spike)
        series.append((d, int(f)))
    for d, f in reversed(series):
        s = copy.deepcopy(snapshot)
        s["followers"] = f
        s["captured_at"] = (NOW - timedelta(days=d)).isoformat()
        out.append(s)
    return out
