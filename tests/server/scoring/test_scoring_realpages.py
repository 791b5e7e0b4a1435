"""Scores over the real captured pages, and over snapshots built from them."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest

from scraper import parse
from server.scoring import history_point, score
from scraper.times import parse_time
from tests.conftest import creator_cases_or_placeholder, load_case


def _snapshot(case: str) -> dict:
    capture, _ = load_case(case)
    return parse(capture).to_dict()


def _factor(result: dict, part: str, key: str) -> dict:
    return next(f for f in result[part]["factors"] if f["key"] == key)


@pytest.mark.realpages
@pytest.mark.parametrize("case", creator_cases_or_placeholder())
def test_every_real_page_scores(case: str) -> None:
    snap = _snapshot(case)
    now = snap["captured_at"] or "2026-01-01T00:00:00Z"
    r = score(snap, now=now)
    json.dumps(r)
    assert r["followers"] == snap["followers"]
    for part in ("fit", "authenticity"):
        assert r[part]["confidence"] in ("low", "medium", "high")
        for f in r[part]["factors"]:
            assert f["reason"]
    point = history_point(snap)
    assert len(json.dumps(point)) < 2000


@pytest.mark.realpages
@pytest.mark.parametrize("case", ["x/x_profile_TwitterDev_2023-04", "tiktok/tt_profile_dylanlemay_2023-02_sigi"])
def test_real_creator_inflated_20x_loses_authenticity(case: str) -> None:
    snap = _snapshot(case)
    inflated = copy.deepcopy(snap)
    inflated["followers"] = snap["followers"] * 20
    a = score(snap, now=snap["captured_at"])
    b = score(inflated, now=snap["captured_at"])
    assert a["authenticity"]["score"] is not None
    assert b["authenticity"]["score"] < a["authenticity"]["score"] - 8, (a["summary"], b["summary"])
    # per-follower platforms see it in the engagement rate, per-view ones in views per follower
    assert min(_factor(b, "authenticity", k)["score"] for k in ("engagement", "views_per_follower")) < 40


@pytest.mark.realpages
@pytest.mark.parametrize("case", ["x/x_profile_TwitterDev_2023-04", "youtube/yt_channel_kurzgesagt_2026-01",
                                  "tiktok/tt_profile_dylanlemay_2023-02_sigi"])
def test_brief_from_own_titles_fits_better(case: str) -> None:
    snap = _snapshot(case)
    own = score(snap, now=snap["captured_at"], brief={"name": "own", "keywords": _own_keywords(snap)})
    other = score(snap, now=snap["captured_at"], brief={"name": "other", "keywords": ["lipstick", "mascara", "skincare"]})
    assert own["fit"]["score"] > other["fit"]["score"] + 30


def _own_keywords(snap: dict) -> list[str]:
    """The creator's most frequent title words (what a marketer would type after a look at the page)."""
    from server.scoring.content import top_terms

    words = [t for t in top_terms([p.get("title") for p in snap["recent_posts"]], k=12) if t.isalpha() and len(t) > 3]
    assert words, "no title words on this page"
    return words[:4]


@pytest.mark.realpages
def test_real_history_spike_flagged_smooth_not() -> None:
    snap = _snapshot("x/x_profile_TwitterDev_2023-04")
    when = parse_time(snap["captured_at"])

    def series(spike: bool) -> list[dict]:
        out = []
        for days in range(40, 0, -5):
            h = copy.deepcopy(snap)
            h["captured_at"] = (when - timedelta(days=days)).isoformat()
            factor = 1 - 0.001 * days
            if spike and days > 20:
                factor *= 0.7  # 30% fewer followers before a jump 20 days ago
            h["followers"] = int(snap["followers"] * factor)
            out.append(history_point(h))
        return out

    smooth = _factor(score(snap, now=snap["captured_at"], history=series(False)), "authenticity", "growth")
    spiky = _factor(score(snap, now=snap["captured_at"], history=series(True)), "authenticity", "growth")
    assert smooth["score"] == 100 and spiky["score"] <= 25


@pytest.mark.realpages
def test_real_followers_list_feeds_audience_factor() -> None:
    snap = _snapshot("x/x_followers_latest")
    f = _factor(score(snap, now=snap["captured_at"]), "authenticity", "audience")
    assert f["score"] is not None and f["value"]["sample"] == len(snap["audience_sample"])
    assert 0 <= f["value"]["fake_share"] <= 1 and "sampled followers" in f["reason"]


@pytest.mark.realpages
def test_real_comments_feed_interaction_and_language() -> None:
    snap = _snapshot("youtube/yt_watch_QqsLTNkzvaY_2026-01")
    r = score(snap, now=snap["captured_at"], brief={"name": "en", "languages": ["en"]})
    inter = _factor(r, "authenticity", "interaction")
    assert inter["score"] is not None and inter["value"]["comments"] >= 8
    lang = _factor(r, "fit", "language")
    assert lang["value"]["source"] == "comments" and "en" in lang["value"]["languages"]
    spam = copy.deepcopy(snap)
    for i, c in enumerate(spam["comments"]):
        if i % 2 == 0:
            c["text"] = "Check my channel for free gift cards https://spam.example"
    assert _factor(score(spam, now=snap["captured_at"]), "authenticity", "interaction")["score"] < inter["score"] - 30
