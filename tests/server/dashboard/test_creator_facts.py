"""The creator page's figures (server/dashboard/creator_facts.py) on snapshots whose answers are
worked out by hand: per-post engagement by the platform's formula, the posting rhythm, paid posts
and their brands, the refresh log in words, and the heading of a creator known only by an id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from server.dashboard import creator_facts as facts
from server.plain import refresh_words
from server.scoring.authenticity import engagement_rate

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def post(pid: str, at: str | None, views=None, likes=None, comments=None, **kw) -> dict:
    return {"id": pid, "published_at": at, "views": views, "likes": likes, "comments": comments, **kw}


def snap(platform: str, posts: list[dict], followers: int = 10_000, captured_at: str = "2026-02-20T12:00:00Z") -> dict:
    return {"platform": platform, "handle": "someone", "followers": followers, "recent_posts": posts,
            "captured_at": captured_at}


def test_per_post_engagement_follows_the_platform_formula():
    # instagram: (likes + comments) / followers; tiktok: per view (bands.json)
    ig = snap("instagram", [post("a", "2026-02-01T10:00:00Z", likes=400, comments=100),
                            post("b", "2026-02-03T10:00:00Z", likes=100, comments=0),
                            post("c", "2026-02-05T10:00:00Z", likes=None)])
    assert [facts.post_rate(ig, p) for p in ig["recent_posts"]] == [0.05, 0.01, None]
    perf = facts.performance(ig)
    rates = [b["value"] for b in perf["rate_chart"]["bars"]]
    assert rates == [5.0, 1.0, None]  # in percent, oldest first, the hidden one keeps its slot
    # the median line is the scorer's engagement rate, not one computed here
    assert perf["rate_chart"]["reference"]["text"] == "median 3%" and engagement_rate(ig)[0] == pytest.approx(0.03)
    assert perf["views_chart"] is None  # instagram photos show no views
    assert perf["words"] == ["Engagement 3% per follower over 2 posts. Formula: median over recent posts of "
                             "(likes + comments) / followers."]

    tt = snap("tiktok", [post("x", "2026-02-02T10:00:00Z", views=1000, likes=90, comments=10),
                         post("y", "2026-02-01T10:00:00Z", views=4000, likes=100, comments=0)])
    perf = facts.performance(tt)
    assert [b["label"] for b in perf["views_chart"]["bars"]] == ["2026-02-01", "2026-02-02"]  # by date
    assert [b["value"] for b in perf["views_chart"]["bars"]] == [4000, 1000]
    assert perf["views_chart"]["reference"]["text"] == "median 2,500"
    assert [b["value"] for b in perf["rate_chart"]["bars"]] == [2.5, 10.0]  # per view
    assert perf["words"][0] == "Median views 2,500 over the 2 recent posts that show views."


def test_paid_posts_are_set_apart_in_the_bars():
    s = snap("tiktok", [post("x", "2026-02-02T10:00:00Z", views=10, likes=1, is_sponsored=True),
                        post("y", "2026-02-01T10:00:00Z", views=20, likes=1, is_sponsored=False)])
    perf = facts.performance(s)
    assert [b["marked"] for b in perf["views_chart"]["bars"]] == [False, True] and perf["paid_marked"]


def test_rhythm_with_exact_dates():
    # Mon 2 Feb, Wed 4 Feb, Mon 9 Feb, Mon 16 Feb 2026: gaps of 2.5, 4.5 and 7.6 days over 14.5
    times = ["2026-02-02T08:15:00Z", "2026-02-04T19:40:10Z", "2026-02-09T07:05:00Z", "2026-02-16T21:30:30Z"]
    r = facts.rhythm(snap("x", [post(str(i), t) for i, t in enumerate(times)]), NOW)
    assert r["dated"] == 4 and r["median_gap_days"] == 4.5  # the middle gap: 4 Feb 19:40 -> 9 Feb 07:05
    assert r["per_week"] == round(3 / ((14 * 86400 + 13 * 3600 + 15 * 60 + 30) / 86400) * 7, 1) == 1.4
    assert r["weekdays"] == {"Mon": 3, "Tue": 0, "Wed": 1, "Thu": 0, "Fri": 0, "Sat": 0, "Sun": 0}
    assert [b["value"] for b in r["chart"]["bars"]] == [3, 0, 1, 0, 0, 0, 0]
    assert r["last_post"] == "2026-02-16" and r["days_since_capture"] == 3 and r["days_today"] == 12
    words = " ".join(r["words"])
    assert "1.4 posts a week over the last 4 posts (14.6 days)." in words
    assert "Last post on 2026-02-16: 3 days before this capture, 12 days ago today." in words
    assert "4.5 days between posts on median." in words
    assert "Most posts on a Mon" in words


def test_rhythm_of_bursts_says_so():
    # a thread of three posts an hour apart each week, for three weeks: the median gap (1 hour) alone
    # would read "posts every hour"
    times = [f"2026-02-{d:02d}T{h:02d}:{m:02d}:00Z" for d in (2, 9, 16) for h, m in ((9, 1), (10, 2), (11, 3))]
    r = facts.rhythm(snap("x", [post(str(i), t) for i, t in enumerate(times)]), NOW)
    assert r["median_gap_days"] == 0.0
    assert "Posts come in bursts: 1 hour between posts on median, 1.8 days on average." in r["words"]


@pytest.mark.parametrize(("days", "said"), [(0.01, "under an hour"), (1 / 24, "1 hour"), (0.25, "6 hours"),
                                            (1.0, "1 day"), (2.54, "2.5 days"), (10.0, "10 days")])
def test_gap_text(days, said):
    assert facts.gap_text(days) == said


def test_rhythm_with_approximate_dates_leaves_out_the_weekdays():
    # "1 week ago", "2 weeks ago"...: every post at the capture's time of day
    times = ["2026-02-13T12:00:00Z", "2026-02-06T12:00:00Z", "2026-01-30T12:00:00Z"]
    r = facts.rhythm(snap("youtube", [post(str(i), t) for i, t in enumerate(times)]), NOW)
    assert r["chart"] is None and "weekdays" not in r
    assert "dates look approximate" in " ".join(r["words"]) and r["median_gap_days"] == 7.0


def test_rhythm_without_dates_says_so():
    r = facts.rhythm(snap("x", [post("a", None)]), NOW)
    assert r["chart"] is None and r["words"] == ["The capture shows no dated posts, so no posting rhythm."]
    one = facts.rhythm(snap("x", [post("a", "2026-02-20T12:00:00Z")]), NOW)
    assert one["words"] == ["Last post on 2026-02-20: the same day before this capture, 9 days ago today.",
                            "One dated post: no rhythm yet."]


def test_paid_posts_name_their_brands_and_share():
    s = snap("instagram", [
        post("a", "2026-02-01T10:00:00Z", title="New shoes #ad @nike", is_sponsored=True, mentions=["nike", "someone"],
             hashtags=["ad"], url="https://www.instagram.com/p/a/"),
        post("b", "2026-02-03T10:00:00Z", title="Morning run with @nike", is_sponsored=False, mentions=["nike"]),
        post("c", "2026-02-05T10:00:00Z", title="Thanks to Adidas for sponsoring", mentions=["nike"]),
        post("d", "2026-02-07T10:00:00Z", title="javascript:alert(1)", is_sponsored=True, url="javascript:alert(1)"),
    ])
    p = facts.paid(s)
    assert (p["count"], p["total"], p["share"]) == (3, 4, 0.75)
    assert p["words"] == "3 of the 4 recent posts are paid (75%)."
    assert [i["date"] for i in p["items"]] == ["2026-02-07", "2026-02-05", "2026-02-01"]  # newest first
    oldest = p["items"][-1]
    # the @mention of a paid post names its brand; the creator's own handle and #ad do not
    assert [(b["name"], b["how"]) for b in oldest["brands"]] == [("nike", "an @mention in a paid post")]
    assert oldest["url"] == "https://www.instagram.com/p/a/" and p["items"][0]["url"] is None
    # told paid by its words alone (no flag): the words name the brand, its unpaid-looking @mention does not
    assert [(b["name"], b["how"]) for b in p["items"][1]["brands"]] == [("Adidas", "the post's words")]
    assert p["items"][0]["brands"] == []
    # over every recent post, the most recent first; an unpaid post's @nike is no brand
    assert [(b["name"], b["count"]) for b in p["brands"]] == [("Adidas", 1), ("nike", 1)]
    assert facts.paid(snap("x", []))["words"] == "The capture shows no posts, so no paid share."


def test_refresh_history_newest_first_in_words():
    ok = {"status": "ok", "code": None, "reason": None, "at": "2026-11-28T09:00:00.123Z"}
    failed = {"status": "error", "code": "network",
              "reason": "Page.goto: net::ERR_NAME_NOT_RESOLVED at https://www.youtube.com/@x", "at": "2026-11-29T14:05:59Z"}
    rows = facts.refresh_history({"platform": "youtube", "refresh": {"log": [ok, failed]}})
    assert [r["at"] for r in rows] == ["2026-11-29 14:05", "2026-11-28 09:00"]
    # said by server.plain (its wording is plain.py's business), never the browser's error text
    assert [r["words"] for r in rows] == [refresh_words(failed, "youtube"), refresh_words(ok, "youtube")]
    assert "Could not reach" in rows[0]["words"] and "ERR_" not in rows[0]["words"]
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert facts.refresh_history({"platform": "x", "refresh": {}}) == []


def test_heading_of_handle_and_id_keyed_creators():
    assert facts.heading({"platform": "x", "handle": "bo_runs", "display_name": "Bo Runs"}) == {
        "name": "Bo Runs", "sub": "@bo_runs · X", "by_id": False}
    assert facts.heading({"platform": "x", "handle": "bo_runs", "display_name": None})["name"] == "@bo_runs"
    bili = facts.heading({"platform": "bilibili", "handle": "349991143", "display_name": "Mea"})
    assert bili == {"name": "Mea", "sub": "Bilibili account 349991143", "by_id": True}
    yt = facts.heading({"platform": "youtube", "handle": "UCsXVk37bltHxD1rDPwtNM8Q",
                        "platform_id": "UCsXVk37bltHxD1rDPwtNM8Q", "display_name": None})
    assert yt["name"] == "YouTube account UCsXVk37bltHxD1rDPwtNM8Q" and "@" not in yt["sub"]
