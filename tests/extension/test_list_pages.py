"""Which pages are list pages (search, tag, followers, comments...) is one fact in the registry
(`Platform.list_pages`), read by the parsers' side in Python (`Platform.list_kind`) and by the
extension (content/core.js `kolscope.listKindOf`, over the generated content/platforms.js, which the
service worker passes on in its "hello": tests/e2e/test_discovery.py sees it work in Chromium). Here
the patterns are checked on the real list pages, and the two languages are checked to agree."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scraper import parse
from scraper.listing import KINDS
from scraper.registry import PLATFORMS, platform_for
from tests.conftest import LISTPAGES, listpage_cases, load_listpage

EXTENSION = Path(__file__).resolve().parents[2] / "extension"

# The list pages whose URL is their owner's creator page: the list is read only when the page is no
# creator page (a channel's Home tab with a Featured Channels shelf), so no pattern claims them.
CREATOR_URL_LISTS = {"youtube/yt_related_featured_linustechtips_2026-03"}

# Pages that are no list page (and pages that look close to one).
NOT_LISTS = [
    "https://www.youtube.com/@kurzgesagt", "https://www.youtube.com/@kurzgesagt/videos",
    "https://www.youtube.com/watch?v=QqsLTNkzvaY", "https://www.youtube.com/results",
    "https://www.youtube.com/feed/channels",
    "https://x.com/XDevelopers", "https://x.com/XDevelopers/media", "https://x.com/home",
    "https://x.com/XDevelopers/status/1649191520250245121/analytics",
    "https://www.tiktok.com/@dylanlemay", "https://www.tiktok.com/@dylanlemay/photo/7301",
    "https://www.tiktok.com/search", "https://www.tiktok.com/tag/",
    "https://www.instagram.com/celebface/", "https://www.instagram.com/celebface/tagged/",
    "https://space.bilibili.com/1/",
]
# More list pages than the recordings show (each kind of each platform that declares it).
MORE_LISTS = [
    ("https://www.youtube.com/results?search_query=trail+running", "search"),
    ("https://www.youtube.com/results?sp=EgIQAg%253D%253D&search_query=tea", "search"),
    ("https://www.youtube.com/hashtag/trailrunning", "hashtag"),
    ("https://www.youtube.com/channel/UCsXVk37bltHxD1rDPwtNM8Q/channels", "related"),
    ("https://x.com/hashtag/ultrarunning?src=hashtag_click", "hashtag"),
    ("https://x.com/XDevelopers/followers_you_follow", "followers"),
    ("https://www.tiktok.com/tag/trailrunning", "hashtag"),
    ("https://www.tiktok.com/search?q=trail%20shoes", "search"),
    ("https://www.tiktok.com/search/user?q=salomon&t=1", "search"),
    ("https://www.instagram.com/sara.studio/followers/", "followers"),
    ("https://www.instagram.com/sara.studio/following/", "following"),
    ("https://www.instagram.com/reel/DO_ABQJjuPW/", "comments"),
]


def test_list_page_kinds_are_the_listing_kinds() -> None:
    for platform in PLATFORMS:
        for kind, pattern in platform.list_pages:
            assert kind in KINDS and pattern.startswith("^"), (platform.name, kind, pattern)


@pytest.mark.parametrize("case", listpage_cases(*KINDS))
def test_each_real_list_page_is_known_as_one_of_its_kind(case: str) -> None:
    capture, expected = load_listpage(case)
    platform = platform_for(capture["url"])
    if case in CREATOR_URL_LISTS:
        assert platform.list_kind(capture["url"]) is None
        assert parse(capture).handle, "a page no pattern claims is its owner's creator page"
        return
    # a verified followers list is a followers list; replies to a post are its comments
    assert platform.list_kind(capture["url"]) == expected["kind"], capture["url"]


@pytest.mark.parametrize("url", NOT_LISTS)
def test_other_pages_are_no_list_pages(url: str) -> None:
    assert platform_for(url).list_kind(url) is None


# Runs platforms.js and core.js as a content script does (one global scope); prints listKindOf of each
# [platform, url] pair.
NODE_HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const [ext, pairsJson] = process.argv.slice(1);
const ctx = { URL };
vm.createContext(ctx);
for (const file of ["content/platforms.js", "content/core.js"]) {
  vm.runInContext(fs.readFileSync(`${ext}/${file}`, "utf8"), ctx, { filename: file });
}
const out = JSON.parse(pairsJson).map(([platform, url]) => ctx.kolscope.listKindOf(platform, url));
console.log(JSON.stringify(out));
"""


def _urls() -> list[str]:
    urls = NOT_LISTS + [u for u, _ in MORE_LISTS]
    for case in listpage_cases(*KINDS):
        path = LISTPAGES / f"{case}.capture.json"
        if path.is_file():
            urls.append(json.loads(path.read_text(encoding="utf-8"))["url"])
    return urls


def test_more_list_pages() -> None:
    for url, kind in MORE_LISTS:
        assert platform_for(url).list_kind(url) == kind, url


def test_the_extension_reads_the_same_list_pages() -> None:
    """content/core.js with the generated patterns (JavaScript RegExp) answers as Python's re does."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the e2e tests run core.js in Chromium")
    pairs = [(platform_for(u).name, u) for u in _urls()]
    out = subprocess.run([node, "-e", NODE_HARNESS, str(EXTENSION), json.dumps(pairs)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    want = [platform_for(u).list_kind(u) for _, u in pairs]
    assert got == want
    assert sum(k is not None for k in want) >= len(MORE_LISTS), "the list pages are among them"
