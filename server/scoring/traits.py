"""What a creator is like, in a few words a listing can keep: its top hashtags, topics, audience
languages, country, tier and the brands it has promoted. Kept in each creator's summary (set with its
scores, so a re-score refreshes them), they let "creators like this one" and "who has worked with
Salomon" answer from the index without opening every creator's file.

Pure: computed from one snapshot by `score()`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from server.scoring import topics
from server.scoring.brands import brands_of
from server.scoring.common import dicts, strs, text
from server.scoring.content import find_hashtags, posts_of

MAX_TAGS, MAX_TOPICS, MAX_BRANDS, MAX_LANGS = 12, 8, 10, 3
MIN_LANGUAGE_SHARE = 0.2
# tags every niche uses (format and reach tags): sharing them says nothing about two creators
GENERIC_TAGS = frozenset({"shorts", "short", "fyp", "foryou", "foryoupage", "fy", "viral", "trending", "reels",
                          "reel", "explore", "explorepage", "instagood", "love", "new", "video", "subscribe",
                          "live", "ad", "sponsored", "anzeige", "werbung"})


def creator_topics(snapshot: Mapping) -> Counter[str]:
    """How many posts (and the profile, counted once) each lexicon topic appears in, with its wider
    topics ("astronomy" also counts for "science")."""
    lex = topics.lexicon()
    counts: Counter[str] = Counter()

    def add(found: Mapping[str, object]) -> None:
        names: set[str] = set()
        for t in found:
            names.add(t)
            parent = lex.parent.get(t)
            while parent:
                names.add(parent)
                parent = lex.parent.get(parent)
        counts.update(names)

    for post in posts_of(dict(snapshot)):
        # titles and tags, as fit's niche reads them: descriptions carry boilerplate (links, "news",
        # sponsor lines) that would make every channel look alike
        title = text(post.get("title"))
        found = dict(lex.match_text(title))
        for tag in strs(post.get("hashtags")) or find_hashtags(title):
            found.update(lex.match_tag(tag))
        if text(post.get("category")):
            found.update(lex.match_category(text(post.get("category"))))
        add(found)
    profile = dict(lex.match_text(" ".join([text(snapshot.get("bio")), text(snapshot.get("display_name"))])))
    for c in strs(snapshot.get("categories")):
        profile.update(lex.match_category(c))
    add(profile)
    return counts


def creator_hashtags(snapshot: Mapping) -> list[str]:
    c: Counter[str] = Counter()
    for p in posts_of(dict(snapshot)):
        c.update({t.lower() for t in (strs(p.get("hashtags")) or find_hashtags(text(p.get("title"))))} - GENERIC_TAGS)
    c.update(set(find_hashtags(text(snapshot.get("bio")))) - GENERIC_TAGS)
    return [t for t, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TAGS]]


def traits(snapshot: Mapping, langs: tuple[dict[str, float], int, str] | None = None,
           tier: str | None = None) -> dict:
    """{hashtags, topics: [{name, posts}], languages: [codes], language_source, country, tier,
    brands: [{name, key, count, first, last}]} of one snapshot. `langs` is fit.audience_languages'
    answer when the caller has it (score() does)."""
    topic_counts = creator_topics(snapshot)
    shares, _, source = langs if langs is not None else ({}, 0, None)
    languages = [code for code, share in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
                 if share >= MIN_LANGUAGE_SHARE][:MAX_LANGS]
    brands = [{k: b[k] for k in ("name", "key", "count", "first", "last")} for b in brands_of(snapshot)][:MAX_BRANDS]
    return {
        "hashtags": creator_hashtags(snapshot),
        "topics": [{"name": t, "posts": n} for t, n in
                   sorted(topic_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TOPICS]],
        "languages": languages,
        "language_source": source if languages else None,
        "country": snapshot.get("country") if isinstance(snapshot.get("country"), str) else None,
        "tier": tier,
        "brands": brands,
        "posts_read": len(dicts(snapshot.get("recent_posts"))),
    }
