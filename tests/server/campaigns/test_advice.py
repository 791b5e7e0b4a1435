"""Size advice (server/campaigns/advice.py): the seller's band and the tier the guidance points to,
and the stored creators' own figures per tier with the best expected cost per engagement."""

from __future__ import annotations

from server.campaigns.advice import advise, seller_band, tier_fee, tier_figures


def _creator(tier: str, followers: int, er: float, growth: float | None = None, fit: float | None = None) -> dict:
    return {"tier": tier, "followers": followers, "engagement_rate": er, "growth_30d": growth,
            "fit": {"score": fit} if fit is not None else None}


CREATORS = [
    _creator("nano", 5_000, 0.08, 3.0), _creator("nano", 8_000, 0.06),
    _creator("micro", 20_000, 0.05, 2.0), _creator("micro", 40_000, 0.03, -1.0),
    _creator("macro", 600_000, 0.012, fit=80), _creator("macro", 700_000, 0.01),
    {"tier": "mid", "followers": 200_000, "engagement_rate": None},  # no rate: not counted
]


def test_bands():
    assert seller_band(20_000) == ("small", "micro")
    assert seller_band(100_000) == ("mid", "mid")
    assert seller_band(600_000) == ("large", "macro")
    assert seller_band(None) is None and seller_band(-1) is None and seller_band(True) is None


def test_fees_follow_followers_within_the_tier_range():
    assert tier_fee("micro", 30_000) == 300.0
    assert tier_fee("nano", 500) == 10.0 and tier_fee("micro", 60_000) == 500.0
    assert tier_fee("mega", 5_000_000) == 50_000.0


def test_tier_figures_from_stored_creators():
    rows = {r["tier"]: r for r in tier_figures(CREATORS, 2000)}
    micro = rows["micro"]
    assert (micro["creators"], micro["median_followers"], micro["median_engagement_rate"]) == (2, 30_000, 0.04)
    assert (micro["expected_fee"], micro["expected_engagements"], micro["expected_cpe"], micro["posts_for_budget"]) == (
        300.0, 1200, 0.25, 6)
    assert micro["growing"] == 1
    assert rows["mid"]["creators"] == 0 and rows["mid"]["expected_cpe"] is None
    assert rows["macro"]["posts_for_budget"] == 0 and rows["macro"]["precise"] == 1


def test_small_seller_advice_in_words_and_numbers():
    out = advise({"seller_monthly_sales": 30_000, "budget": 2000, "currency": "USD"}, CREATORS)
    assert (out["seller_band"], out["guided_tier"]) == ("small", "micro")
    # nano: fee $65 (clamped to its range), 6,500 x 7% = 455 engagements -> $0.14 each: the best here
    assert out["best_tier"] == "nano" and out["recommended"] == ["micro", "nano"]
    assert "small seller" in out["words"] and "nano creators give the best expected cost per engagement" in out["words"]
    assert "The guidance's micro creators would cost about $0.25" in out["words"]
    assert out["currency_note"] is None and len(out["sources"]) == 2


def test_large_seller_and_a_budget_too_small_for_a_tier():
    out = advise({"seller_monthly_sales": 800_000, "budget": 1000, "currency": "EUR"}, CREATORS)
    assert out["guided_tier"] == "macro" and "500k followers" in out["guidance"]
    assert out["best_tier"] == "nano"  # macro's $6,500 posts are beyond a $1,000 budget
    assert "EUR" in out["currency_note"]


def test_no_data_says_what_to_do():
    out = advise({"seller_monthly_sales": None, "budget": None}, [])
    assert out["best_tier"] is None and out["recommended"] == [] and "capture some creators" in out["words"]
