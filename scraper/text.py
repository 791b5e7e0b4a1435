"""Small text helpers every platform parser shares: hashtags, mentions, sponsorship markers, and
text that is valid Unicode."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_HASHTAG = re.compile(r"(?<![\w&])#(\w[\w.]*\w|\w)", re.UNICODE)
_MENTION = re.compile(r"(?<![\w.])@([A-Za-z0-9_][A-Za-z0-9_.]{0,29})")
# Disclosure markers used across markets (FTC #ad, German #anzeige/#werbung, es/pt #publi, fr #pub, zh 广告)
SPONSOR_TAGS = {
    "ad", "ads", "sponsored", "sponsor", "anzeige", "werbung", "publi", "publicidade", "publicidad", "pub",
    "partner", "paidpartnership", "paidpromotion", "广告", "廣告", "pr", "advertisement", "spon", "collab",
    "gifted", "reklama", "reklam", "annonce", "adv", "promo",
}
_SPONSOR_PHRASES = re.compile(
    r"paid (partnership|promotion)|includes paid promotion|sponsored by|in partnership with|"
    r"bezahlte partnerschaft|enthält bezahlte werbung|werbung|anzeige|colaboración pagada|"
    r"parceria paga|partenariat rémunéré|thanks to .{1,40} for sponsoring|use (my )?code \w+",
    re.I,
)


def hashtags(text: str | None) -> list[str]:
    """Hashtags in `text`, lower-cased, without '#', first occurrence order."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for m in _HASHTAG.finditer(text):
        seen.setdefault(m.group(1).lower().rstrip("."), None)
    return list(seen)


def mentions(text: str | None) -> list[str]:
    """@mentions in `text`, without '@', first occurrence order."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for m in _MENTION.finditer(text):
        seen.setdefault(m.group(1).rstrip("."), None)
    return list(seen)


def looks_sponsored(text: str | None, tags: list[str] | None = None) -> bool:
    """True when a caption or title carries a paid-promotion disclosure (#ad, #anzeige, 'paid partnership'...)."""
    tags = tags if tags is not None else hashtags(text)
    if any(t in SPONSOR_TAGS for t in tags):
        return True
    return bool(text and _SPONSOR_PHRASES.search(text))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value: Any) -> Any:
    """`value` with every half of a surrogate pair replaced by U+FFFD, as a browser shows it.

    A JS string may hold one (a truncated emoji); JSON writes it as "\\ud83d", Python's json reads
    it back as a lone surrogate, and such a str cannot be written as UTF-8. Pairs were already joined
    by the decoder. Walks lists, dicts and dataclasses (changed in place); answers the cleaned value.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = without_lone_surrogates(item)
        return value
    if isinstance(value, dict):
        if any(isinstance(k, str) and _LONE_SURROGATE.search(k) for k in value):
            return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
        for k, item in value.items():
            value[k] = without_lone_surrogates(item)
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            setattr(value, f.name, without_lone_surrogates(getattr(value, f.name)))
    return value
