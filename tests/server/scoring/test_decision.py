"""The decision numbers (server/scoring/decision.py): engagement rate, median views, last post or
inactive, the brands of paid posts."""

from __future__ import annotations

import pytest

from server.scoring import engagement_rate
from server.scoring.decision import INACTIVE_DAYS, decision_numbers, paid_brands


def snap(posts: list[dict], **kw) -> dict:
    base = {"platform": "instagram", "handle": "runner_bo", "followers": 10_000,
            "captured_at": "2025-06-30T12:00:00Z", "recent_posts": posts}
    base.update(kw)
    return base


POSTS = [
    {"id": "1", "likes": 300, "comments": 20, "views": 5000, "published_at": "2025-06-20T10:00:00Z",
     "is_sponsored": True, "mentions": ["ShoeCo", "runner_bo", "GelBrand"]},
    {"id": "2", "likes": 200, "comments": 10, "views": 3000, "published_at": "2025-06-25T10:00:00Z",
     "is_sponsored": True, "mentions": ["shoeco"]},
    {"id": "3", "likes": 100, "comments": 5, "views": None, "published_at": "2025-06-10T10:00:00Z",
     "is_sponsored": False, "mentions": ["a_friend"]},
    {"id": "4", "likes": 150, "comments": 0, "views": 4000, "published_at": None, "is_sponsored": None,
     "mentions": ["NotPaid"]},
]


def test_every_number_from_one_snapshot():
    d = decision_numbers(snap(POSTS))
    er, info = engagement_rate(snap(POSTS))
    assert d["engagement_rate"] == round(er, 5) and d["engagement_rate_percent"] == round(er * 100, 2)
    assert d["engagement_basis"] == info["basis"] and d["engagement_posts"] == 4
    assert d["median_views"] == 4000 and d["median_views_posts"] == 3  # a post without views is left out
    assert d["last_post_at"] == "2025-06-25T10:00:00Z" and d["days_since_last_post"] == 5
    assert d["inactive"] is False
    # brands: mentions in sponsored posts only, counted once per post, case-folded, own handle left out
    assert d["paid_posts"] == 2
    assert d["paid_brands"] == [{"name": "ShoeCo", "posts": 2}, {"name": "GelBrand", "posts": 1}]


@pytest.mark.parametrize(("last", "inactive", "days"), [
    ("2025-06-29T12:00:00Z", False, 1),
    ("2025-04-30T12:00:00Z", False, 61),
    ("2025-04-01T12:00:00Z", False, INACTIVE_DAYS),  # exactly 90 days: still active
    ("2025-03-31T11:00:00Z", True, 91),
    ("2024-01-01T00:00:00Z", True, 546),
])
def test_inactive_after_90_days_without_a_post(last, inactive, days):
    d = decision_numbers(snap([{"id": "1", "published_at": last}]))
    assert (d["inactive"], d["days_since_last_post"], d["last_post_at"]) == (inactive, days, last)


def test_as_of_a_given_time_instead_of_the_capture():
    d = decision_numbers(snap([{"id": "1", "published_at": "2025-06-29T12:00:00Z"}]), now="2025-12-01T00:00:00Z")
    assert d["inactive"] is True and d["days_since_last_post"] == 154


def test_what_the_capture_does_not_show_is_none_not_zero():
    d = decision_numbers(snap([]))
    assert d == {"engagement_rate": None, "engagement_rate_percent": None, "engagement_basis": "followers",
                 "engagement_posts": 0, "median_views": None, "median_views_posts": 0, "last_post_at": None,
                 "days_since_last_post": None, "inactive": None, "paid_posts": 0, "paid_brands": []}
    # no capture time and no `now`: the date of the last post, but no judgement on activity
    d = decision_numbers(snap([{"id": "1", "published_at": "2025-06-29T12:00:00Z"}], captured_at=None))
    assert d["last_post_at"] == "2025-06-29T12:00:00Z" and d["inactive"] is None


@pytest.mark.parametrize("odd", [None, "text", 5, {"recent_posts": "x"}, {"recent_posts": [None, 3, "p"]},
                                 {"platform": "x", "recent_posts": [{"mentions": [None, 3, "@", "@Brand"],
                                                                     "is_sponsored": True, "views": "many",
                                                                     "published_at": "yesterday"}]}])
def test_odd_snapshots_give_empty_numbers_not_exceptions(odd):
    d = decision_numbers(odd)
    assert d["median_views"] is None and d["last_post_at"] is None
    if isinstance(odd, dict) and odd.get("platform") == "x":
        assert d["paid_brands"] == [{"name": "Brand", "posts": 1}]


def test_brands_are_capped_and_ranked():
    posts = [{"is_sponsored": True, "mentions": [f"brand{i:02d}" for i in range(k)]} for k in range(1, 16)]
    ranked = paid_brands(posts)
    assert len(ranked) == 10
    assert ranked[0] == {"name": "brand00", "posts": 15} and ranked[-1] == {"name": "brand09", "posts": 6}


def test_from_a_snapshot_object_too():
    from scraper.models import Post, Snapshot

    s = Snapshot(platform="youtube", handle="chan", followers=1000, captured_at="2025-06-30T00:00:00Z",
                 recent_posts=[Post(id="a", views=100, published_at="2025-06-01T00:00:00Z", is_sponsored=True,
                                    mentions=["Sponsor"])])
    d = decision_numbers(s)
    assert d["median_views"] == 100 and d["paid_brands"] == [{"name": "Sponsor", "posts": 1}]
