"""Creators like this one: stored creators and candidates ranked by what they share with a creator,
each with the reason in words ("shares #ultrarunning and #gearreview, German audience, micro").

Pure: works on creator summaries (their `traits`, kept by score(): hashtags, topics, languages,
country, tier, brands) and candidate records (only what a list page showed: name, tier, the paths
that found them). A score out of 100:
- 70 for **content**: how much of the two creators' posts are about the same topics (a weighted
  overlap of their topic shares, a narrower topic such as "astronomy" weighing more than "science"),
  0.65 of it; the hashtags both use, 0.25; brands both have promoted, 0.10;
- 15 for **audience**: the same audience language (0.4), country (0.25) and tier, or half for the
  neighbouring tier (0.35). It counts in full only beside shared content: two English-speaking mega
  channels about cooking and about cars are not alike;
- 15 for a candidate's **path**: found through this very creator (its followers, the accounts it
  tags), since that is how a marketer finds the next one by hand.
A creator on another platform is not penalised: the same audience may follow both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from server.scoring import topics
from server.scoring.tiers import TIER_NAMES

WEIGHTS = {"content": 70.0, "audience": 15.0, "path": 15.0}
CONTENT = {"topics": 0.65, "hashtags": 0.25, "brands": 0.10}
AUDIENCE = {"language": 0.4, "country": 0.25, "tier": 0.35}
MIN_SCORE = 8.0   # below this, what two creators share is noise
TOPIC_DEPTH_BONUS = 0.5  # a topic with a parent (narrower) weighs 1.5x one without


def _traits(c: Mapping) -> Mapping:
    t = c.get("traits")
    return t if isinstance(t, Mapping) else {}


def _topic_shares(t: Mapping) -> dict[str, float]:
    n = t.get("posts_read") or 0
    out = {}
    for item in t.get("topics") or []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            out[item["name"]] = min(1.0, (item.get("posts") or 0) / max(n, 1))
    return out


def _topic_weight(name: str) -> float:
    return 1.0 + (TOPIC_DEPTH_BONUS if topics.lexicon().parent.get(name) else 0.0)


def topic_overlap(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, list[str]]:
    """(0..1 weighted Ruzicka overlap of two topic-share maps, the shared topics most shared first)."""
    names = set(a) | set(b)
    if not names:
        return 0.0, []
    num = sum(min(a.get(t, 0.0), b.get(t, 0.0)) * _topic_weight(t) for t in names)
    den = sum(max(a.get(t, 0.0), b.get(t, 0.0)) * _topic_weight(t) for t in names)
    shared = sorted((t for t in names if a.get(t) and b.get(t)),
                    key=lambda t: (-min(a[t], b[t]) * _topic_weight(t), t))
    return (num / den if den else 0.0), shared


def _tier_distance(a: Any, b: Any) -> int | None:
    if a not in TIER_NAMES or b not in TIER_NAMES:
        return None
    return abs(TIER_NAMES.index(a) - TIER_NAMES.index(b))


def language_name(code: str) -> str:
    """'de' -> 'German' (pycountry's English name), else the code."""
    try:
        import pycountry  # imported here, not at the top: only reasons need names (~50 ms to import)

        lang = pycountry.languages.get(alpha_2=code)
        return lang.name if lang is not None else code
    except (ImportError, LookupError, KeyError):
        return code


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def compare(target: Mapping, other: Mapping) -> dict:
    """How much `other` (a creator summary or a candidate) is like `target` (a creator summary):
    {score 0..100, parts: {name: points}, why: sentence, shared: {...}}."""
    ta, tb = _traits(target), _traits(other)
    content: dict[str, float] = {}
    audience: dict[str, float] = {}
    why: list[str] = []
    shared: dict[str, Any] = {}

    overlap, common_topics = topic_overlap(_topic_shares(ta), _topic_shares(tb))
    if overlap > 0:
        content["topics"] = overlap
        shared["topics"] = common_topics[:5]
    tags_a = [t for t in ta.get("hashtags") or [] if isinstance(t, str)]
    tags_b = {t for t in tb.get("hashtags") or [] if isinstance(t, str)}
    common_tags = [t for t in tags_a if t in tags_b]
    if common_tags:
        content["hashtags"] = min(1.0, len(common_tags) / min(5, max(1, len(tags_a))))
        shared["hashtags"] = common_tags[:5]
        why.append("shares " + _and([f"#{t}" for t in common_tags[:3]]))
    if common_topics and overlap >= 0.15:
        specific = [t for t in common_topics if topics.lexicon().parent.get(t)] or common_topics
        why.append(("both post about " if not why else "posts about ") + _and(specific[:2]))
    brands_a = {b.get("key"): b.get("name") for b in ta.get("brands") or [] if isinstance(b, Mapping)}
    common_brands = [brands_a[b.get("key")] for b in tb.get("brands") or []
                     if isinstance(b, Mapping) and b.get("key") in brands_a]
    if common_brands:
        content["brands"] = min(1.0, len(common_brands) / 2)
        shared["brands"] = common_brands[:5]
        why.append("also promoted " + _and(common_brands[:2]))
    langs_a = [x for x in ta.get("languages") or [] if isinstance(x, str)]
    langs_b = [x for x in tb.get("languages") or [] if isinstance(x, str)]
    if langs_a and langs_b and langs_a[0] in langs_b:
        audience["language"] = 1.0 if langs_b[0] == langs_a[0] else 0.5
        shared["language"] = langs_a[0]
        why.append(f"{language_name(langs_a[0])} audience")
    country_a = ta.get("country") or target.get("country")
    country_b = tb.get("country") or other.get("country")
    if isinstance(country_a, str) and country_a and country_a == country_b:
        audience["country"] = 1.0
        shared["country"] = country_a
        why.append(f"in {country_a}")
    tier_a, tier_b = target.get("tier"), other.get("tier")
    distance = _tier_distance(tier_a, tier_b)
    if distance is not None and distance <= 1:
        audience["tier"] = 1.0 if distance == 0 else 0.5
        why.append(str(tier_b) if distance == 0 else f"{tier_b} (next to {tier_a})")
    via = f"{target.get('platform')}/{target.get('key') or target.get('handle')}"
    paths = [p for p in other.get("paths") or [] if isinstance(p, Mapping) and str(p.get("via") or "").lower() == via.lower()]
    if paths:
        shared["path"] = paths[0].get("label")
        why.append(str(paths[0].get("label") or "found through this creator"))

    c = sum(CONTENT[k] * v for k, v in content.items())
    gate = 0.25 + 0.75 * min(1.0, 2 * c)  # audience counts in full beside shared content only
    parts = {"content": WEIGHTS["content"] * c,
             "audience": WEIGHTS["audience"] * gate * sum(AUDIENCE[k] * v for k, v in audience.items()),
             "path": WEIGHTS["path"] if paths else 0.0}
    sentence = ", ".join(why)
    return {"score": round(sum(parts.values()), 1), "parts": {k: round(v, 1) for k, v in parts.items() if v},
            "why": (sentence[:1].upper() + sentence[1:] + ".") if sentence else "", "shared": shared}


def similar(target: Mapping, creators: Iterable[Mapping], candidates: Iterable[Mapping] = (),
            limit: int = 20) -> list[dict]:
    """The creators and candidates most like `target`, best first: each {kind: creator|candidate,
    platform, key, handle, display_name, followers, tier, score, why, shared}. `target` itself, and a
    candidate that is already a stored creator, are left out."""
    me = (target.get("platform"), target.get("key"))
    seen = {me}
    out = []
    for kind, items in (("creator", creators), ("candidate", candidates)):
        for c in items:
            ident = (c.get("platform"), c.get("key"))
            if ident in seen:
                continue
            seen.add(ident)
            r = compare(target, c)
            if r["score"] < MIN_SCORE or not r["why"]:
                continue
            out.append({"kind": kind, "platform": c.get("platform"), "key": c.get("key"), "handle": c.get("handle"),
                        "display_name": c.get("display_name"), "followers": c.get("followers"),
                        "tier": c.get("tier"), **r, **({"id": c.get("id")} if kind == "candidate" else {})})
    out.sort(key=lambda r: (-r["score"], r["kind"] != "creator", str(r["platform"]), str(r["key"])))
    return out[:limit]
