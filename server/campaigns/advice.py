"""Size advice: which creator tiers give this seller the best expected cost per engagement for its
budget, in numbers from the creators the user has stored, and in words.

The guidance (issue 14, from the guides kolscope is built from): a small seller often does best
with growing creators around 10k followers whose fans are active; a seller with more than $500k of
monthly sales with creators around 500k followers whose audience is precise. Between the two, the
mid tier. kolscope says which tier the guidance points to for this seller and, beside it, what the
stored creators' own figures say, tier by tier:

- expected engagements per post = the tier's median followers x its median engagement rate (the
  platform's rate as scoring defines it; where that rate is per view, it stands in for a post's
  reach of the followers: an approximation, said in `basis`);
- expected fee per post = $10 per 1,000 followers ("$100 for every 10,000 followers per post",
  inBeat's influencer rate sheet, inbeat.co/articles/influencer-rate-sheet/, 2024), kept within the
  tier's usual range per post (nano $10-100, micro $100-500, mid $500-5,000, macro $5,000-10,000,
  mega $10,000 and up: reach-influencers.com/7-influencer-payment-factors/); the fair price of one
  creator is the price module's business, this is a tier's typical fee;
- expected cost per engagement = fee / engagements; posts the budget buys = budget // fee.

Fees are in US dollars, as are the sales bands; a campaign in another currency is told so (no
conversion). A tier without stored creators with followers and an engagement rate has no figures.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from server.scoring.tiers import TIERS

FEE_PER_1K_FOLLOWERS = 10.0
FEE_SOURCE = "inBeat, Influencer Rate Sheet 2024: $100 per 10,000 followers per post"
TIER_FEE_RANGE = {"nano": (10.0, 100.0), "micro": (100.0, 500.0), "mid": (500.0, 5_000.0),
                  "macro": (5_000.0, 10_000.0), "mega": (10_000.0, None)}
RANGE_SOURCE = "reach-influencers.com, 7 influencer payment factors: per-post rates by tier"
# monthly sales (USD) -> the seller's band and the tier the guidance points to
SELLER_BANDS = (("small", 0, 100_000, "micro"), ("mid", 100_000, 500_000, "mid"), ("large", 500_000, None, "macro"))
GUIDANCE = {
    "small": "a small seller often does best with growing creators around 10k followers whose fans are active",
    "mid": "a mid-sized seller sits between the two: creators of 100k-500k followers",
    "large": "a seller with more than $500k of monthly sales does best with creators around 500k followers "
             "whose audience is precise (a good fit to the brief)",
}


def seller_band(monthly_sales: float | None) -> tuple[str, str] | None:
    """(band, guided tier) of a seller's monthly sales, or None when they are not given."""
    if not isinstance(monthly_sales, (int, float)) or isinstance(monthly_sales, bool) or monthly_sales < 0:
        return None
    for band, low, high, tier in SELLER_BANDS:
        if monthly_sales >= low and (high is None or monthly_sales < high):
            return band, tier
    return None


def tier_fee(tier: str, followers: float) -> float:
    fee = followers / 1000 * FEE_PER_1K_FOLLOWERS
    low, high = TIER_FEE_RANGE.get(tier, (0.0, None))
    fee = max(fee, low)
    return min(fee, high) if high is not None else fee


def _usable(c: dict) -> bool:
    f, er = c.get("followers"), c.get("engagement_rate")
    return (isinstance(f, (int, float)) and not isinstance(f, bool) and f > 0
            and isinstance(er, (int, float)) and not isinstance(er, bool) and er > 0)


def _fit(c: dict) -> float | None:
    fit = c.get("fit")
    score = fit.get("score") if isinstance(fit, dict) else None
    return score if isinstance(score, (int, float)) else None


def tier_figures(creators: list[dict], budget: float | None) -> list[dict]:
    """One row per tier: how many stored creators, their median followers and engagement rate, and the
    expected fee, engagements and cost per engagement of a post, and how many posts the budget buys."""
    rows = []
    for tier, _low in TIERS:
        members = [c for c in creators if c.get("tier") == tier and _usable(c)]
        row: dict[str, Any] = {"tier": tier, "creators": len(members), "median_followers": None,
                               "median_engagement_rate": None, "expected_fee": None, "expected_engagements": None,
                               "expected_cpe": None, "posts_for_budget": None, "growing": 0, "precise": 0}
        if members:
            followers = median(c["followers"] for c in members)
            er = median(c["engagement_rate"] for c in members)
            fee = tier_fee(tier, followers)
            engagements = followers * er
            row.update(median_followers=round(followers), median_engagement_rate=round(er, 5),
                       expected_fee=round(fee, 2), expected_engagements=round(engagements),
                       expected_cpe=round(fee / engagements, 4) if engagements else None,
                       posts_for_budget=int(budget // fee) if isinstance(budget, (int, float)) and fee else None,
                       growing=sum(1 for c in members if (c.get("growth_30d") or 0) > 0),
                       precise=sum(1 for c in members if (_fit(c) or 0) >= 70))
        rows.append(row)
    return rows


def _money(x: float) -> str:
    return f"${x:,.0f}" if x >= 10 else f"${x:,.2f}"


def advise(campaign: dict, creators: list[dict]) -> dict:
    """The size advice of a campaign from the stored creators' summaries:
    {seller_band, guided_tier, guidance, best_tier, recommended: [tiers], tiers: [...], words, currency_note,
    sources}."""
    budget = campaign.get("budget") if isinstance(campaign.get("budget"), (int, float)) else None
    band = seller_band(campaign.get("seller_monthly_sales"))
    tiers = tier_figures(creators, budget)
    affordable = [t for t in tiers if t["expected_cpe"] is not None and (t["posts_for_budget"] is None or t["posts_for_budget"] >= 1)]
    best = min(affordable, key=lambda t: t["expected_cpe"]) if affordable else None
    words = []
    if band:
        words.append(f"With about {_money(campaign['seller_monthly_sales'])} of sales a month this is a {band[0]} "
                     f"seller: {GUIDANCE[band[0]]}.")
    else:
        words.append("Give the seller's monthly sales for advice on its size; meanwhile, the stored creators' figures:")
    if best:
        words.append(f"Among the creators you have stored, {best['tier']} creators give the best expected cost per "
                     f"engagement: about {_money(best['expected_cpe'])} (median {best['median_followers']:,} followers, "
                     f"{best['median_engagement_rate'] * 100:.1f}% engagement, a post about {_money(best['expected_fee'])}).")
        if best["posts_for_budget"] is not None:
            words.append(f"The budget of {_money(budget)} buys about {best['posts_for_budget']} such post(s).")
    else:
        words.append("No stored creator has both a follower count and an engagement rate within the budget yet: "
                     "capture some creators to compare tiers.")
    guided = next((t for t in tiers if band and t["tier"] == band[1]), None)
    if guided and best and guided["tier"] != best["tier"] and guided["expected_cpe"] is not None:
        words.append(f"The guidance's {guided['tier']} creators would cost about {_money(guided['expected_cpe'])} "
                     "per engagement among yours.")
    recommended = []
    for t in (guided, best):
        if t is not None and t["tier"] not in recommended:
            recommended.append(t["tier"])
    currency = (campaign.get("currency") or "USD").upper()
    return {
        "seller_band": band[0] if band else None,
        "guided_tier": band[1] if band else None,
        "guidance": GUIDANCE[band[0]] if band else None,
        "best_tier": best["tier"] if best else None,
        "recommended": recommended,
        "tiers": tiers,
        "words": " ".join(words),
        "currency_note": None if currency == "USD" else
        f"Fees and sales bands are in US dollars; this campaign counts in {currency} (no conversion).",
        "basis": "engagements per post = median followers x median engagement rate (the platform's own rate; "
                 "per-view rates stand in for reach)",
        "sources": [FEE_SOURCE, RANGE_SOURCE],
    }
