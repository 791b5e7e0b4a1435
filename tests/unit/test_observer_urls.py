"""The page observer (extension/content/observer.js) forwards every API answer the parsers read, and
nothing else: its per-platform URL patterns checked against the URLs each parser consumes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

OBSERVER = Path(__file__).resolve().parents[2] / "extension" / "content" / "observer.js"


def _regex_literals(line: str) -> list[str]:
    """The bodies of the JS regex literals on a line (a `/` that starts a value, up to the unescaped
    `/` outside a character class)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "/" and line[:i].rstrip()[-1:] in ("[", ",", ":", ""):
            j, in_class = i + 1, False
            while j < len(line):
                c = line[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "[":
                    in_class = True
                elif c == "]":
                    in_class = False
                elif c == "/" and not in_class:
                    break
                j += 1
            out.append(line[i + 1:j])
            i = j + 1
        else:
            i += 1
    return out


def _patterns() -> dict[str, list[re.Pattern]]:
    text = OBSERVER.read_text(encoding="utf-8")
    start = text.index("const API_URLS = {")
    block = text[start:text.index("};", start)]
    out: dict[str, list[re.Pattern]] = {}
    current = None
    for line in block.splitlines():
        if line.strip().startswith("//"):
            continue
        key = re.match(r"\s*(youtube|tiktok|instagram|x):", line)
        if key:
            current = key.group(1)
            out[current] = []
            line = line[key.end():]
        if current is not None:
            out[current].extend(re.compile(body) for body in _regex_literals(line))
    return out


READ = {
    "youtube": ["https://www.youtube.com/youtubei/v1/browse?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/next?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/player?prettyPrint=false",
                "https://www.youtube.com/youtubei/v1/reel/reel_item_watch?prettyPrint=false"],
    "tiktok": ["https://www.tiktok.com/api/post/item_list/?count=30&secUid=x",
               "https://www.tiktok.com/api/comment/list/?aweme_id=1&count=20",
               "https://www.tiktok.com/api/user/detail/?uniqueId=mia.bakes",
               "https://www.tiktok.com/api/user/list/?count=30&minCursor=0&scene=67&secUid=x"],
    "instagram": ["https://www.instagram.com/api/v1/users/web_profile_info/?username=sara.studio",
                  "https://www.instagram.com/api/v1/friendships/5566778899/followers/?count=12&search_surface=follow_list_page",
                  "https://www.instagram.com/api/v1/friendships/5566778899/following/?count=12",
                  "https://www.instagram.com/graphql/query/?query_hash=abc&variables=%7B%7D",
                  "https://www.instagram.com/api/graphql",
                  "https://www.instagram.com/api/v1/media/3100000000000000001/comments/?can_support_threading=true",
                  "https://www.instagram.com/api/v1/media/3100000000000000001/info/"],
    "x": ["https://x.com/i/api/graphql/AbC/UserByScreenName?variables=%7B%7D",
          "https://x.com/i/api/graphql/AbC/Followers?variables=%7B%7D",
          "https://x.com/i/api/graphql/AbC/TweetDetail?variables=%7B%7D"],
}
NOT_READ = {
    "youtube": ["https://www.youtube.com/youtubei/v1/log_event?alt=json", "https://www.youtube.com/api/stats/watchtime"],
    "tiktok": ["https://www.tiktok.com/api/im/message/list/", "https://www.tiktok.com/api/user/settings/"],
    "instagram": ["https://www.instagram.com/api/v1/direct_v2/inbox/", "https://www.instagram.com/api/v1/friendships/show/1/"],
    "x": ["https://x.com/i/api/graphql/AbC/DMInboxTimeline?variables=%7B%7D"],
}


@pytest.mark.parametrize("platform", sorted(READ))
def test_observer_forwards_what_the_parsers_read(platform: str) -> None:
    patterns = _patterns()[platform]
    assert patterns, f"no patterns found for {platform}"
    for url in READ[platform]:
        assert any(p.search(url) for p in patterns), f"{platform}: the observer drops {url}"
    for url in NOT_READ[platform]:
        assert not any(p.search(url) for p in patterns), f"{platform}: the observer forwards {url}"
