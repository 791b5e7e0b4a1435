"""The brands a creator has promoted, read from its posts, each with the date and the words that name
it: what a brand checking exclusivity, or a marketer looking for "who has worked with Salomon", asks.

Pure functions of a snapshot (no clock, no I/O). A brand is named by, strongest first:
- **the platform**: its paid-partnership sponsor tags (`Post.sponsors`);
- **the creator's own words** in a title or description: "sponsored by Brilliant", "thanks to NordVPN
  for sponsoring", "in partnership with Salomon", "brought to you by ...", "presented by ...",
  "Werbung für ...", "patrocinado por ...";
- **a paid post's link**: the site a sponsored post sends viewers to ("Go to https://brilliant.org/
  nutshell"), named after its domain, when the domain is not a platform, a shortener or a shop
  front that names no brand;
- **a paid post's @mentions and brand hashtags** (not the disclosure tags #ad, #sponsored...).

Only paid posts (the platform's flag or a disclosure) count for links, mentions and hashtags: an
unpaid "@friend" is not a brand. The words themselves count on any post: "sponsored by X" says it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from scraper import registry
from server.scoring import topics
from server.scoring.common import dicts, strs, text
from server.scoring.content import fold

# "sponsored by Brilliant." / "thanks to NordVPN for sponsoring" / "in partnership with Salomon": the
# name is the run of capitalised words or a single token right after (or inside) the phrase.
_NAME = r"(@?[A-Z0-9][\w&'’+-]*(?:\.[a-z]{2,}\b)?(?:[ \t]+[A-Z0-9][\w&'’+-]*){0,3})"
_PHRASES = (
    re.compile(r"\b(?:sponsored|presented|powered|supported) by\s+(?:our friends at\s+|the (?:folks|people) at\s+)?" + _NAME),
    re.compile(r"\bbrought to you by\s+(?:our friends at\s+)?" + _NAME),
    re.compile(r"\b(?:in )?(?:paid )?partnership with\s+" + _NAME),
    re.compile(r"\bthanks? (?:to|you)\s+" + _NAME + r"\s+for (?:sponsoring|supporting|partnering)", re.I),
    re.compile(r"\bthis (?:video|episode|post) is sponsored by\s+" + _NAME, re.I),
    re.compile(r"\b(?:gesponsert von|in Zusammenarbeit mit|Werbung für|patrocinado por|en colaboración con|"
               r"sponsorisé par|en partenariat avec|patrocinado pela?|em parceria com)\s+" + _NAME),
)
# a link with its scheme, or a bare domain with a common ending ("brilliant.org/nutshell"); lower case
# only, so the end of a sentence ("life.Thanks") is not a domain
# words one of _PHRASES needs: a text without any is not searched (most titles name no sponsor)
_TRIGGERS = ("sponsor", "presented", "powered", "supported", "brought", "partnership", "thank", "gesponsert",
             "zusammenarbeit", "werbung", "patrocinad", "colaboraci", "partenariat", "parceria")
_URL = re.compile(r"(?<![\w.@/-])(?:https?://)?(?:www\.)?((?:[a-z0-9-]{1,63}\.){1,4}(?:com|org|net|io|co|app|de|fr|es|it|uk|tv|me|ai|gg|"
                  r"ly|us|ca|eu|nl|se|jp|br|in|au|ch|at|pl))\b(?:/[^\s]*)?")

# Hosts that are not a brand: the platforms kolscope reads (from the registry) and others, link
# shorteners, link-in-bio and shop fronts, support pages.
_NOT_BRAND_HOSTS = frozenset({
    *(h.removeprefix("www.").removeprefix("m.") for p in registry.PLATFORMS for h in (*p.hosts, *p.aliases)),
    "youtu.be", "facebook.com", "fb.me", "b23.tv", "twitch.tv", "discord.gg", "discord.com", "reddit.com",
    "spotify.com", "apple.com", "linkedin.com", "threads.net", "pinterest.com", "snapchat.com",
    "bit.ly", "goo.gl", "tinyurl.com", "ow.ly", "t.co", "amzn.to", "lnk.to", "linktr.ee", "beacons.ai",
    "patreon.com", "ko-fi.com", "buymeacoffee.com", "paypal.me", "paypal.com", "gofundme.com",
    "shop.app", "etsy.com", "amazon.com", "geni.us", "smarturl.it", "hyperurl.co", "found.ee", "kit.co",
    # documents and sources a description links to, not who paid for the video
    "sites.google.com", "docs.google.com", "drive.google.com", "forms.gle", "wikipedia.org", "doi.org",
    "github.com", "medium.com", "substack.com",
})
# Disclosure and generic tags: they say a post is paid, not who paid.
_NOT_BRAND_TAGS = frozenset({
    "ad", "ads", "sponsored", "sponsor", "anzeige", "werbung", "publi", "publicidade", "publicidad", "pub",
    "partner", "paidpartnership", "paidpromotion", "pr", "advertisement", "spon", "collab", "gifted",
    "reklama", "reklam", "annonce", "adv", "promo", "giveaway", "fyp", "foryou", "foryoupage", "viral",
    "shorts", "reels", "trending", "instagood", "love", "new", "sale", "discount",
    # a platform's own name as a tag is not a sponsor either
    *(w.lower() for p in registry.PLATFORMS for w in (p.name, p.label, *p.other_names)),
})
_STOP_NAMES = frozenset({"the", "a", "an", "our", "my", "this", "and", "you", "us", "me", "them",
                         "link", "code", "today", "video", "episode"})
_MAX_NAME = 40


def brand_key(name: str) -> str:
    """How brands are compared: case, accents, spaces, punctuation and a leading @ do not count, nor a
    domain's ending ("Brilliant" == "brilliant.org" == "@brilliant_org")."""
    k = fold(name.strip().lstrip("@#"))
    k = re.sub(r"\.(?:com|org|net|io|co|app|de|fr|es|it|co\.uk|tv|me|ai)$", "", k)
    k = re.sub(r"[_\s.'’&+-]+(?:org|official|app|hq|inc|ltd|gmbh)$", "", k)
    return re.sub(r"[\W_]+", "", k)


def _clean_name(raw: str) -> str | None:
    name = raw.strip().rstrip(".,!?:;)'’").strip()
    words = name.split()
    while words and words[-1].lower() in _STOP_NAMES:
        words.pop()
    while words and words[0].lower() in _STOP_NAMES:
        words.pop(0)
    name = " ".join(words)
    if not name or len(name) > _MAX_NAME or not brand_key(name):
        return None
    return name


def _host_brand(host: str) -> str | None:
    host = host.lower().removeprefix("www.")
    parts = host.split(".")
    for i in range(len(parts) - 1):  # go.nordvpn.com counts as nordvpn.com
        if ".".join(parts[i:]) in _NOT_BRAND_HOSTS:
            return None
    if len(parts) < 2:
        return None
    # the registered name: the label before the public suffix (a two-part suffix like co.uk taken whole)
    core = parts[-3] if len(parts) >= 3 and parts[-2] in ("co", "com", "org", "net") and len(parts[-1]) == 2 else parts[-2]
    if len(core) < 2 or core.isdigit():
        return None
    return core.capitalize() if core.isalpha() else core


def _text_of(post: Mapping) -> str:
    return " ".join(t for t in (text(post.get("title")), text(post.get("description"))) if t)


def post_brands(post: Mapping) -> list[dict]:
    """The brands one post names: [{name, key, how, evidence}] (`how`: platform | words | link |
    mention | hashtag), strongest way first, each brand once."""
    found: dict[str, dict] = {}

    def add(name: str | None, how: str, evidence: str) -> None:
        if not name:
            return
        key = brand_key(name)
        if key and key not in found:
            found[key] = {"name": name.lstrip("@#"), "key": key, "how": how, "evidence": evidence[:160]}

    for sponsor in strs(post.get("sponsors")):
        add(sponsor, "platform", f"paid partnership with {sponsor}")
    text = _text_of(post)
    low = text.lower()
    if any(t in low for t in _TRIGGERS):
        for pattern in _PHRASES:
            for m in pattern.finditer(text):
                add(_clean_name(m.group(1)), "words", m.group(0))
    if post.get("is_sponsored") is True:
        for m in (_URL.finditer(text) if "." in text else ()):
            if "@" in text[max(0, m.start() - 1):m.start()]:
                continue  # an e-mail address or a handle, not a link
            add(_host_brand(m.group(1)), "link", m.group(0))
        for handle in strs(post.get("mentions")):
            add(handle, "mention", f"@{handle} in a paid post")
        for tag in strs(post.get("hashtags")):
            # a tag the topic lexicon knows (#trailrunning, #skincare) names a subject, not a sponsor
            if tag.lower() not in _NOT_BRAND_TAGS and len(tag) >= 3 and not topics.lexicon().match_tag(tag.lower()):
                add(tag, "hashtag", f"#{tag} in a paid post")
    # a brand named by its link and by its words is one brand: keep the strongest (first) way
    return list(found.values())


def brand_mentions(snapshot: Mapping) -> list[dict]:
    """Every brand the snapshot's recent posts name, one row per post and brand: {name, key, how,
    evidence, post_id, url, title, at (the post's date, else the capture's), paid}."""
    out: list[dict] = []
    own = {brand_key(text(snapshot.get("handle"))), brand_key(text(snapshot.get("display_name")))} - {""}
    captured = snapshot.get("captured_at") if isinstance(snapshot.get("captured_at"), str) else None
    for post in dicts(snapshot.get("recent_posts")):
        for b in post_brands(post):
            if b["key"] in own:
                continue  # the creator's own site or shop is not a sponsor
            published = post.get("published_at") if isinstance(post.get("published_at"), str) else None
            out.append({**b, "post_id": text(post.get("id")) or None, "url": text(post.get("url")) or None,
                        "title": text(post.get("title")) or None, "at": published or captured,
                        "paid": post.get("is_sponsored") is True or b["how"] in ("platform", "words")})
    return out


def brand_summary(mentions: Iterable[Mapping]) -> list[dict]:
    """Mentions folded by brand: [{name, key, count, first, last, posts: [{at, url, title, how}]}], the
    most recent brand first. The name shown is the one the creator wrote most often."""
    by_key: dict[str, dict[str, Any]] = {}
    for m in mentions:
        b = by_key.setdefault(m["key"], {"key": m["key"], "names": {}, "posts": []})
        b["names"][m["name"]] = b["names"].get(m["name"], 0) + (2 if m["how"] in ("platform", "words") else 1)
        b["posts"].append({"at": m.get("at"), "url": m.get("url"), "title": m.get("title"), "how": m["how"],
                           "evidence": m.get("evidence")})
    out = []
    for b in by_key.values():
        dates = sorted(str(p["at"]) for p in b["posts"] if p.get("at"))
        name = max(b["names"].items(), key=lambda kv: (kv[1], kv[0][:1].isupper(), -len(kv[0])))[0]
        out.append({"name": name, "key": b["key"], "count": len(b["posts"]),
                    "first": dates[0] if dates else None, "last": dates[-1] if dates else None,
                    "posts": sorted(b["posts"], key=lambda p: str(p.get("at") or ""), reverse=True)})
    return sorted(out, key=lambda b: (str(b["last"] or ""), b["count"]), reverse=True)


def brands_of(snapshot: Mapping) -> list[dict]:
    """The brand summary of one snapshot (what a creator's stored traits keep)."""
    return brand_summary(brand_mentions(snapshot))
