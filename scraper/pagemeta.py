"""What every page states about itself for link previews and search engines: `<meta>` and JSON-LD.

The fallbacks a parser reads when the embedded data is missing. Both are found with str.find and a
bounded tag regex over the `<head>` (and the `<script type="application/ld+json">` blocks), never a
parse of the whole DOM.
"""

from __future__ import annotations

import json
import re
from html import unescape
from collections.abc import Iterator
from typing import Any

_ATTR = re.compile(r"""\b(property|name|itemprop|content)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_LD_OPEN = 'type="application/ld+json"'
MAX_LD_BLOCKS = 8
MAX_LD_CHARS = 200_000


def tags(html: str, name: str) -> Iterator[str]:
    """Every `<name ...>` tag of `html` (case-insensitive), with str.find: linear on any input.

    A regex like `<meta\\b[^>]{0,4000}>` rescans up to 4,000 characters from every opener (300 KB of
    `<meta ` cost 200 million steps); here an unclosed tag ends the scan, since no later one can close.
    """
    low = html.lower()
    opener = "<" + name
    i = low.find(opener)
    while i != -1:
        after = low[i + len(opener):i + len(opener) + 1]
        if after.isalnum() or after in ("-", "_"):
            i = low.find(opener, i + 1)  # <metadata>, <svg-icon>: another tag
            continue
        j = html.find(">", i)
        if j == -1:
            return
        yield html[i:j + 1]
        i = low.find(opener, j)


def meta_tags(html: str, limit: int = 300_000) -> dict[str, str]:
    """{property or name: content} of the page's `<meta>` tags (the first of each name wins)."""
    head_end = html.find("</head>", 0, limit)
    head = html[: head_end if head_end != -1 else limit]
    out: dict[str, str] = {}
    for tag in tags(head, "meta"):
        attrs: dict[str, str] = {}
        for name, dq, sq in _ATTR.findall(tag):
            attrs.setdefault(name.lower(), dq if dq or not sq else sq)
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        if key and "content" in attrs and key not in out:
            out[key] = unescape(attrs["content"]).strip()
    return out


def json_ld(html: str) -> list[dict]:
    """The objects of the page's JSON-LD blocks (an @graph or a list flattened), in page order."""
    out: list[dict] = []
    start = 0
    for _ in range(MAX_LD_BLOCKS):
        i = html.find(_LD_OPEN, start)
        if i == -1:
            break
        j = html.find(">", i)
        k = html.find("</script>", j) if j != -1 else -1
        if k == -1:
            break
        start = k
        text = html[j + 1:k].strip()
        if not text or len(text) > MAX_LD_CHARS:
            continue
        try:
            value: Any = json.loads(text)
        except (ValueError, RecursionError):  # broken, or nested past the decoder: no fallback here
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                out.extend(x for x in item["@graph"] if isinstance(x, dict))
            elif isinstance(item, dict):
                out.append(item)
    return out


def ld_type(obj: dict, *names: str) -> bool:
    """Whether a JSON-LD object's @type is (or lists) one of `names`."""
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return any(isinstance(x, str) and x in names for x in types)


def interaction_count(obj: dict, kind: str) -> int | None:
    """`interactionStatistic` count of a schema.org interaction type ("LikeAction", "FollowAction"...)."""
    stats = obj.get("interactionStatistic")
    for stat in stats if isinstance(stats, list) else [stats]:
        if not isinstance(stat, dict):
            continue
        itype = stat.get("interactionType")
        name = itype.get("@type") if isinstance(itype, dict) else itype
        if isinstance(name, str) and name.rsplit("/", 1)[-1] == kind:
            value = stat.get("userInteractionCount")
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
            if isinstance(value, str) and value.isdigit():
                return int(value)
    return None
