"""Small text helpers every platform parser shares: hashtags, mentions, sponsorship markers."""

from __future__ import annotations

import re

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
