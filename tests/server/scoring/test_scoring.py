"""Scores on synthetic snapshots: each factor moves the way a marketer expects, and odd data never raises."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from scraper.models import Snapshot
from server.scoring import TIERS, Brief, history_point, score, tier_for
from server.scoring.bands import band_for, load_bands
from server.scoring.language import detect_many
from tests.server.scoring.scoring_builders import NOW, creator, history_series, with_followers


def factor(result: dict, part: str, key: str) -> dict:
    return next(f for f in result[part]["factors"] if f["key"] == key)


def test_result_shape_and_no_brief() -> None:
    r = score(creator(), now=NOW)
    assert set(r) >= {"tier", "engagement_rate", "fit", "authenticity", "summary", "followers"}
    assert r["tier"] == "micro" and r["followers"] == 40_000
    assert r["fit"]["score"] is None and r["fit"]["grade"] is None
    assert "brief" in r["fit"]["reason"].lower() and "brief" in r["summary"]["fit"].lower()
    auth = r["authenticity"]
    assert 0 <= auth["score"] <= 100 and auth["grade"] in "ABCDF" and auth["confidence"] in ("low", "medium", "high")
    for part in ("fit", "authenticity"):
        for f in r[part]["factors"]:
            assert set(f) == {"key", "label", "score", "weight", "value", "reason"}
            assert f["reason"] and (f["score"] is None or 0 <= f["score"] <= 100)
    assert r["summary"]["authenticity"]
    json.dumps(r)  # JSON-serialisable as the API returns it


def test_authentic_creator_scores_well_with_high_confidence() -> None:
    r = score(creator(), now=NOW, history=history_series(creator()))
    assert r["authenticity"]["score"] >= 80, r["authenticity"]
    assert r["authenticity"]["confidence"] == "high"


def test_accepts_snapshot_object_and_dict_alike() -> None:
    d = creator()
    assert score(Snapshot.from_dict(d), now=NOW) == score(d, now=NOW)


def test_pure_same_input_same_output() -> None:
    d = creator()
    assert score(d, now=NOW.isoformat()) == score(d, now=NOW)


def test_inflated_followers_lose_authenticity() -> None:
    base = creator(platform="instagram")
    inflated = with_followers(base, 20)
    a, b = score(base, now=NOW), score(inflated, now=NOW)
    assert b["authenticity"]["score"] < a["authenticity"]["score"] - 15
    assert factor(b, "authenticity", "engagement")["score"] < 40
    # on a per-view platform the engagement rate does not see it, views per follower does
    tt = creator(platform="tiktok")
    a, b = score(tt, now=NOW), score(with_followers(tt, 20), now=NOW)
    vpf_a, vpf_b = factor(a, "authenticity", "views_per_follower"), factor(b, "authenticity", "views_per_follower")
    assert vpf_a["score"] == 100 and vpf_b["score"] < 60 and "fewer" in vpf_b["reason"]
    assert b["authenticity"]["score"] < a["authenticity"]["score"]


def test_implausibly_high_engagement_is_flagged() -> None:
    s = creator()
    for p in s["recent_posts"]:
        p["likes"] *= 12
    f = factor(score(s, now=NOW), "authenticity", "engagement")
    assert f["score"] < 60 and "pods" in f["reason"]


def test_uniform_ratios_flagged() -> None:
    s = creator()
    for p in s["recent_posts"]:
        p["likes"] = int(p["views"] * 0.05)
        p["comments"] = int(p["likes"] * 0.03)
    assert factor(score(s, now=NOW), "authenticity", "uniformity")["score"] <= 20
    assert factor(score(creator(), now=NOW), "authenticity", "uniformity")["score"] == 100


def test_follow_ratio() -> None:
    s = creator()
    s["following"] = s["followers"] * 3
    assert factor(score(s, now=NOW), "authenticity", "follow_ratio")["score"] <= 20


def test_brief_from_own_titles_fits_better_than_unrelated() -> None:
    s = creator()
    own = {"name": "Running shoes", "keywords": ["trail running", "marathon", "running shoes"], "languages": ["en"]}
    other = {"name": "Crypto", "keywords": ["bitcoin", "blockchain", "forex"], "languages": ["en"]}
    a, b = score(s, brief=own, now=NOW), score(s, brief=other, now=NOW)
    assert a["fit"]["score"] > b["fit"]["score"] + 30
    assert factor(a, "fit", "niche")["score"] >= 90 and factor(b, "fit", "niche")["score"] == 0
    assert "Running shoes" in a["summary"]["fit"]


def test_language_and_country_fit() -> None:
    s = creator()
    en = score(s, brief={"name": "x", "languages": ["en"], "countries": ["DE"]}, now=NOW)
    de = score(s, brief={"name": "x", "languages": ["de"], "countries": ["FR"]}, now=NOW)
    assert factor(en, "fit", "language")["score"] == 100
    assert factor(de, "fit", "language")["score"] <= 10
    # the bio's 🇩🇪 flag places the creator in Germany
    assert factor(en, "fit", "country")["score"] == 100 and factor(de, "fit", "country")["score"] == 20


def test_non_latin_comments_language() -> None:
    s = creator()
    zh = ["这双跑鞋我穿了三个月，非常舒服", "请问你马拉松训练每周跑多少公里", "下雨天跑步的外套推荐得太好了"]
    ru = ["Отличный обзор кроссовок, спасибо большое", "Какие часы ты используешь для бега?"]
    for i, c in enumerate(s["comments"]):
        c["text"] = (zh + ru)[i % 5]
    r = score(s, brief={"name": "cn", "languages": ["zh"], "countries": ["CN"]}, now=NOW)
    langs = factor(r, "fit", "language")["value"]["languages"]
    assert set(langs) == {"zh", "ru"} and langs["zh"] > langs["ru"]
    assert detect_many(["สวัสดีครับ วันนี้ไปวิ่งมา", "오늘 마라톤 완주했어요", "今日はトレイルを走りました", "🔥🔥", "lol"]) == \
        ["th", "ko", "ja", None, None]


def test_tier_and_size_fit() -> None:
    s = creator(followers=40_000)
    assert factor(score(s, brief={"name": "a", "tiers": ["micro"]}, now=NOW), "fit", "size")["score"] == 100
    assert factor(score(s, brief={"name": "a", "tiers": ["mid"]}, now=NOW), "fit", "size")["score"] == 50
    assert factor(score(s, brief={"name": "a", "tiers": ["mega"]}, now=NOW), "fit", "size")["score"] < 50
    assert factor(score(s, brief={"name": "a", "followers_min": 400_000}, now=NOW), "fit", "size")["score"] < 30


def test_tiers_configurable() -> None:
    assert [n for n, _ in TIERS] == ["nano", "micro", "mid", "macro", "mega"]
    assert tier_for(9_999) == "nano" and tier_for(10_000) == "micro" and tier_for(1_000_000) == "mega"
    assert tier_for(None) is None
    custom = {"small": 0, "big": 50_000}
    assert score(creator(followers=60_000), now=NOW, tiers=custom)["tier"] == "big"
    with pytest.raises(ValueError):
        tier_for(5, {"bad": -1})


def test_blocked_terms_and_platform_cap_fit() -> None:
    s = creator()
    ok = {"name": "r", "keywords": ["running"], "languages": ["en"]}
    blocked = dict(ok, blocked_terms=["marathon"])
    wrong = dict(ok, platforms=["youtube"])
    assert score(s, brief=ok, now=NOW)["fit"]["score"] > 80
    assert score(s, brief=blocked, now=NOW)["fit"]["score"] <= 20
    assert score(s, brief=wrong, now=NOW)["fit"]["score"] <= 30


def test_engagement_and_sponsored_limits() -> None:
    s = creator()
    for p in s["recent_posts"][:6]:
        p["is_sponsored"] = True
    r = score(s, brief={"name": "b", "min_engagement_rate": 0.5, "max_sponsored_ratio": 0.2}, now=NOW)
    assert factor(r, "fit", "engagement")["score"] < 20
    assert factor(r, "fit", "sponsored")["score"] < 50
    assert factor(r, "authenticity", "ad_load")["score"] <= 45


def test_spam_comments_lower_interaction() -> None:
    clean = creator()
    spam = copy.deepcopy(clean)
    for i, c in enumerate(spam["comments"]):
        if i % 2 == 0 and not c["is_creator"]:
            c["text"] = "Check my profile for free followers 🔥 https://spam.example/xyz"
    generic = copy.deepcopy(clean)
    for c in generic["comments"]:
        if not c["is_creator"]:
            c["text"] = "🔥🔥🔥"
    a = factor(score(clean, now=NOW), "authenticity", "interaction")
    b = factor(score(spam, now=NOW), "authenticity", "interaction")
    c = factor(score(generic, now=NOW), "authenticity", "interaction")
    assert a["score"] >= 90 and b["score"] < a["score"] - 40 and c["score"] < a["score"] - 40
    assert b["value"]["spam"] >= 10 and "spam" in b["reason"]


def test_duplicate_comments_and_returning_fans() -> None:
    s = creator()
    a = factor(score(s, now=NOW), "authenticity", "interaction")
    assert a["value"]["returning_commenters"] > 0 and a["value"]["creator_replies"] == 1
    dup = copy.deepcopy(s)
    for i, c in enumerate(dup["comments"]):
        c["author"] = f"bot{i}"
        if not c["is_creator"]:
            c["text"] = "Amazing content, keep going with these videos!!"
    b = factor(score(dup, now=NOW), "authenticity", "interaction")
    assert b["value"]["duplicate"] >= 25 and b["score"] < a["score"] - 30


def test_history_spike_flagged_smooth_growth_not() -> None:
    s = creator()
    smooth = score(s, now=NOW, history=history_series(s))
    spiky = score(s, now=NOW, history=history_series(s, spike_at=30, spike=0.4))
    g1, g2 = factor(smooth, "authenticity", "growth"), factor(spiky, "authenticity", "growth")
    assert g1["score"] == 100 and not g1["value"]["spikes"]
    assert g2["score"] <= 25 and len(g2["value"]["spikes"]) == 1 and "without matching views" in g2["reason"]
    assert spiky["authenticity"]["score"] < smooth["authenticity"]["score"]


def test_spike_matched_by_views_is_not_flagged() -> None:
    s = creator()
    hist = history_series(s, spike_at=30, spike=0.4)
    for h in hist:  # views jump with the followers: a viral post
        if h["captured_at"] > (NOW - timedelta(days=30)).isoformat():
            for p in h["recent_posts"]:
                p["views"] *= 3
    for p in s["recent_posts"]:
        p["views"] *= 3
    g = factor(score(s, now=NOW, history=hist), "authenticity", "growth")
    assert not g["value"]["spikes"] and g["value"]["spikes_explained_by_views"] == 1


def test_history_accepts_points_and_any_order() -> None:
    s = creator()
    hist = history_series(s, spike_at=30, spike=0.4)
    points = [history_point(h) for h in reversed(hist)]
    full = score(s, now=NOW, history=hist)
    assert factor(score(s, now=NOW, history=points), "authenticity", "growth") == factor(full, "authenticity", "growth")


def test_history_point_is_small() -> None:
    s = creator(posts=50)
    for p in s["recent_posts"]:
        p["id"] = "x" * 200
        p["hashtags"] = ["a" * 80] * 30
        p["title"] = "very long title " * 100
    point = history_point(s)
    assert len(json.dumps(point)) < 2000
    assert point["followers"] == s["followers"] and len(point["recent_posts"]) == 6
    assert len(json.dumps(history_point(creator()))) < 1600  # a typical point (with its commenters' ids)
    assert {"captured_at", "followers", "following", "posts", "likes", "views"} <= set(point)


def test_sudden_sponsored_push_flagged() -> None:
    s = creator(posts=12)
    hist_posts = creator(posts=12)["recent_posts"]
    for p in s["recent_posts"][:5]:  # the newest five are paid, none before
        p["is_sponsored"] = True
    f = factor(score(s, now=NOW), "authenticity", "sponsored_push")
    assert f["score"] <= 30 and "sudden" in f["reason"]
    steady = creator(posts=12)
    for p in steady["recent_posts"][::4]:
        p["is_sponsored"] = True
    assert factor(score(steady, now=NOW), "authenticity", "sponsored_push")["score"] == 100
    assert hist_posts  # (builder sanity)


def test_sponsored_detected_from_caption_when_flag_missing() -> None:
    s = creator()
    for p in s["recent_posts"]:
        p["is_sponsored"] = None
    s["recent_posts"][0]["title"] = "New shoes from Brand #ad"
    s["recent_posts"][0]["hashtags"] = ["ad"]
    f = factor(score(s, now=NOW), "authenticity", "ad_load")
    assert f["value"]["sponsored"] == 1


def test_cadence_inactive_and_junk() -> None:
    s = creator()
    late = NOW + timedelta(days=200)
    # Scored later, the capture still shows an active creator: nothing after it is known.
    assert factor(score(s, now=late), "authenticity", "cadence")["score"] == 100
    # A capture taken 200 days after the last post shows an inactive one.
    s["captured_at"] = late.isoformat()
    assert factor(score(s, now=late), "authenticity", "cadence")["score"] <= 20
    junk = creator()
    for p in junk["recent_posts"]:
        p["title"] = "GIVEAWAY follow4follow like4like"
    assert factor(score(junk, now=NOW), "authenticity", "content_quality")["score"] == 0


def test_audience_sample_fake_share() -> None:
    s = creator()
    real = {"username": "runner_anna", "followers": 420, "following": 380, "posts": 120, "has_profile_pic": True}
    fake = {"username": "user84729163", "followers": 2, "following": 4800, "posts": 0, "has_profile_pic": False}
    s["audience_sample"] = [real] * 18 + [fake] * 2
    clean = factor(score(s, now=NOW), "authenticity", "audience")
    s["audience_sample"] = [real] * 8 + [fake] * 12
    bad = factor(score(s, now=NOW), "authenticity", "audience")
    assert clean["score"] == 100 and bad["score"] < 30 and bad["value"]["fake_share"] == 0.6


def test_missing_data_withholds_factors_and_lowers_confidence() -> None:
    full = score(creator(), now=NOW, history=history_series(creator()))
    bare = creator(posts=0, comments=0)
    bare["following"] = None
    thin = score(bare, now=NOW)
    withheld = [f for f in thin["authenticity"]["factors"] if f["score"] is None]
    assert len(withheld) >= 8 and all(f["reason"].startswith("Withheld") for f in withheld)
    assert thin["authenticity"]["confidence"] == "low" and full["authenticity"]["confidence"] == "high"
    assert thin["authenticity"]["score"] is None  # nothing left to judge on


def test_brief_model_validates() -> None:
    b = Brief.model_validate({"name": "x", "languages": ["EN", " de "], "countries": ["us"], "tiers": ["Micro"]})
    assert b.languages == ["en", "de"] and b.countries == ["US"] and b.tiers == ["micro"]
    for bad in ({"languages": ["eng"]}, {"countries": ["USA"]}, {"tiers": ["huge"]}, {"min_engagement_rate": 3},
                {"followers_min": 10, "followers_max": 5}, {"platforms": ["myspace"]}, {"unknown": 1}):
        with pytest.raises(ValidationError):
            Brief.model_validate({"name": "x", **bad})
    with pytest.raises(ValidationError):
        Brief.model_validate({"keywords": ["a"]})  # name is required
    with pytest.raises(ValueError):
        score(creator(), brief={"name": "x", "languages": ["english"]}, now=NOW)


def test_bands_have_source_and_formula() -> None:
    bands = load_bands()
    for platform in ("instagram", "tiktok", "youtube", "x"):
        spec = bands["platforms"][platform]
        assert spec["source"] and spec["formula"] and spec["basis"] in ("followers", "views")
        for b in spec["bands"]:
            assert 0 < b["low"] <= b["typical_low"] <= b["typical_high"] <= b["high"] < 1
        for followers in (0, 9_999, 50_000, 2_000_000_000):
            assert band_for(platform, followers) is not None


odd = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KEYS = ["platform", "handle", "followers", "following", "posts", "views", "likes", "recent_posts", "comments",
        "audience_sample", "captured_at", "bio", "country", "approximate"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(KEYS), odd, max_size=8), st.integers(0, 11), odd)
def test_odd_data_never_raises(garbage: dict, post_index: int, value) -> None:
    s = creator(posts=12, comments=10)
    s.update(garbage)
    if isinstance(s.get("recent_posts"), list) and s["recent_posts"] and isinstance(s["recent_posts"][0], dict):
        p = s["recent_posts"][post_index % len(s["recent_posts"])]
        if isinstance(p, dict):
            p[["views", "likes", "comments", "published_at", "title", "hashtags", "is_sponsored", "id"][post_index % 8]] = value
    r = score(s, brief={"name": "b", "keywords": ["running"], "languages": ["en"], "countries": ["DE"]},
              history=[s, {"captured_at": "garbage"}, None, 5], now=NOW)
    json.dumps(r)
    history_point(s)
