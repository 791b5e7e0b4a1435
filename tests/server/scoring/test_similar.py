"""Creators like this one (server/scoring/similar.py): a same-topic creator ranks above an off-topic
one on real YouTube and X pages, each result says why, candidates count by the path that found them."""

from __future__ import annotations

from scraper import parse
from server.scoring import score
from server.scoring.similar import compare, similar
from tests.conftest import REALPAGES, load_recorded


def summary_of(folder: str, case: str) -> dict:
    capture, _ = load_recorded(REALPAGES / folder, case, f"real pages not found at {REALPAGES}")
    snap = parse(capture).to_dict()
    scores = score(snap)
    return {"platform": snap["platform"], "key": case, "handle": snap.get("handle"), "display_name": snap.get("display_name"),
            "tier": scores["tier"], "followers": snap.get("followers"), "country": snap.get("country"),
            "traits": scores["traits"]}


def ranked(target: dict, others: list[dict]) -> list[str]:
    return [r["key"] for r in similar(target, others, limit=50)]


def test_a_science_channel_ranks_a_science_channel_above_gaming_and_news():
    target = summary_of("youtube", "yt_channel_kurzgesagt_2026-01")
    science = summary_of("youtube", "yt_channel_vsauce_2021-07")
    gaming = summary_of("youtube", "yt_channel_gronkh_2024-04")
    news = summary_of("youtube", "yt_channel_nbcnews_2021-02_pbj")
    order = ranked(target, [gaming, news, science])
    assert order[0] == science["key"]
    best = similar(target, [gaming, news, science])[0]
    assert "astronomy" in best["why"] and "English audience" in best["why"]
    assert compare(target, science)["score"] > compare(target, gaming)["score"]


def test_an_x_developer_account_ranks_another_above_a_food_creator():
    target = summary_of("x", "x_profile_TwitterDev_2023-04")
    dev = summary_of("x", "x_profile_XDevelopers_latest")
    food = summary_of("tiktok", "tt_profile_dylanlemay_2023-02_sigi")
    gaming = summary_of("youtube", "yt_channel_gronkh_2024-04")
    order = ranked(target, [food, gaming, dev])
    assert order[0] == dev["key"]
    assert food["key"] not in order  # nothing in common but the language: not "similar" at all


def test_the_reason_names_shared_hashtags_audience_and_tier():
    a = {"platform": "instagram", "key": "anna", "tier": "micro",
         "traits": {"hashtags": ["ultrarunning", "gearreview", "trail"], "topics": [{"name": "sport", "posts": 8}],
                    "posts_read": 10, "languages": ["de"], "country": "DE", "brands": [{"key": "salomon", "name": "Salomon"}]}}
    b = {"platform": "tiktok", "key": "ben", "tier": "micro",
         "traits": {"hashtags": ["gearreview", "ultrarunning"], "topics": [{"name": "sport", "posts": 5}],
                    "posts_read": 6, "languages": ["de", "en"], "country": "DE", "brands": [{"key": "salomon", "name": "Salomon"}]}}
    r = compare(a, b)
    assert r["why"] == ("Shares #ultrarunning and #gearreview, posts about sport, also promoted Salomon, "
                        "German audience, in DE, micro.")
    assert r["score"] > 60 and set(r["parts"]) == {"content", "audience"}


def test_a_candidate_found_through_the_creator_counts_by_its_path():
    me = {"platform": "x", "key": "xdevelopers", "tier": "macro", "traits": {}}
    cand = {"id": "c1", "platform": "x", "key": "someone", "handle": "someone", "tier": "micro",
            "paths": [{"kind": "followers", "label": "followers of @XDevelopers on X", "via": "x/xdevelopers"}]}
    stranger = {"id": "c2", "platform": "x", "key": "other", "tier": "macro", "paths": [{"via": "x/elsewhere"}]}
    out = similar(me, [], [cand, stranger])
    assert [r["key"] for r in out] == ["someone"]
    assert out[0]["kind"] == "candidate" and out[0]["id"] == "c1" and out[0]["why"] == "Followers of @XDevelopers on X."


def test_the_creator_itself_and_odd_records_are_left_out():
    me = {"platform": "x", "key": "me", "traits": {"hashtags": ["a"]}}
    assert similar(me, [me, {"platform": "x", "key": "odd", "traits": "nope"}, {}]) == []
