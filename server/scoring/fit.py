"""Fit: does this creator match the brief? Size and tier, platform, niche keywords, audience language
and country, engagement and ad share limits, blocked terms."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from scraper.text import hashtags as find_hashtags
from scraper.times import parse_time
from server.scoring import topics
from server.scoring.brands import brand_key, brand_mentions
from server.scoring.brief import Brief
from server.scoring.common import combine, count, dicts, factor, human, pct, strs, text
from server.scoring.content import fold, keyword_pattern, post_text, posts_of, sponsored_share, top_hashtags
from server.scoring.language import LANGUAGE_COUNTRIES, language_shares
from server.scoring.tiers import normalize_tiers

WEIGHTS = {"size": 2.0, "platform": 1.0, "niche": 3.0, "language": 2.0, "country": 1.0, "engagement": 1.0,
           "sponsored": 1.0, "blocked_terms": 2.0, "exclusivity": 2.0}
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
        factor("niche", "Niche and topics", WEIGHTS["niche"], None,
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


# A title read as on-topic by meaning alone (no known term, no category) counts this much of a post.
SEMANTIC_CREDIT = 0.6
# ...when its similarity to the brief beats its best other topic by this much (wordllama's cosine
# similarities are small and close together: only the ranking means something).
SEMANTIC_MARGIN = 0.02
FEW_POSTS = 4


def _merge(into: dict[str, set[str]], more: dict[str, set[str]]) -> None:
    for topic, terms in more.items():
        into.setdefault(topic, set()).update(terms)


def _post_topics(lex, post: dict) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """({topic: terms} from the title and hashtags, {topic: {category}} from the platform's label)."""
    title = text(post.get("title"))
    found = lex.match_text(title)
    for tag in strs(post.get("hashtags")) or find_hashtags(title):
        _merge(found, lex.match_tag(tag))
    cats = lex.match_category(text(post.get("category"))) if text(post.get("category")) else {}
    return found, cats


def _most_common(counts: Counter[str], n: int) -> list[str]:
    """The `n` most counted, ties in alphabetical order: Counter.most_common breaks ties by insertion
    order, which follows set iteration and so the interpreter's hash seed; a reason must not change
    from one run to the next."""
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _names(items: list[str], n: int = 3) -> str:
    items = items[:n]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _niche(snapshot: dict, brief: Brief) -> dict:
    label, w = "Niche and topics", WEIGHTS["niche"]
    posts = posts_of(snapshot)
    tags = top_hashtags(posts, text(snapshot.get("bio")))
    if not brief.keywords:
        return factor("niche", label, 0.0, None, {"top_hashtags": tags}, "The brief names no keywords.")
    lex = topics.lexicon()
    patterns = [(k, p) for k in brief.keywords if (p := keyword_pattern(k)) is not None]
    wanted: set[str] = set()
    for k in brief.keywords:
        wanted |= topics.keyword_topics(k)
    texts = [post_text(p) for p in posts]
    readable = [i for i, p in enumerate(posts) if texts[i].strip() or text(p.get("category"))]
    profile_text = " ".join([text(snapshot.get("bio")), text(snapshot.get("display_name"))])
    categories = strs(snapshot.get("categories"))
    if not readable and not profile_text.strip() and not categories:
        return factor("niche", label, w, None, {"top_hashtags": tags}, "Withheld: no titles, captions, bio or categories to read.")

    credit = [0.0] * len(posts)
    literal: set[str] = set()
    read = 0.0
    matched: list[dict[str, set[str]]] = []
    cat_hits: Counter[str] = Counter()
    elsewhere: Counter[str] = Counter()
    unread: list[int] = []
    for i in readable:
        found, cats = _post_topics(lex, posts[i])
        hits = [k for k, p in patterns if p.search(texts[i])]
        literal.update(hits)
        on = (set(found) | set(cats)) & wanted
        if hits or on:
            credit[i] = 1.0
            matched.append({t: found[t] for t in on if t in found})
            cat_hits.update(c for t in on for c in cats.get(t, ()))
        elif found or cats:
            elsewhere.update({lex.top(t) for t in set(found) | set(cats)})
        if hits or found or cats:
            read += 1
        else:
            unread.append(i)

    # meaning: titles no term or category could place, ranked between the brief and the other topics
    by_meaning = 0
    if unread:
        placed, on_brief = _semantic(lex, brief.keywords, wanted, [texts[i] for i in unread if texts[i].strip()])
        for j, i in enumerate(i for i in unread if texts[i].strip()):
            if on_brief[j]:
                credit[i] = SEMANTIC_CREDIT
                by_meaning += 1
            read += 0.5 if placed[j] else 0.0  # meaning places a title less surely than a known term
    n = len(readable)
    # fewer than FEW_POSTS readable posts: the missing ones count as unknown, not as on-topic (one
    # caption about apps does not make a technology creator)
    coverage = sum(credit) / max(n, FEW_POSTS) if n else 0.0
    read_share = read / n if n else 0.0

    profile_found = lex.match_text(profile_text)
    for c in categories:
        _merge(profile_found, lex.match_category(c))
    profile_on = sorted(set(profile_found) & wanted)
    profile_literal = [k for k, p in patterns if p.search(fold(profile_text))]
    profile_hit = bool(profile_on or profile_literal)
    on_categories = [c for c in categories if set(lex.match_category(c)) & wanted]

    if n:
        # half the posts on the brief's topics is a creator of that niche; the profile saying so counts too
        score = 100 * (0.75 * min(1.0, coverage / 0.5) + 0.25 * profile_hit)
    else:
        score = 75 if profile_hit else 10  # no posts: the profile alone, and the confidence says so
        read_share = 0.5 if (profile_found or categories) else 0.0
    value = {"wanted_topics": sorted(wanted), "matched_keywords": sorted(literal | set(profile_literal)),
             "matching_posts": sum(1 for c in credit if c >= 1.0), "by_meaning": by_meaning, "posts": n,
             "coverage": round(coverage, 3), "read_share": round(read_share, 3), "in_profile": profile_hit,
             "categories": on_categories, "other_topics": _most_common(elsewhere, 3),
             "top_hashtags": tags}
    return factor("niche", label, w, score, value, _niche_reason(lex, brief, wanted, value, matched, cat_hits, profile_on))


def _semantic(lex, keywords: list[str], wanted: set[str], texts: list[str]) -> tuple[list[bool], list[bool]]:
    """(placed, on_brief) per text, by meaning: a text is placed when its nearest topic beats the
    next by SEMANTIC_MARGIN, and on the brief when that topic is one the brief asks for (or, for
    keywords the lexicon does not know, when the keywords themselves are nearer than every topic)."""
    protos = topics.prototypes()
    none = [False] * len(texts)
    if protos is None or not texts:
        return none, none
    names, P = protos
    wanted_tops = {lex.top(t) for t in wanted}
    E = topics.embed(texts + [" ".join(keywords)])
    if E is None:
        return none, none
    posts_e, brief_e = E[:-1], E[-1]
    sims = posts_e @ P.T
    placed, on = [], []
    for row, e in zip(sims, posts_e):
        order = row.argsort()[::-1]
        best, second = row[order[0]], row[order[1]] if len(order) > 1 else -1.0
        if wanted_tops:
            hit = names[order[0]] in wanted_tops and best - second >= SEMANTIC_MARGIN
            placed.append(bool(best - second >= SEMANTIC_MARGIN))
        else:
            to_brief = float(e @ brief_e)
            hit = to_brief - best >= SEMANTIC_MARGIN
            placed.append(bool(hit or best - second >= SEMANTIC_MARGIN))
        on.append(bool(hit))
    return placed, on


def _niche_reason(lex, brief: Brief, wanted: set[str], v: dict, matched: list[dict[str, set[str]]],
                  cat_hits: Counter[str], profile_on: list[str]) -> str:
    n = v["posts"]
    asked = _names(sorted({lex.top(t) for t in wanted}) or brief.keywords, 4)
    parts = []
    if v["matching_posts"] or v["by_meaning"]:
        if v["matching_posts"]:
            terms_used = _most_common(topics.count_terms(matched, wanted), 3)
            topics_hit = sorted({t for m in matched for t in m})
            k = v["matching_posts"]
            lead = f"{k} of {n} recent posts {'is' if k == 1 else 'are'} on the brief's topics"
            if terms_used:
                lead += f": titles about {_names(terms_used)} match {_names(topics_hit, 4)}"
            elif v["matched_keywords"]:
                lead += f" (naming {_names(v['matched_keywords'])})"
            parts.append(lead)
        if cat_hits:
            parts.append(f"filed by the platform under {_names(_most_common(cat_hits, 2))}")
        if v["by_meaning"]:
            more = " more" if v["matching_posts"] else f" of {n} recent posts"
            parts.append(f"{v['by_meaning']}{more} read{'s' if v['by_meaning'] == 1 and not v['matching_posts'] else ''} "
                         f"as {asked} by meaning")
    elif n:
        parts.append(f"none of {n} recent posts is about {asked}")
        if v["other_topics"]:
            parts.append(f"they are about {_names(v['other_topics'])}")
    if v["in_profile"]:
        parts.append("the profile names " + _names(profile_on or v["matched_keywords"]))
    elif not n:
        parts.append(f"no posts in the capture, and the profile does not name {asked}")
    if v["read_share"] < 0.6 and n:
        parts.append(f"only {v['read_share']:.0%} of the posts could be placed by topic, so this is uncertain")
    if v["top_hashtags"]:
        parts.append("tags used: " + ", ".join("#" + t for t in v["top_hashtags"][:5]))
    s = "; ".join(parts)
    return s[0].upper() + s[1:] + "."


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


def _exclusivity(snapshot: dict, brief: Brief) -> dict:
    """Whether the creator promoted a brand the brief names as a competitor within the last
    `competitor_days` days before this capture (brands.brand_mentions: sponsor tags, "sponsored by",
    paid posts' links, mentions and tags)."""
    label, w = "Exclusivity (competitors)", WEIGHTS["exclusivity"]
    if not brief.competitors:
        return factor("exclusivity", label, 0.0, None, [], "The brief names no competitors.")
    wanted = {brand_key(c): c for c in brief.competitors if brand_key(c)}
    captured = parse_time(snapshot.get("captured_at"))
    recent, older = [], []
    for m in brand_mentions(snapshot):
        if m["key"] not in wanted:
            continue
        at = parse_time(m.get("at"))
        days = (captured - at).days if captured is not None and at is not None else None
        hit = {"brand": m["name"], "competitor": wanted[m["key"]], "at": m.get("at"), "days_ago": days,
               "url": m.get("url"), "evidence": m.get("evidence")}
        (recent if days is None or days <= brief.competitor_days else older).append(hit)
    if recent:
        recent.sort(key=lambda h: str(h["at"] or ""), reverse=True)
        h = recent[0]
        when = f"on {str(h['at'])[:10]} ({h['days_ago']} days before this capture)" if h["at"] else "recently"
        more = f", and {len(recent) - 1} more such post(s)" if len(recent) > 1 else ""
        return factor("exclusivity", label, w, 0, recent,
                      f"Promoted the competitor {h['brand']} {when}{more}: within the brief's "
                      f"{brief.competitor_days}-day window (fit is capped at 40).")
    if older:
        h = max(older, key=lambda h: str(h["at"] or ""))
        return factor("exclusivity", label, w, 100, older,
                      f"Promoted the competitor {h['brand']} on {str(h['at'])[:10]}, before the brief's "
                      f"{brief.competitor_days}-day window.")
    return factor("exclusivity", label, w, 100, [],
                  f"No recent post promotes any of the {len(wanted)} competitors.")


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
        _exclusivity(snapshot, brief),
    ]
    by_key = {f["key"]: f for f in factors}
    cap = None
    if by_key["blocked_terms"]["score"] == 0:
        cap = (20.0, "blocked terms")
    elif by_key["exclusivity"]["score"] == 0:
        cap = (40.0, "competitor")
    elif by_key["platform"]["score"] == 0:
        cap = (30.0, "platform")  # a creator on another platform cannot run this campaign
    data_points = len(posts_of(snapshot)) + langs[1] // 10
    result = combine(factors, data_points=data_points, cap=cap)
    niche = by_key["niche"]
    if niche["score"] is not None and niche["weight"] and isinstance(niche["value"], dict):
        # a topic verdict is only as sure as the share of posts whose topic could be read at all: a
        # literal miss on 29 titles no term places is no evidence of a bad fit
        read = niche["value"].get("read_share", 1.0)
        level = "low" if read < 0.3 else "medium" if read < 0.6 else "high"
        order = ("low", "medium", "high")
        if order.index(level) < order.index(result["confidence"]):
            result["confidence"] = level
    if result["score"] is None:
        result["reason"] = "The brief sets nothing this page can be checked against."
    return result


