"""How fans talk back: comments about the content vs generic, emoji-only, spam or copy-pasted ones;
returning commenters (on another post of this capture, or of an earlier one); the creator replying."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from server.scoring.common import dicts, factor, text
from server.scoring.content import fold

MIN_COMMENTS = 8
# Spam markers. Fixed phrases are tested with `in` (C speed); only the patterns go through a regex:
# one big alternation tried at every position of every comment cost more than the rest of scoring.
_SPAM_PHRASES = (
    "http://", "https://", "www.", "visit my", "follow me", "f4f", "followback", "follow back", "whatsapp",
    "whats app", "telegram", "bitcoin", "forex", "earn $", "make money", "free followers", "free likes",
    "free gift", "promote it", "promote your", "send dm", "send a dm", "click link", "click the link",
    "onlyfans", "hot girls", "my bio", "link in bio", "link in my bio",
)
_SPAM = re.compile(
    r"\.(com|ly|me|io|link)/|check (out )?my (page|profile|channel|account)|sub ?4 ?sub|"
    r"\bdm (me|us)\b|\bcrypto|invest(ment|ing)? (with|in)",
)


def is_spam(low: str) -> bool:
    """Links and spam phrases, on lower-cased text."""
    return any(p in low for p in _SPAM_PHRASES) or _SPAM.search(low) is not None


# Short praise any post gets, in the languages comments here use; says nothing about the content.
GENERIC = frozenset(fold(s) for s in """
nice|nice video|great|great video|great content|good|good video|cool|wow|amazing|awesome|love it|love this|
loved it|beautiful|perfect|first|first!|lol|lmao|omg|so good|so cute|cute|fire|legend|king|queen|queen!|
nice one|well done|good job|top|super|bravo|genial|lindo|linda|hermoso|incrível|incrivel|muito bom|
que lindo|toll|geil|mega|stark|magnifique|trop bien|génial|bellissimo|bello|brava|bravo|
круто|класс|супер|молодец|好看|太棒了|好棒|厉害|赞|すごい|かわいい|最高|대박|멋져요|mantap|keren|
bagus|hay quá|đẹp quá|สวย|เก่งมาก
""".replace("\n", "").split("|"))
_LOYAL_PHRASES = (
    "here again", "i trust you", "since day one", "never miss", "as always", "like always", "wie immer",
    "como siempre", "como sempre", "comme toujours", "как всегда", "一直在", "いつも", "always here",
    "always watching", "always love", "every video", "every single video",
)
_LOYAL = re.compile(r"been (watching|following|here) (you )?(since|for)|my favou?rite (creator|youtuber)")


def is_loyal(low: str) -> bool:
    """Words of a returning fan ("I'm here again", "I trust you"), on lower-cased text."""
    return any(p in low for p in _LOYAL_PHRASES) or _LOYAL.search(low) is not None


# The patterns above are matched against lower-cased text (re.I makes every alternative ~3x slower).
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NORM = re.compile(r"[\W_]+", re.UNICODE)


_MENTION = re.compile(r"@\w[\w.]*")


def _read(comment_text: str) -> tuple[str, str, str]:
    """(kind, folded words, lower-cased text) of one comment: every later check reuses them."""
    t = comment_text.strip()
    low = t.lower()
    bare = _MENTION.sub(" ", t) if "@" in t else t
    folded = fold(_NORM.sub(" ", bare)).strip()
    if is_spam(low):
        kind = "spam"
    elif not _LETTER.search(bare):
        kind = "emoji_only"
    elif folded in GENERIC or (len(folded) < 12 and folded.count(" ") <= 1):
        kind = "generic"
    else:
        kind = "substantive"
    return kind, folded, low


def kind_of(comment_text: str) -> str:
    """spam, emoji_only, generic or substantive."""
    return _read(comment_text)[0]


def commenter_id(author: str) -> str:
    """A short stable id of a commenter for the history (the name itself is not kept there)."""
    return hashlib.blake2b(author.strip().lower().encode("utf-8"), digest_size=4).hexdigest()


def earlier_commenters(points: Iterable[tuple[datetime, dict]]) -> dict[str, set[str]]:
    """commenter id -> ids of the posts they commented on, from history points' `commenters`."""
    seen: dict[str, set[str]] = defaultdict(set)
    for _, point in points:
        by_post = point.get("commenters") if isinstance(point, dict) else None
        if not isinstance(by_post, dict):
            continue
        for post_id, ids in by_post.items():
            if isinstance(ids, str):
                for cid in ids.split():
                    seen[cid].add(str(post_id))
    return seen


def analyse(comments_raw: list, earlier: dict[str, set[str]] | None = None) -> dict:
    """Counts behind the interaction factor (fans' comments; the creator's own replies apart).
    `earlier`: commenter id -> posts they commented on in earlier captures (earlier_commenters)."""
    comments = dicts(comments_raw)
    creator = [c for c in comments if c.get("is_creator") is True]
    fans = [c for c in comments if c.get("is_creator") is not True and text(c.get("text")).strip()]
    read = [_read(text(c.get("text"))) for c in fans]
    kinds = Counter(kind for kind, _, _ in read)
    groups: dict[str, set] = defaultdict(set)
    for i, (c, (_, folded, _)) in enumerate(zip(fans, read)):
        norm = folded.replace(" ", "")
        if len(norm) >= 6:
            groups[norm].add((text(c.get("author")) or f"#{i}", c.get("post_id")))
    duplicated = sum(len(g) for g in groups.values() if len(g) > 1)
    posts_by_author: dict[str, set] = defaultdict(set)
    for c in fans:
        a = text(c.get("author"))
        if a:
            posts_by_author[a].add(None if c.get("post_id") is None else str(c.get("post_id"))[:32])
    returning = sum(1 for p in posts_by_author.values() if len(p) > 1)
    # ... or on another post of an earlier capture (a fan who keeps coming back)
    from_earlier = 0
    if earlier:
        for author, posts in posts_by_author.items():
            if len(posts) == 1 and earlier.get(commenter_id(author), set()) - posts:
                from_earlier += 1
    returning += from_earlier
    loyal_words = sum(1 for _, _, low in read if is_loyal(low))
    return {
        "comments": len(fans),
        "substantive": kinds["substantive"],
        "generic": kinds["generic"],
        "emoji_only": kinds["emoji_only"],
        "spam": kinds["spam"],
        "duplicate": duplicated,
        "returning_commenters": returning,
        "returning_from_earlier_captures": from_earlier,
        "loyal_phrases": loyal_words,
        "creator_replies": len(creator),
        "commented_posts": len({c.get("post_id") for c in fans}),
    }


def interaction_factor(snapshot: dict, weight: float, points: Iterable[tuple[datetime, dict]] = ()) -> dict:
    s = analyse(snapshot.get("comments"), earlier_commenters(points))
    n = s["comments"]
    label = "Fan interaction"
    if n < MIN_COMMENTS:
        return factor("interaction", label, weight, None, s,
                      f"Withheld: only {n} fan comments in the capture (needs {MIN_COMMENTS}); open a post's "
                      "comments before capturing.")
    share = {k: s[k] / n for k in ("substantive", "generic", "emoji_only", "spam", "duplicate")}
    loyal = (s["returning_commenters"] + s["loyal_phrases"]) / n
    # A healthy thread: most comments say something about the post (60% and more earns the full base).
    base = 30 + 70 * min(1.0, share["substantive"] / 0.6)
    penalty = 150 * share["spam"] + 60 * share["duplicate"]
    bonus = min(10.0, 100 * loyal) + (5 if s["creator_replies"] else 0)
    score = base - penalty + bonus
    parts = [f"{share['substantive']:.0%} of {n} comments talk about the content"]
    if s["generic"] or s["emoji_only"]:
        parts.append(f"{(s['generic'] + s['emoji_only']) / n:.0%} generic or emoji-only")
    if s["spam"]:
        parts.append(f"{share['spam']:.0%} spam or links")
    if s["duplicate"]:
        parts.append(f"{share['duplicate']:.0%} copy-pasted")
    if s["returning_commenters"] or s["loyal_phrases"]:
        earlier_note = (f", {s['returning_from_earlier_captures']} of them commenters seen on earlier captured posts"
                        if s["returning_from_earlier_captures"] else "")
        parts.append(f"{s['returning_commenters'] + s['loyal_phrases']} signs of returning fans{earlier_note}")
    parts.append("the creator replies to fans" if s["creator_replies"] else "no replies from the creator seen")
    return factor("interaction", label, weight, score, s, "; ".join(parts) + ".")
