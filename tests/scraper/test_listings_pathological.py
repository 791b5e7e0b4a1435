"""The X, Instagram, TikTok and YouTube list parsers on the pathological captures of bench/pathological.py
(about 1 MB each): each ends in well under a second of CPU with a Listing or a typed CaptureError of
the parser itself, never a crash, a hang or the safety net. Post pages are read as comment lists as
they are; profile-page cases are re-addressed to a list page of the same platform (search, tag,
followers dialog, YouTube's search) with their body as that list's answer.
"""

from __future__ import annotations

import time

import pytest

from bench.pathological import RESPONSE_URLS, cases
from scraper.errors import CaptureError
from scraper.listing import parse_listing

LIMIT_S = 1.0
# page kind of bench/pathological.py -> (list page URL, the answer URL its body becomes); None: as is
AS_LISTS = {
    "x_status": None,
    "tiktok_video": None,
    "instagram_post": None,
    "x": ("https://x.com/search?q=a", "https://x.com/i/api/graphql/abc/SearchTimeline?variables=%7B%7D"),
    "tiktok": ("https://www.tiktok.com/tag/cake", "https://www.tiktok.com/api/challenge/item_list/?count=30"),
    "instagram": ("https://www.instagram.com/someone/followers/",
                  "https://www.instagram.com/api/v1/friendships/1/followers/?count=12"),
    "youtube": ("https://www.youtube.com/results?search_query=a",
                "https://www.youtube.com/youtubei/v1/search?prettyPrint=false"),
}
NAMES = sorted(name for name, _capture in cases() if name.split(":")[0] in AS_LISTS)


@pytest.fixture(scope="module")
def pathological() -> dict:
    out = {}
    for name, capture in cases():
        kind = name.split(":")[0]
        if kind not in AS_LISTS:
            continue
        if AS_LISTS[kind] is not None:
            url, answer = AS_LISTS[kind]
            capture["url"] = url
            for r in capture["responses"]:
                if r["url"] == RESPONSE_URLS[kind]:
                    r["url"] = answer
        out[name] = capture
    return out


@pytest.mark.parametrize("name", NAMES)
def test_list_parsers_answer_pathological_captures_fast(pathological: dict, name: str) -> None:
    started = time.thread_time()
    try:
        parse_listing(pathological[name])
    except CaptureError as exc:
        assert getattr(exc, "unexpected", None) is None, repr(exc.unexpected)
    spent = time.thread_time() - started
    assert spent < LIMIT_S, f"{name}: {spent:.2f} s of CPU"
