"""Pathological captures of about 1 MB for every parser: what a hostile or broken page can send.

Shared by tests/scraper/test_pathological.py (each must finish well under a second) and
bench/bench_pathological.py (the precise figures). Each case is (name, capture dict).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

SIZE = 1_000_000

URLS = {
    "youtube": "https://www.youtube.com/@someone/videos",
    "youtube_watch": "https://www.youtube.com/watch?v=dddddddddd1",
    "tiktok": "https://www.tiktok.com/@someone",
    "tiktok_video": "https://www.tiktok.com/@someone/video/7000000000000000000",
    "instagram": "https://www.instagram.com/someone/",
    "instagram_post": "https://www.instagram.com/p/ABCDEFG/",
    "youtube_shorts": "https://www.youtube.com/shorts/dddddddddd1",
    "x": "https://x.com/someone",
    "x_status": "https://x.com/someone/status/1234567890",
}

# the data URLs each parser reads responses from
RESPONSE_URLS = {
    "youtube": "https://www.youtube.com/youtubei/v1/browse?prettyPrint=false",
    "youtube_watch": "https://www.youtube.com/youtubei/v1/next?prettyPrint=false",
    "tiktok": "https://www.tiktok.com/api/user/detail/?uniqueId=someone",
    "tiktok_video": "https://www.tiktok.com/api/comment/list/?aweme_id=7000000000000000000",
    "instagram": "https://www.instagram.com/api/v1/users/web_profile_info/?username=someone",
    "instagram_post": "https://www.instagram.com/api/v1/media/1/comments/",
    "youtube_shorts": "https://www.youtube.com/youtubei/v1/player?prettyPrint=false",
    "x": "https://x.com/i/api/graphql/abc/UserByScreenName?variables=%7B%7D",
    "x_status": "https://x.com/i/api/graphql/abc/TweetDetail?variables=%7B%7D",
}


def _fill(unit: str, size: int = SIZE) -> str:
    return unit * (size // len(unit) + 1)


def html_bodies() -> Iterator[tuple[str, str]]:
    """(name, html) of about 1 MB each: the shapes that make naive regexes and scanners go quadratic."""
    yield "lt", _fill("<")
    yield "svg_openers", "<html><body><main><header><ul><li>1</li><li>2</li></ul>" + _fill("<svg") + "</header>"
    yield "svg_openers_bare", _fill("<svg ")
    yield "meta_openers", "<html><head>" + _fill("<meta ")
    yield "meta_unclosed_quote", '<html><head><meta property="og:description" content="' + _fill("1M Followers, ")
    yield "img_openers", "<html><body><main><header>" + _fill('<img alt="x profile picture" ')
    yield "header_openers", "<html><body><main>" + _fill("<header><ul>")
    yield "main_openers", "<html><body>" + _fill("<main")
    yield "section_openers", "<html><body><main><header>" + _fill("<section ") + "<ul><li>1</li></ul></header>"
    yield "attr_unclosed", "<html><body><main>" + _fill(' class="')
    yield "href_grid", "<html><body><main>" + _fill('href="/p/') + "</main>"
    yield "grid_unclosed_anchor", "<html><body><main>" + _fill('<a href="/p/ABCDEFG/"><img alt="') + "</main>"
    yield "comment_unclosed", "<html><body>" + _fill("<!--")
    yield "script_openers", "<html><body>" + _fill("<script>")
    yield "universal_scripts", _fill('<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{')
    yield "sigi_scripts", _fill('<script id="SIGI_STATE" type="application/json">{"')
    yield "yt_initial_data_markers", _fill("var ytInitialData = {")
    yield "yt_initial_data_open_brackets", "var ytInitialData = " + _fill("[")
    yield "yt_initial_data_open_objects", "var ytInitialData = " + _fill('{"a":')
    yield "yt_player_markers", _fill('var ytInitialPlayerResponse = {"videoId":"dddddddddd1"')
    yield "json_key_markers", _fill('"webapp.user-detail":{"userInfo":')
    yield "unclosed_string", 'var ytInitialData = {"contents":"' + _fill("a")
    yield "quotes", _fill('"')
    yield "backslashes", 'var ytInitialData = {"a":"' + _fill("\\")
    yield "digits", _fill("9")
    yield "digits_spaced", _fill("1 ")
    yield "html_lang_openers", _fill("<html ")
    yield "profile_id_markers", _fill("profilePage_") + _fill("9", 1000)
    yield "og_title_spaces", ('<html><head><meta property="og:title" content="' + " " * (SIZE - 100)
                              + 'x"><meta property="og:description" content="1M Followers, 2 Following, 3 Posts">'
                              "</head><body></body></html>")
    yield "meta_bio", ('<html><head><meta name="description" content="' + _fill("(@a) on Instagram: \u201c")
                       + '"></head><body></body></html>')
    yield "tiktok_grid_items", _fill('<div data-e2e="user-post-item"><a href="/@someone/video/7000000000000000001">'
                                     + "<img " * 40 + '<img alt="' + " " * 200 + "created by")
    yield "tiktok_comment_tags", _fill('<a href="/@someone"><p>x</p></a><span data-e2e="comment-username-1">'
                                       '<div data-e2e="comment-level-1">' + "<" * 2000)
    yield "tiktok_header_e2e", _fill('<h1 data-e2e="user-title">' + "<" * 50 + 'data-e2e="followers-count">1.2M')
    # X pages saved from the browser (read from their data-testid hooks when no GraphQL answer is there)
    yield "x_username_openers", _fill('<div data-testid="UserName"><span>@someone</span>' + "<" * 50)
    yield "x_tweet_articles", _fill('<article data-testid="tweet"><a href="/someone/status/1234567890">'
                                    '<div data-testid="tweetText">' + "<" * 300 + 'aria-label="1 ' + " " * 40)
    yield "x_count_links", '<div data-testid="UserName">@someone</div>' + _fill('<a href="/someone/following">' + " " * 30)
    yield "ld_json_blocks", _fill('<script type="application/ld+json">' + "[" * 2000 + "</script>")
    yield "post_meta_description", ('<html><head><meta name="description" content="34K likes - ' + " " * 960_000
                                    + 'x on May 1, 2025: \u201ccap\u201d' + " " * 50_000 + 'x"></head></html>')
    yield "relative_dates", 'var ytInitialData = {"contents":"' + _fill("12 ") + '"}'


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def json_bodies() -> Iterator[tuple[str, str]]:
    """(name, response body text) of deep or huge JSON."""
    yield "deep_1000", _deep(1000)
    yield "deep_100000", _deep(100_000)
    yield "deep_objects_1000", '{"a":' * 1000 + "1" + "}" * 1000
    yield "deep_unclosed", _fill("[")
    yield "huge_number", '{"userInfo":{"stats":{"followerCount":' + "9" * SIZE + "}}}"
    yield "huge_float", '{"userInfo":{"stats":{"followerCount":1e' + "9" * 1000 + "}}}"
    yield "many_keys", "{" + ",".join(f'"k{i}":{i}' for i in range(90_000)) + "}"
    yield "long_list", "[" + ",".join(["{}"] * 300_000) + "]"


def deep_object(depth: int) -> dict:
    """A JSON object nested `depth` deep, as a decoded request body would hold it (built iteratively)."""
    root: dict = {}
    cur = root
    for _ in range(depth):
        nxt: dict = {}
        cur["a"] = nxt
        cur = nxt
    return root


def cases() -> Iterator[tuple[str, dict]]:
    """Every (case name, capture dict): each HTML body on each page kind, each JSON body as a response."""
    for kind, url in URLS.items():
        for name, html in html_bodies():
            yield f"{kind}:html:{name}", {"format": "kolscope.capture/1", "url": url,
                                          "captured_at": "2026-01-26T18:00:00Z", "html": html, "responses": []}
        for name, body in json_bodies():
            yield f"{kind}:json:{name}", {"format": "kolscope.capture/1", "url": url,
                                          "captured_at": "2026-01-26T18:00:00Z", "html": "<html></html>",
                                          "responses": [{"url": RESPONSE_URLS[kind], "status": 200,
                                                         "content_type": "application/json", "body": body}]}
        yield f"{kind}:object:deep_1000", {"format": "kolscope.capture/1", "url": url, "html": "",
                                           "responses": [{"url": RESPONSE_URLS[kind], "body": deep_object(1000)}]}
        many = [{"url": RESPONSE_URLS[kind], "body": json.dumps({"a": "x" * 400})}] * 2000
        yield f"{kind}:responses:many", {"format": "kolscope.capture/1", "url": url, "html": "", "responses": many}
