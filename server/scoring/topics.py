"""What a creator is about: topics read from titles, captions, hashtags, bio and the platform's own
categories, with a multilingual lexicon (topics.json) and, for what the lexicon does not name, the
meaning of the words (wordllama's packaged 16 MB embeddings, loaded once, never downloaded).

The lexicon decides when it can: it is exact, explainable ("black hole" is astronomy) and free. The
embeddings only break ties the lexicon leaves open (a title without a known term), and only
relative to other topics: their absolute similarities are small and close together.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from server.scoring.content import STOPWORDS, fold
from server.scoring.once import load_once

_PATH = Path(__file__).with_name("topics.json")
_TOKEN = re.compile(r"[^\W_][\w'’-]*", re.UNICODE)
_CJK = re.compile("[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\uac00-\ud7af\u0e00-\u0e7f]+")
MAX_PHRASE = 4  # words in the longest lexicon phrase looked up


class Lexicon:
    """topics.json, folded: term -> topics, topic -> parent, category label -> topics."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.parent: dict[str, str | None] = {}
        self.terms: dict[str, set[str]] = {}
        self.cjk: dict[str, set[str]] = {}
        self.by_topic: dict[str, list[str]] = {}
        self.phrase_len: dict[str, int] = {}  # first word of a phrase -> its longest phrase's words
        for name, spec in data["topics"].items():
            self.parent[name] = spec.get("parent")
            self.by_topic[name] = []
            for raw in spec["terms"]:
                term = fold(raw).replace("’", "'")
                if _CJK.fullmatch(term):
                    self.cjk.setdefault(term, set()).add(name)
                    continue
                words = _TOKEN.findall(term)
                key = " ".join(words)
                if not key:
                    continue
                self.terms.setdefault(key, set()).add(name)
                if len(words) > 1:
                    self.phrase_len[words[0]] = max(self.phrase_len.get(words[0], 1), min(len(words), MAX_PHRASE))
                if len(words) > 1:  # "ice cream" also as #icecream
                    self.terms.setdefault("".join(w.replace("'", "") for w in words), set()).add(name)
                self.by_topic[name].append(key)
            self.terms.setdefault(fold(name), set()).add(name)
        self.categories = {fold(k): v for k, v in data.get("categories", {}).items() if k != "about"}
        self.min_affix = 4

    def family(self, topic: str) -> set[str]:
        """A topic and every narrower topic under it."""
        out = {topic}
        changed = True
        while changed:
            changed = False
            for t, p in self.parent.items():
                if p in out and t not in out:
                    out.add(t)
                    changed = True
        return out

    def top(self, topic: str) -> str:
        while self.parent.get(topic):
            topic = self.parent[topic]  # type: ignore[assignment]
        return topic

    def lookup(self, word: str) -> set[str]:
        hit = self.terms.get(word)
        if hit is None and len(word) > 3 and word.endswith("s"):
            hit = self.terms.get(word[:-1])
        return hit or set()

    def match_text(self, text: str) -> dict[str, set[str]]:
        """{topic: terms found} in a text: whole words and phrases of up to MAX_PHRASE words."""
        return {topic: set(terms) for topic, terms in _match_text(self, text).items()}

    def match_tag(self, tag: str) -> dict[str, set[str]]:
        """{topic: terms} of one hashtag: the whole tag, else a known term it starts or ends with
        (#icecreamcake, #catchnicecream, #inteligenciaartificial)."""
        t = fold(tag.lstrip("#")).replace("’", "'")
        if not t:
            return {}
        if _CJK.search(t):
            return self.match_text(t)
        hit = self.lookup(t)
        if hit:
            return {topic: {t} for topic in hit}
        found: dict[str, set[str]] = {}
        for cut in range(len(t) - 1, self.min_affix - 1, -1):
            for part in (t[:cut], t[-cut:]):
                if part in STOPWORDS:
                    continue
                for topic in self.terms.get(part, ()):
                    found.setdefault(topic, set()).add(part)
            if found:
                break
        return found

    def match_category(self, label: str) -> dict[str, set[str]]:
        """{topic: {label}} of a platform category ("Science & Technology", "Gaming", "Musician/band")."""
        key = fold(label).strip()
        if key in self.categories:
            return {topic: {label} for topic in self.categories[key]}
        return {topic: {label} for topic in self.match_text(key.replace("/", " ").replace("&", " "))}


@lru_cache(maxsize=8192)
def _match_text(lex: Lexicon, text: str) -> dict[str, frozenset[str]]:
    """Lexicon.match_text's work, cached: the same titles are read for fit, niche steadiness and
    every re-score (a pure function of the text; the lexicon is fixed once loaded)."""
    t = fold(text).replace("’", "'")
    found: dict[str, set[str]] = {}
    if lex.cjk and _CJK.search(t):
        for run in _CJK.findall(t):
            for term, topics in lex.cjk.items():
                if term in run:
                    for topic in topics:
                        found.setdefault(topic, set()).add(term)
    words = _TOKEN.findall(t)
    n = len(words)
    for i, word in enumerate(words):
        longest = lex.phrase_len.get(word, 1)
        for k in range(min(longest, n - i), 1, -1):
            phrase = " ".join(words[i:i + k])
            topics = lex.terms.get(phrase)
            if topics:
                for topic in topics:
                    found.setdefault(topic, set()).add(phrase)
                break
        else:
            if word in STOPWORDS:
                continue
            for topic in lex.lookup(word):
                found.setdefault(topic, set()).add(word)
    return {topic: frozenset(terms) for topic, terms in found.items()}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon(json.loads(_PATH.read_text(encoding="utf-8")))


def keyword_topics(keyword: str) -> set[str]:
    """The lexicon topics a brief keyword names, with their narrower topics ("science" takes astronomy)."""
    lex = lexicon()
    k = fold(keyword.strip().lstrip("#"))
    direct = lex.lookup(" ".join(_TOKEN.findall(k))) or lex.match_tag(k).keys() if k else set()
    if not direct and k:
        direct = set(lex.match_text(k))
    out: set[str] = set()
    for topic in direct:
        out |= lex.family(topic)
    return out


# --- meaning: wordllama ------------------------------------------------------------------------------

def _offline() -> None:
    """The model and its tokenizer ship in the wheel: forbid any hub access before loading them."""
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")


@load_once
def model() -> Any:
    """wordllama's packaged model, loaded once (~0.3 s) from the installed wheel; None if unavailable
    (then fit by topic uses the lexicon and literal words only)."""
    try:
        _offline()
        # imported here, not at the top: wordllama (and numpy) cost ~0.5 s, and _offline() must run first
        import wordllama
        from wordllama import WordLlama

        return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    except Exception:  # noqa: BLE001 -- a missing or broken model costs the semantic signal only
        return None


def warm() -> None:
    """Load the model and the prototypes now (the benches time this; the server's warm-up scores a
    sample with a brief, which loads both)."""
    model()
    prototypes()


@lru_cache(maxsize=1)
def prototypes() -> tuple[list[str], Any] | None:
    """(top-level topic names, their unit embeddings) from each topic family's terms."""
    m = model()
    if m is None:
        return None
    lex = lexicon()
    names = sorted({lex.top(t) for t in lex.parent})
    texts = []
    for name in names:
        words = [w for t in sorted(lex.family(name)) for w in lex.by_topic[t] if w.isascii()]
        texts.append(" ".join([name] * 3 + words[:60]))
    return names, m.embed(texts, norm=True)


def embed(texts: list[str]) -> Any:
    m = model()
    return None if m is None or not texts else m.embed(texts, norm=True)


def count_terms(matches: list[dict[str, set[str]]], topics: set[str]) -> Counter[str]:
    """How many texts used each matched term of `topics` (for the reason: the most used first)."""
    c: Counter[str] = Counter()
    for m in matches:
        c.update({term for topic, terms in m.items() if topic in topics for term in terms})
    return c


lexicon()  # read at import: the first score must not pay for the file
