"""Fit: does this creator match the brief? Size and tier, platform, niche keywords, audience language
and country, engagement and ad share limits, blocked terms."""

from __future__ import annotations

import math
import re
from typing import Any

from server.scoring.brief import Brief
from server.scoring.common import combine, count, dicts, factor, human, pct, text
from server.scoring.content import fold, keyword_pattern, post_text, posts_of, sponsored_share, top_hashtags
from server.scoring.language import LANGUAGE_COUNTRIES, language_shares
from server.scoring.tiers import normalize_tiers

WEIGHTS = {"size": 2.0, "platform": 1.0, "niche": 3.0, "language": 2.0, "country": 1.0, "engagement": 1.0,
           "sponsored": 1.0, "blocked_terms": 2.0}
NEEDS_BRIEF = "Add a brief (keywords, languages, countries, size) to score fit."
_FLAG = re.compile("[\U0001F1E6-\U0001F1FF]{2}")


def audience_languages(snapshot: dict) -> tuple[dict[str, float], int, str]:
    """Language shares of fans' comments; without comments, of captions and bio (the creator's own)."""
    comments = [text(c.get("text")) for c in dicts(snapshot.get("comments")) if c.get("is_creator") is not True]
    shares, n = language_shares(comments)
    if n >= 5:
        return shares, n, "comments"
    own = [text(p.get("title")) for p in posts_of(snapshot)] + [text(snapshot.get("bio"))]
    shares2, n2 = language_shares(own)
    if n2:
        return shares2, n2, "captions and bio"
    return shares, n, "comments"


def _flags(bio: str) -> list[str]:
    """Country flags in a bio (regional-indicator pairs) as ISO 3166 alpha-2 codes."""
    return [chr(ord(f[0]) - 0x1F1E6 + 65) + chr(ord(f[1]) - 0x1F1E6 + 65) for f in _FLAG.findall(bio)]


def facts(snapshot: dict, tier: str | None, langs: tuple[dict[str, float], int, str]) -> list[dict]:
    """Brief-independent facts shown (score null) when there is no brief."""
    shares, n, source = langs
    posts = posts_of(snapshot)
    share, _, total = sponsored_share(posts)
    return [
        factor("size", "Audience size and tier", WEIGHTS["size"], None,
               {"followers": count(snapshot.get("followers")), "tier": tier}, NEEDS_BRIEF),
        factor("language", "Audience language", WEIGHTS["language"], None,
               {"languages": {k: round(v, 3) for k, v in list(shares.items())[:5]}, "texts": n, "source": source},
               NEEDS_BRIEF),
        factor("niche", "Niche and keywords", WEIGHTS["niche"], None,
               {"top_hashtags": top_hashtags(posts, text(snapshot.get("bio")))}, NEEDS_BRIEF),
        factor("sponsored", "Share of paid posts", WEIGHTS["sponsored"], None,
               {"share": None if share is None else round(share, 3), "posts": total}, NEEDS_BRIEF),
    ]


def _size(snapshot: dict, brief: Brief, tier: str | None, tiers: Any) -> dict:
    label, w = "Audience size and tier", WEIGHTS["size"]
    followers = count(snapshot.get("followers"))
    value = {"followers": followers, "tier": tier, "wanted_tiers": brief.tiers,
             "followers_min": brief.followers_min, "followers_max": brief.followers_max}
    if not brief.tiers and brief.followers_min is None and brief.followers_max is None:
        return factor("size", label, 0.0, None, value, "The brief sets no size or tier.")
    if followers is None:
        return factor("size", label, w, None, value, "Withheld: the follower count is unknown.")
    scores, reasons = [], []
    if brief.tiers:
        table = normalize_tiers(tiers)
        names = [name for name, _ in table]
        if tier in brief.tiers:
            scores.append(100)
            reasons.append(f"{human(followers)} followers: {tier}, a tier the brief wants")
        else:
            known = [names.index(t) for t in brief.tiers if t in names]
            gap = min(abs(names.index(tier) - k) for k in known) if known and tier in names else 2
            scores.append(50 if gap == 1 else 15)
            reasons.append(f"{human(followers)} followers: {tier}, the brief wants {', '.join(brief.tiers)}")
    lo, hi = brief.followers_min, brief.followers_max
    if lo is not None or hi is not None:
        if (lo is None or followers >= lo) and (hi is None or followers <= hi):
            scores.append(100)
            reasons.append("within the brief's follower range")
        else:
            edge = lo if lo is not None and followers < lo else hi
            off = abs(math.log10(max(followers, 1) / max(edge, 1)))
            # each factor of ten outside the range costs 60 points
            scores.append(max(0.0, 100 - 60 * off - 20))
            reasons.append(f"outside the brief's range ({human(lo) if lo is not None else '0'}-"
                           f"{human(hi) if hi is not None else 'any'})")
    return factor("size", label, w, min(scores), value, "; ".join(reasons).capitalize() + ".")


def _platform(snapshot: dict, brief: Brief) -> dict:
    label, w = "Platform", WEIGHTS["platform"]
    platform = text(snapshot.get("platform")) or None
    if not brief.platforms:
        return factor("platform", label, 0.0, None, platform, "The brief names no platform.")
    ok = platform in brief.platforms
    return factor("platform", label, w, 100 if ok else 0, platform,
                  f"On {platform}: " + ("a platform the brief wants." if ok else f"the brief wants {', '.join(brief.platforms)}."))


def _niche(snapshot: dict, brief: Brief) -> dict:
    label, w = "Niche and keywords", WEIGHTS["niche"]
    posts = posts_of(snapshot)
    tags = top_hashtags(posts, text(snapshot.get("bio")))
    if not brief.keywords:
        return factor("niche", label, 0.0, None, {"top_hashtags": tags}, "The brief names no keywords.")
    patterns = [(k, keyword_pattern(k)) for k in brief.keywords]
    patterns = [(k, p) for k, p in patterns if p is not None]
    texts = [post_text(p) for p in posts]
    profile = fold(" ".join([text(snapshot.get("bio")), text(snapshot.get("display_name")), text(snapshot.get("handle"))]))
    if not texts and not profile.strip():
        return factor("niche", label, w, None, {"top_hashtags": tags}, "Withheld: no titles, captions or bio to read.")
    found = [k for k, p in patterns if p.search(profile) or any(p.search(t) for t in texts)]
    matching_posts = sum(1 for t in texts if any(p.search(t) for _, p in patterns))
    coverage = matching_posts / len(texts) if texts else 0.0
    breadth = len(found) / len(patterns) if patterns else 0.0
    in_bio = any(p.search(profile) for _, p in patterns)
    # Half the posts on the brief's topics is a creator of that niche; the bio stating it counts too.
    score = 100 * (0.65 * min(1.0, coverage / 0.5) + 0.25 * breadth + (0.10 if in_bio else 0.0))
    value = {"matched_keywords": found, "matching_posts": matching_posts, "posts": len(texts),
             "in_bio": in_bio, "top_hashtags": tags}
    if not found:
        reason = f"None of the brief's keywords appear in {len(texts)} posts or the bio"
    else:
        reason = (f"{matching_posts} of {len(texts)} recent posts mention {', '.join(found[:5])}"
                  + ("; the bio too" if in_bio else ""))
    if tags:
        reason += f". Tags used: {', '.join('#' + t for t in tags[:5])}"
    return factor("niche", label, w, score, value, reason + ".")


def _language(brief: Brief, langs: tuple[dict[str, float], int, str]) -> dict:
    label, w = "Audience language", WEIGHTS["language"]
    shares, n, source = langs
    value = {"languages": {k: round(v, 3) for k, v in list(shares.items())[:5]}, "texts": n, "source": source,
             "wanted": brief.languages}
    if not brief.languages:
        return factor("language", label, 0.0, None, value, "The brief names no languages.")
    if n < 3:
        return factor("language", label, w, None, value,
                      f"Withheld: the language of only {n} comments or captions could be told (needs 3).")
    share = sum(shares.get(lang, 0.0) for lang in brief.languages)
    top = ", ".join(f"{k} {v:.0%}" for k, v in list(shares.items())[:3])
    # 70% of the audience in the brief's languages is a full match
    score = 100 * min(1.0, share / 0.7)
    return factor("language", label, w, score, value,
                  f"{share:.0%} of {n} {source} are in {', '.join(brief.languages)} ({top}).")


def _country(snapshot: dict, brief: Brief, langs: tuple[dict[str, float], int, str]) -> dict:
    label, w = "Audience country", WEIGHTS["country"]
    if not brief.countries:
        return factor("country", label, 0.0, None, None, "The brief names no countries.")
    stated = text(snapshot.get("country")).upper() or None
    flags = _flags(text(snapshot.get("bio")))
    if stated or flags:
        where = [stated] if stated else flags
        ok = any(c in brief.countries for c in where)
        return factor("country", label, w, 100 if ok else 20, {"creator_country": where, "source": "profile" if stated else "bio flags"},
                      f"The creator is in {', '.join(where)}" + (", a country the brief wants." if ok
                      else f"; the brief wants {', '.join(brief.countries)}."))
    shares, n, source = langs
    if n < 3:
        return factor("country", label, w, None, None,
                      "Withheld: the page states no country and too few texts show the audience's language.")
    wanted = set(brief.countries)
    share = sum(v for lang, v in shares.items() if wanted & set(LANGUAGE_COUNTRIES.get(lang, ())))
    score = 100 * min(1.0, share / 0.6)
    return factor("country", label, w, score, {"inferred_share": round(share, 3), "source": source},
                  f"Inferred from language: {share:.0%} of {source} are in languages spoken in "
                  f"{', '.join(brief.countries[:6])} (the page states no country).")


def _engagement(brief: Brief, er: float | None, er_info: dict) -> dict:
    label, w = "Engagement vs the brief's minimum", WEIGHTS["engagement"]
    if brief.min_engagement_rate is None:
        return factor("engagement", label, 0.0, None, er, "The brief sets no minimum engagement rate.")
    if er is None:
        return factor("engagement", label, w, None, er, "Withheld: no engagement rate could be computed.")
    need = brief.min_engagement_rate
    score = 100 if er >= need else 100 * er / need if need else 100
    per = "view" if er_info.get("basis") == "views" else "follower"
    return factor("engagement", label, w, score, round(er, 5),
                  f"{pct(er)} per {per} vs the brief's minimum {pct(need)}.")


def _sponsored(snapshot: dict, brief: Brief) -> dict:
    label, w = "Share of paid posts", WEIGHTS["sponsored"]
    share, n, total = sponsored_share(posts_of(snapshot))
    value = {"share": None if share is None else round(share, 3), "posts": total}
    if brief.max_sponsored_ratio is None:
        return factor("sponsored", label, 0.0, None, value, "The brief sets no limit on paid posts.")
    if total < 3:
        return factor("sponsored", label, w, None, value, f"Withheld: {total} posts in the capture (needs 3).")
    limit = brief.max_sponsored_ratio
    score = 100 if share <= limit else max(0.0, 100 - 250 * (share - limit))
    return factor("sponsored", label, w, score, value,
                  f"{n} of {total} recent posts are paid ({share:.0%}); the brief allows {limit:.0%}.")


def _blocked(snapshot: dict, brief: Brief) -> dict:
    label, w = "Blocked terms", WEIGHTS["blocked_terms"]
    if not brief.blocked_terms:
        return factor("blocked_terms", label, 0.0, None, [], "The brief blocks no terms.")
    hay = [post_text(p) for p in posts_of(snapshot)]
    hay.append(fold(" ".join([text(snapshot.get("bio")), text(snapshot.get("display_name"))])))
    hits = [t for t in brief.blocked_terms if (p := keyword_pattern(t)) is not None and any(p.search(h) for h in hay)]
    if hits:
        return factor("blocked_terms", label, w, 0, hits,
                      f"Uses terms the brief blocks: {', '.join(hits[:5])} (fit is capped at 20).")
    return factor("blocked_terms", label, w, 100, [], f"None of {len(brief.blocked_terms)} blocked terms appear.")


# A factor the brief does not ask about is listed with weight 0: it neither scores nor lowers confidence.


def fit(snapshot: dict, brief: Brief, *, tier: str | None, tiers: Any, er: float | None, er_info: dict,
        langs: tuple[dict[str, float], int, str]) -> dict:
    factors = [
        _size(snapshot, brief, tier, tiers),
        _platform(snapshot, brief),
        _niche(snapshot, brief),
        _language(brief, langs),
        _country(snapshot, brief, langs),
        _engagement(brief, er, er_info),
        _sponsored(snapshot, brief),
        _blocked(snapshot, brief),
    ]
    by_key = {f["key"]: f for f in factors}
    cap = None
    if by_key["blocked_terms"]["score"] == 0:
        cap = (20.0, "blocked terms")
    elif by_key["platform"]["score"] == 0:
        cap = (30.0, "platform")  # a creator on another platform cannot run this campaign
    data_points = len(posts_of(snapshot)) + langs[1] // 10
    result = combine(factors, data_points=data_points, cap=cap)
    if result["score"] is None:
        result["reason"] = "The brief sets nothing this page can be checked against."
    return result


