"""Fair price: what a sponsored post by this creator usually costs, from its own numbers.

A fee band per format is expected views / 1000 x the platform's CPM band (prices.json), times three
factors shown one by one (engagement against the creator's own band, tier, country), each with its
reason and source. Expected views are the median views of the recent posts the page shows, or,
where it shows none (photo posts, stories, live), followers x the format's reach rate.
`judge_quote` turns a quoted fee into its implied CPM and cost per engagement and says whether it
sits in the band (fair), above it (high) or below it (low).

Pure: a snapshot and its summary in, numbers and words out; prices.json is read once.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from server.scoring.authenticity import engagement_rate
from server.scoring.bands import band_for
from server.scoring.common import count, dicts, human, median, pct
from server.scoring.tiers import tier_for

FORMATS: tuple[str, ...] = ("video", "short", "post", "story", "live")
# Formats whose audience is not the feed's: a post's views say nothing about a story or a live.
REACH_ONLY = frozenset({"story", "live"})
_PATH = Path(__file__).with_name("prices.json")


@lru_cache(maxsize=1)
def load_prices() -> dict[str, Any]:
    """prices.json (package data, not user input): read once so pricing does no I/O."""
    return json.loads(_PATH.read_text(encoding="utf-8"))


def formats_for(platform: str | None) -> tuple[str, ...]:
    """The formats prices.json has a CPM band for on this platform, in FORMATS order."""
    table = load_prices()["cpm"].get(platform or "", {})
    return tuple(f for f in FORMATS if f in table)


def _source(key: str) -> dict:
    src = load_prices()["sources"][key]
    return {"title": src["title"], "url": src["url"], "year": src["year"]}


def _money(x: float) -> float:
    """Whole units above 100, cents below (a nano creator's story may be worth a few dollars)."""
    return float(round(x)) if x >= 100 else round(x, 2)


def _post_numbers(snapshot: dict) -> tuple[float | None, int, float | None]:
    """(median views, posts with views, median engagements) of the recent posts shown."""
    posts = dicts(snapshot.get("recent_posts"))
    views = [v for v in (count(p.get("views")) for p in posts) if v]
    engagements = []
    for p in posts:
        parts = [count(p.get(k)) for k in ("likes", "comments", "shares")]
        if parts[0] is not None or parts[1] is not None:
            engagements.append(sum(x or 0 for x in parts))
    return median(views), len(views), median(engagements)


def _reach_rate(platform: str, fmt: str, followers: float) -> tuple[float, dict]:
    spec = load_prices()["reach"][platform][fmt]
    rate = spec["bands"][0]["rate"]
    for band in spec["bands"]:
        if followers >= band["min_followers"]:
            rate = band["rate"]
    return rate, spec


def expected_views(snapshot: dict, summary: dict | None, fmt: str) -> dict | None:
    """{views, basis, source?} for one post of `fmt`, or None when the page shows neither views nor
    followers."""
    platform = str(snapshot.get("platform") or "")
    med_views, n, _ = _post_numbers(snapshot)
    if fmt not in REACH_ONLY and med_views:
        return {"views": med_views, "basis": f"median views of {n} recent post{'s' if n != 1 else ''}"}
    followers = count(snapshot.get("followers"))
    if followers is None and summary:
        followers = count(summary.get("followers"))
    if not followers:
        return None
    rate, spec = _reach_rate(platform, fmt, followers)
    why = "the page shows no views" if fmt not in REACH_ONLY else f"a {fmt}'s audience is not the feed's"
    return {"views": followers * rate,
            "basis": f"{human(followers)} followers x {pct(rate, 1)} reach ({why})",
            "source": _source(spec["source"]), "judgement": bool(spec.get("judgement"))}


def _engagement_factor(snapshot: dict, followers: float | None) -> dict:
    spec = load_prices()["engagement"]
    er, _ = engagement_rate(snapshot)
    band = band_for(snapshot.get("platform"), followers)
    base = {"label": "Engagement", "source": _source(spec["source"]), "judgement": True}
    if er is None or band is None:
        return {**base, "value": 1.0,
                "reason": "Its engagement rate cannot be read from this page (no counts on recent posts "
                          "or no follower count): no adjustment."}
    for step in spec["steps"]:
        if step["below"] is None or er < band[step["below"]]:
            return {**base, "value": step["value"],
                    "reason": f"Engagement rate {pct(er)} is {step['words']} "
                              f"({pct(band['typical_low'])}-{pct(band['typical_high'])} is typical)."}
    raise AssertionError("the last engagement step has no bound")  # pragma: no cover - data invariant


def _tier_factor(followers: float | None) -> dict:
    spec = load_prices()["tier"]
    tier = tier_for(followers)
    base = {"label": "Tier", "source": _source(spec["source"]), "judgement": True}
    if tier is None:
        return {**base, "value": 1.0, "reason": "The follower count is unknown: no adjustment."}
    value = spec["values"].get(tier, 1.0)
    if value < 1:
        why = "smaller creators usually price lower per view"
    elif value > 1:
        why = "larger creators usually ask a premium per view"
    else:
        why = "the usual price per view"
    return {**base, "value": value, "reason": f"A {tier} creator ({human(followers)} followers): {why}."}


def _country_factor(country: str | None) -> dict:
    spec = load_prices()["country"]
    base = {"label": "Country", "source": _source(spec["source"]), "judgement": True}
    code = (country or "").upper()
    if not code:
        return {**base, "value": spec["unknown"]["value"], "reason": spec["unknown"]["words"].capitalize() + "."}
    for region in spec["regions"]:
        if code in region["countries"]:
            return {**base, "value": region["value"],
                    "reason": f"The creator is in {code} ({region['name']}); audiences there are priced "
                              f"at {region['value']:g}x those of the US and Canada."}
    return {**base, "value": spec["other"]["value"],
            "reason": f"The creator is in {code}, outside the regions with their own rate ({spec['other']['words']})."}


def price_format(snapshot: dict, summary: dict | None, fmt: str) -> dict:
    """One format's band: {format, low, high, views, basis, cpm: {low, high, source}, factors}. low and
    high are None (with `reason`) when the page shows neither views nor followers."""
    platform = str(snapshot.get("platform") or "")
    cpm = load_prices()["cpm"][platform][fmt]
    followers = count(snapshot.get("followers"))
    if followers is None and summary:
        followers = count(summary.get("followers"))
    country = snapshot.get("country") or (summary or {}).get("country")
    factors = [_engagement_factor(snapshot, followers), _tier_factor(followers), _country_factor(country)]
    out: dict[str, Any] = {
        "format": fmt, "low": None, "high": None, "views": None, "basis": None,
        "cpm": {"low": cpm["low"], "high": cpm["high"], "source": _source(cpm["source"]),
                "judgement": bool(cpm.get("judgement")), "note": cpm.get("note")},
        "factors": factors,
    }
    views = expected_views(snapshot, summary, fmt)
    if views is None:
        out["reason"] = "The page shows neither views nor a follower count: no band."
        return out
    multiplier = 1.0
    for f in factors:
        multiplier *= f["value"]
    per_thousand = views["views"] / 1000 * multiplier
    out.update(views=round(views["views"]), basis=views["basis"],
               low=_money(per_thousand * cpm["low"]), high=_money(per_thousand * cpm["high"]))
    if out["low"] >= out["high"]:  # a tiny audience rounds both ends to the same cent
        out["high"] = round(out["low"] + 0.01, 2)
    return out


def fair_price(snapshot: dict, summary: dict | None = None, fmt: str | None = None) -> dict:
    """{currency, formats: [...]}: every format the platform has a band for, or just `fmt`.
    ValueError for a format this platform has no band for."""
    available = formats_for(snapshot.get("platform"))
    if fmt is not None and fmt not in available:
        raise ValueError(f"{snapshot.get('platform')} has no price band for {fmt!r}; "
                         f"it has {', '.join(available) or 'none'}.")
    wanted = (fmt,) if fmt else available
    return {"currency": load_prices()["currency"],
            "formats": [price_format(snapshot, summary, f) for f in wanted]}


def judge_quote(band: dict, quote: float, snapshot: dict) -> dict:
    """A quoted fee against one format's band: {cpm, cpe, verdict: fair | high | low | unknown, reason}.
    cpm = quote per 1,000 expected views; cpe = quote per expected engagement (the median of the
    recent posts' likes + comments + shares)."""
    views = band.get("views")
    _, _, engagements = _post_numbers(snapshot)
    cpm = round(quote / views * 1000, 2) if views else None
    cpe = round(quote / engagements, 4) if engagements else None
    low, high = band.get("low"), band.get("high")
    if low is None or high is None:
        return {"cpm": cpm, "cpe": cpe, "verdict": "unknown", "reason": band.get("reason") or "No band."}
    if quote > high:
        verdict, words = "high", f"above the band ({low:g}-{high:g})"
    elif quote < low:
        verdict, words = "low", f"below the band ({low:g}-{high:g}): check what is included"
    else:
        verdict, words = "fair", f"inside the band ({low:g}-{high:g})"
    return {"cpm": cpm, "cpe": cpe, "verdict": verdict, "reason": f"A quote of {quote:g} is {words}."}


# Load at import: the first price asked must not pay for the file read.
load_prices()
