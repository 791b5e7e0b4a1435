"""What the creator publishes: topic terms, keyword matches, sponsored share, junk posts."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from scraper.text import hashtags as find_hashtags
from scraper.text import looks_sponsored
from server.scoring.common import dicts, strs, text

# Scripts written without spaces: a keyword matches as a substring, and topics are character pairs.
_UNSPACED = re.compile("[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\uac00-\ud7af\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff]+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# Words too common to say anything about a niche: the stop words of the languages creators here write
# in (the stop-words package's lists, read once at import), plus what every video title says.
_PLATFORM_WORDS = frozenset("""video videos official full episode part live shorts short watch channel subscribe vlog
today day week new best folge teil neue parte capitulo capítulo épisode""".split())


def _stopwords() -> frozenset[str]:
    from stop_words import AVAILABLE_LANGUAGES, get_stop_words

    words: set[str] = set(_PLATFORM_WORDS)
    for lang in AVAILABLE_LANGUAGES:
        try:
            words.update(fold(w) for w in get_stop_words(lang))
        except Exception:  # noqa: BLE001 -- a language list missing from an install is no reason to fail
            continue
    return frozenset(w for w in words if w)


JUNK_PATTERNS = re.compile(
    r"\b(follow ?4 ?follow|f4f|like ?4 ?like|l4l|sub ?4 ?sub|followback|giveaway|give away|"
    r"win (a|an|free)|free followers|link in bio)\b",
    re.IGNORECASE,
)


def fold(s: str) -> str:
    """Case- and accent-insensitive form for matching ('Café' == 'cafe'); CJK is left as is."""
    if s.isascii():
        return s.lower()  # the common case, ~20x cheaper than decomposing
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in s if not unicodedata.combining(ch))


STOPWORDS = _stopwords()


def terms(s: str | None) -> list[str]:
    """Topic terms of a text: folded words (3+ letters, not stopwords) and CJK/Thai character pairs."""
    if not s:
        return []
    s = fold(s)
    out = []
    for run in _UNSPACED.findall(s):
        out.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    for w in _WORD.findall(_UNSPACED.sub(" ", s)):
        w = w.strip("'’-")
        if len(w) >= 3 and w not in STOPWORDS:
            out.append(w)
    return out


def keyword_pattern(keyword: str) -> re.Pattern | None:
    """A matcher for one brief keyword: whole words in spaced scripts, substrings in CJK/Thai."""
    k = fold(keyword.strip().lstrip("#"))
    if not k:
        return None
    if _UNSPACED.search(k):
        return re.compile(re.escape(k))
    # a keyword also matches its plural and hashtag forms ('sneaker' ~ 'sneakers', '#sneakerhead')
    return re.compile(r"(?<![^\W_])" + re.escape(k).replace(r"\ ", r"[\s_-]*") + r"\w{0,3}(?![^\W_])", re.UNICODE)


def post_text(post: dict) -> str:
    """Title/caption plus hashtags of one post, folded."""
    return fold(text(post.get("title")) + " " + " ".join("#" + h for h in strs(post.get("hashtags"))))


def is_sponsored(post: dict) -> bool:
    """The page's own paid-partnership flag, else the disclosure markers in the caption and tags."""
    flag = post.get("is_sponsored")
    if isinstance(flag, bool):
        return flag
    title = text(post.get("title"))
    tags = [t.lower() for t in strs(post.get("hashtags"))] or find_hashtags(title)
    return looks_sponsored(title, tags)


def sponsored_share(posts: list[dict]) -> tuple[float | None, int, int]:
    """(share, sponsored, total) over posts; share None without posts."""
    if not posts:
        return None, 0, 0
    n = sum(1 for p in posts if is_sponsored(p))
    return n / len(posts), n, len(posts)


def top_hashtags(posts: list[dict], bio: str | None = None, k: int = 8) -> list[str]:
    c: Counter[str] = Counter()
    for p in posts:
        tags = strs(p.get("hashtags")) or find_hashtags(text(p.get("title")))
        c.update(t.lower() for t in tags)
    c.update(find_hashtags(bio))
    return [t for t, _ in c.most_common(k)]


def top_terms(texts: Iterable[str | None], k: int = 8) -> list[str]:
    c: Counter[str] = Counter()
    for t in texts:
        c.update(set(terms(t)))
    return [t for t, n in c.most_common(k)]


def junk_share(posts: list[dict]) -> tuple[float | None, int]:
    """Share of junk posts: hashtag-stuffed, follow-for-follow/giveaway bait, or repeated captions."""
    captioned = [p for p in posts if text(p.get("title")).strip() or strs(p.get("hashtags"))]
    if not captioned:
        return None, 0
    seen: Counter[str] = Counter(fold(text(p.get("title"))).strip() for p in captioned)
    junk = 0
    for p in captioned:
        title = text(p.get("title"))
        tags = strs(p.get("hashtags")) or find_hashtags(title)
        repeated = len(title.strip()) >= 10 and seen[fold(title).strip()] > 1
        if len(tags) > 15 or JUNK_PATTERNS.search(title) or repeated:
            junk += 1
    return junk / len(captioned), len(captioned)


def posts_of(snapshot: dict) -> list[dict]:
    return dicts(snapshot.get("recent_posts"))
