"""Comment kinds: spam, emoji-only, generic praise, substantive; returning fans' words."""

from __future__ import annotations

import pytest

from server.scoring.interaction import analyse, is_loyal, kind_of


@pytest.mark.parametrize("text,kind", [
    ("Check out my channel for more!", "spam"),
    ("free followers at https://spam.example", "spam"),
    ("DM me for collab", "spam"),
    ("invest with me, crypto gains", "spam"),
    ("🔥🔥🔥", "emoji_only"),
    ("@someone 😂", "emoji_only"),
    ("Nice video", "generic"),
    ("so cute", "generic"),
    ("好看", "generic"),
    ("The part about tardigrades surviving in space blew my mind", "substantive"),
    ("Die Erklärung zur Photosynthese war richtig gut gemacht", "substantive"),
])
def test_kind_of(text, kind):
    assert kind_of(text) == kind


def test_returning_fans_and_duplicates():
    assert is_loyal("i'm here again, like every week")
    assert is_loyal("been watching you since 2015")
    assert not is_loyal("first time here")
    comments = [
        {"post_id": "a", "author": "@x", "text": "Great breakdown of the rocket engine design"},
        {"post_id": "b", "author": "@x", "text": "Another detailed look, thanks for the sources"},
        {"post_id": "a", "author": "@y", "text": "Buy cheap likes now!!!"},
        {"post_id": "b", "author": "@z", "text": "Buy cheap likes now!!!"},
        {"post_id": "a", "author": "@creator", "text": "Thanks all", "is_creator": True},
    ]
    s = analyse(comments)
    assert s["comments"] == 4 and s["creator_replies"] == 1
    assert s["returning_commenters"] == 1
    assert s["duplicate"] == 2


def test_returning_commenters_across_captures():
    """A fan seen on another post in an earlier capture is a returning commenter; one seen on the
    same post again (the same thread captured twice) is not; nor is the creator."""
    from datetime import UTC, datetime

    from server.scoring import history_point
    from server.scoring.interaction import earlier_commenters

    first = {"platform": "youtube", "handle": "c", "captured_at": "2026-01-01T00:00:00Z", "comments": [
        {"post_id": "v1", "author": "@Anna", "text": "The orbital mechanics part was so clear"},
        {"post_id": "v1", "author": "@ben", "text": "Loved the animation of the Lagrange points"},
        {"post_id": "v1", "author": "@c", "text": "Thanks!", "is_creator": True},
    ]}
    point = history_point(first)
    assert set(point["commenters"]) == {"v1"} and len(point["commenters"]["v1"].split()) == 2  # not the creator
    assert "Anna" not in str(point) and "anna" not in str(point)  # names are not kept in the history
    earlier = earlier_commenters([(datetime(2026, 1, 1, tzinfo=UTC), point)])
    later = [
        {"post_id": "v2", "author": "@anna", "text": "Back again, this one on black holes is even better"},
        {"post_id": "v1", "author": "@ben", "text": "Rewatching: the Lagrange points still amaze me"},
        {"post_id": "v2", "author": "@new_fan", "text": "Found the channel today, great explanation"},
    ]
    s = analyse(later, earlier)
    assert s["returning_from_earlier_captures"] == 1 and s["returning_commenters"] == 1  # anna, case-blind
    assert analyse(later)["returning_commenters"] == 0  # without the history nobody returns


def test_score_reads_returning_commenters_from_history():
    from server.scoring import history_point, score

    def capture(post: str, at: str, authors: list[str]) -> dict:
        return {"platform": "youtube", "handle": "c", "followers": 5000, "captured_at": at,
                "recent_posts": [{"id": post, "title": "A video about tides", "published_at": at}],
                "comments": [{"post_id": post, "author": a, "text": f"The bit about tides and the moon, {a}"}
                             for a in authors]}

    fans = [f"@fan{i}" for i in range(10)]
    earlier = capture("v1", "2026-01-01T00:00:00Z", fans[:4])
    now = capture("v2", "2026-02-01T00:00:00Z", fans)
    with_history = score(now, history=[history_point(earlier)])
    without = score(now)
    pick = lambda r: next(f for f in r["authenticity"]["factors"] if f["key"] == "interaction")  # noqa: E731
    assert pick(with_history)["value"]["returning_from_earlier_captures"] == 4
    assert pick(without)["value"]["returning_commenters"] == 0
    assert "seen on earlier captured posts" in pick(with_history)["reason"]
