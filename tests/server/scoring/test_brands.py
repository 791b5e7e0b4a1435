"""Brands a creator promoted (server/scoring/brands.py), the exclusivity factor a brief's competitors
add to fit, and the traits score() keeps: over small posts written here and over real pages."""

from __future__ import annotations

import pytest

from scraper import parse
from server.scoring import score
from server.scoring.brands import brand_key, brand_mentions, brands_of, post_brands
from tests.conftest import REALPAGES, load_recorded

KURZGESAGT = "yt_channel_kurzgesagt_2026-01"


def kurzgesagt() -> dict:
    capture, _ = load_recorded(REALPAGES / "youtube", KURZGESAGT, f"real pages not found at {REALPAGES}")
    return parse(capture).to_dict()


def names(post: dict) -> list[tuple[str, str]]:
    return [(b["name"], b["how"]) for b in post_brands(post)]


@pytest.mark.parametrize("title, expected", [
    ("This video was sponsored by Brilliant. Thanks a lot!", [("Brilliant", "words")]),
    ("Thanks to NordVPN for sponsoring today's video", [("NordVPN", "words")]),
    ("Trail day in partnership with Salomon Running", [("Salomon Running", "words")]),
    ("Mein Lauf – in Zusammenarbeit mit Adidas", [("Adidas", "words")]),
    ("Vídeo patrocinado por Natura", [("Natura", "words")]),
    ("This episode is brought to you by our friends at Squarespace.", [("Squarespace", "words")]),
    ("No sponsor here, just a walk with my friend Anna", []),
])
def test_the_creators_own_words_name_the_brand(title, expected):
    assert names({"title": title}) == expected


def test_a_paid_posts_link_mentions_and_tags_name_brands_but_an_unpaid_posts_do_not():
    post = {"title": "New shoes!", "description": "Go to https://www.salomon.com/trail for 10% off #ad #trailrunning",
            "mentions": ["salomon_running"], "hashtags": ["ad", "trailrunning"], "is_sponsored": True}
    got = names(post)
    assert ("Salomon", "link") in got and ("salomon_running", "mention") in got
    assert not any(n == "trailrunning" for n, _ in got)  # a subject the topic lexicon knows, not a sponsor
    assert ("hokaone", "hashtag") in names({**post, "hashtags": ["hokaone"], "mentions": []})
    assert not any(n == "ad" for n, _ in got)  # a disclosure tag says a post is paid, not who paid
    assert names({**post, "is_sponsored": None}) == []


def test_links_that_name_no_brand_and_sentence_ends_are_not_brands():
    post = {"description": "Sources: https://sites.google.com/view/x and https://youtu.be/abc, patreon.com/me. "
                           "Get a life.Thanks for watching", "is_sponsored": True}
    assert names(post) == []


def test_the_platforms_sponsor_tags_come_first_and_each_brand_once():
    post = {"title": "sponsored by Gymshark", "sponsors": ["gymshark"], "is_sponsored": True,
            "mentions": ["gymshark"], "description": "https://gymshark.com/anna"}
    assert names(post) == [("gymshark", "platform")]


def test_brand_keys_ignore_case_punctuation_and_domain_endings():
    assert brand_key("Brilliant") == brand_key("brilliant.org") == brand_key("@Brilliant") == "brilliant"
    assert brand_key("Salomon Running") == brand_key("salomon_running")


def test_the_creators_own_site_is_not_a_sponsor():
    snap = {"handle": "kurzgesagt", "display_name": "Kurzgesagt", "recent_posts": [
        {"id": "a", "is_sponsored": True, "description": "Shop: https://shop.kurzgesagt.org", "published_at": "2026-01-01T00:00:00Z"}]}
    assert brand_mentions(snap) == []


def test_odd_data_gives_no_brand_and_no_error():
    for snap in ({}, {"recent_posts": True}, {"recent_posts": [None, 3, {"title": 5, "sponsors": "x", "mentions": [None]}]}):
        assert brands_of(snap) == []


# -- the real page the issue names -----------------------------------------------------------------------

def test_kurzgesagts_paid_videos_name_their_sponsors_with_dates():
    snap = kurzgesagt()
    brands = {b["name"]: b for b in brands_of(snap)}
    assert {"Brilliant", "GiveWell", "Odoo"} <= set(brands)
    brilliant = brands["Brilliant"]
    assert brilliant["count"] >= 5
    assert brilliant["last"].startswith("2026-01-12") and brilliant["first"] < brilliant["last"]
    assert all(p["at"] and p["url"].startswith("https://www.youtube.com/watch?v=") for p in brilliant["posts"])
    assert any("sponsored by Brilliant" in p["evidence"] for p in brilliant["posts"])


def test_a_brief_naming_a_competitor_flags_the_creator_within_its_window():
    snap = kurzgesagt()
    base = {"name": "Learning app", "keywords": ["science"]}
    free = score(snap, brief=base)["fit"]
    flagged = score(snap, brief={**base, "competitors": ["brilliant.org"]})["fit"]
    factor = next(f for f in flagged["factors"] if f["key"] == "exclusivity")
    assert factor["score"] == 0 and factor["weight"] > 0
    assert "Brilliant" in factor["reason"] and "2026-01-12" in factor["reason"]
    assert flagged["score"] <= 40 < free["score"]
    # a window shorter than the time since the last sponsored video: noted, not flagged
    old = score(snap, brief={**base, "competitors": ["Brilliant"], "competitor_days": 7})["fit"]
    factor = next(f for f in old["factors"] if f["key"] == "exclusivity")
    assert factor["score"] == 100 and "before the brief's 7-day window" in factor["reason"]
    # no competitors: the factor is listed without weight, the score unchanged
    factor = next(f for f in free["factors"] if f["key"] == "exclusivity")
    assert factor["weight"] == 0 and factor["score"] is None


def test_competitors_are_validated_like_the_other_brief_lists():
    with pytest.raises(ValueError):
        score({}, brief={"name": "x", "competitors": ["a" * 101]})
    with pytest.raises(ValueError):
        score({}, brief={"name": "x", "competitor_days": 0})


def test_score_keeps_the_traits_of_the_creator():
    snap = kurzgesagt()
    traits = score(snap)["traits"]
    assert traits["languages"] == ["en"] and traits["tier"] == "mega"
    assert traits["brands"][0]["name"] == "Brilliant"
    assert {"science", "astronomy"} <= {t["name"] for t in traits["topics"]}
