"""Fair price: a band with its factors for every real creator page, sane numbers, quote verdicts,
and a data file that cites a source for every number."""

from __future__ import annotations

import pytest

from scraper import parse
from server.campaigns.price import FORMATS, fair_price, formats_for, judge_quote, load_prices
from tests.conftest import creator_cases_or_placeholder, load_case


def _snapshot(case: str) -> dict:
    capture, _ = load_case(case)
    return parse(capture).to_dict()


@pytest.mark.parametrize("case", creator_cases_or_placeholder())
def test_every_real_creator_page_gets_a_band_per_format_with_its_factors(case):
    snap = _snapshot(case)
    answer = fair_price(snap)
    assert answer["currency"] == "USD"
    assert [f["format"] for f in answer["formats"]] == list(formats_for(snap["platform"]))
    assert answer["formats"], f"{case}: no format priced"
    for band in answer["formats"]:
        assert band["low"] is not None, f"{case} {band['format']}: {band.get('reason')}"
        assert 0 < band["low"] < band["high"], (case, band)
        assert band["views"] > 0 and band["basis"]
        assert [f["label"] for f in band["factors"]] == ["Engagement", "Tier", "Country"]
        for f in band["factors"]:
            assert f["value"] > 0 and f["reason"] and f["source"]["url"].startswith("https://")
        # the band is views x CPM x the factors, so the ends keep the CPM band's ratio (bar cents)
        if band["low"] < 5:
            continue
        ratio = band["cpm"]["high"] / band["cpm"]["low"]
        assert band["high"] / band["low"] == pytest.approx(ratio, rel=0.02)


def test_quote_verdicts_against_the_band():
    snap = _snapshot(creator_cases_or_placeholder("youtube")[0])
    band = fair_price(snap, fmt="video")["formats"][0]
    low, high = band["low"], band["high"]
    fair = judge_quote(band, (low + high) / 2, snap)
    assert fair["verdict"] == "fair"
    assert fair["cpm"] == pytest.approx((low + high) / 2 / band["views"] * 1000, rel=0.01)
    assert judge_quote(band, high * 1.5, snap)["verdict"] == "high"
    assert judge_quote(band, low / 2, snap)["verdict"] == "low"
    assert "below the band" in judge_quote(band, low / 2, snap)["reason"]


def _snap(**over) -> dict:
    base = {"platform": "instagram", "handle": "a", "followers": 50_000, "country": "US", "recent_posts": [
        {"id": str(i), "likes": 1000 + i, "comments": 50, "views": None} for i in range(6)]}
    return {**base, **over}


def test_a_page_without_views_prices_from_reach_and_the_factors_move_the_band():
    us = fair_price(_snap(), fmt="post")["formats"][0]
    assert "followers x" in us["basis"] and us["views"] == round(50_000 * 0.229)
    india = fair_price(_snap(country="IN"), fmt="post")["formats"][0]
    assert india["high"] == pytest.approx(us["high"] * 0.4, rel=0.01)
    country = india["factors"][2]
    assert country["value"] == 0.4 and "South Asia" in country["reason"]
    # 2% engagement (1,050 of 50k) is typical for a 10k-50k Instagram account: no change
    assert us["factors"][0]["value"] == 1.0
    dead = fair_price(_snap(recent_posts=[{"id": "1", "likes": 10, "comments": 0}]), fmt="post")["formats"][0]
    assert dead["factors"][0]["value"] < 1 and dead["high"] < us["high"]


def test_cost_per_engagement_uses_the_recent_posts():
    snap = _snap()
    band = fair_price(snap, fmt="post")["formats"][0]
    verdict = judge_quote(band, 1052.5, snap)
    assert verdict["cpe"] == pytest.approx(1.0, rel=0.01)  # median engagements 1052.5


def test_unknown_format_and_unpriceable_page():
    with pytest.raises(ValueError, match="no price band for 'story'"):
        fair_price({"platform": "youtube", "followers": 10}, fmt="story")
    band = fair_price({"platform": "x", "handle": "a"}, fmt="post")["formats"][0]
    assert band["low"] is None and "neither views nor" in band["reason"]
    assert judge_quote(band, 100, {"platform": "x"})["verdict"] == "unknown"


def test_the_data_file_cites_a_source_for_every_number():
    data = load_prices()
    sources = data["sources"]
    for src in sources.values():
        assert src["url"].startswith("https://") and src["title"] and src["year"] and src["measured"]
    for platform, table in data["cpm"].items():
        assert set(table) <= set(FORMATS)
        for fmt, cpm in table.items():
            assert cpm["source"] in sources and 0 < cpm["low"] < cpm["high"], (platform, fmt)
            reach = data["reach"][platform][fmt]  # every priced format can fall back on reach
            assert reach["source"] in sources and all(0 < b["rate"] < 1 for b in reach["bands"])
            if cpm.get("judgement") or reach.get("judgement"):
                assert cpm.get("note") or reach.get("note")
    for key in ("engagement", "tier", "country"):
        assert data[key]["source"] in sources and data[key]["note"]
