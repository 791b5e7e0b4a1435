"""A deliverable is a post marked by its URL and found again in snapshots by its id: each platform's
`post_id_from_url` (scraper/platform.py) answers the id its parser writes in `recent_posts[].id`."""

from __future__ import annotations

import pytest

from scraper import parse, registry
from tests.conftest import creator_cases_or_placeholder, load_case

CASES = [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3", "dQw4w9WgXcQ"), ("https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "dQw4w9WgXcQ"), ("https://www.youtube.com/@mkbhd", None),
    ("https://www.tiktok.com/@bo/video/7300000000000000001?lang=en", "7300000000000000001"),
    ("https://www.tiktok.com/@bo", None),
    ("https://www.instagram.com/p/Cx1_abc-Z9/", "Cx1_abc-Z9"), ("https://www.instagram.com/reel/Cx1abcdeZ9/?igsh=1", "Cx1abcdeZ9"),
    ("https://www.instagram.com/nasa/", None),
    ("https://x.com/bo/status/1790000000000000000", "1790000000000000000"), ("https://twitter.com/i/web/status/123", "123"),
    ("https://x.com/bo", None),
    ("https://www.bilibili.com/video/BV1xx411c7mD/", "BV1xx411c7mD"), ("https://www.bilibili.com/video/av170001", "av170001"),
    ("https://space.bilibili.com/2/", None),
]


@pytest.mark.parametrize("url, post_id", CASES)
def test_post_id_from_url(url, post_id):
    assert registry.platform_for(url).post_id_from_url(url) == post_id


def test_every_platform_reads_post_urls():
    named = {registry.platform_for(u).name for u, pid in CASES if pid}
    assert named == set(registry.NAMES)


@pytest.mark.parametrize("case", creator_cases_or_placeholder())
def test_the_id_of_each_real_post_url_is_the_id_its_parser_writes(case):
    capture, _ = load_case(case)
    snap = parse(capture).to_dict()
    platform = registry.require(snap["platform"])
    for post in snap.get("recent_posts") or []:
        if post.get("url") and post.get("id"):
            assert platform.post_id_from_url(post["url"]) == post["id"], post["url"]
    shown = platform.post_id_from_url(capture["url"])
    if shown is not None:  # a post page: its post is among the snapshot's
        assert shown in {p.get("id") for p in snap.get("recent_posts") or []}
