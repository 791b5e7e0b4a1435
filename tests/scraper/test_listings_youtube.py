"""YouTube list pages -> Listing: search results, related channels and hashtag pages.

The real pages of ../shared/listpages/youtube (search 2021-2026, the SPA variant, a Channels tab and a
Featured Channels shelf) are compared with their expected files; small captures built here cover what
no recording shows (in-page continuations, an unknown language, empty results, walls, hashtag pages).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper import parse
from scraper.errors import Blocked, CaptureError, LoginWall, Malformed, NotACreatorPage
from scraper.listing import LISTING_FORMAT, parse_listing
from server.cli import main
from tests.conftest import cases_or_placeholder, load_case, load_listpage
from tests.scraper.listing_expect import cases_of, check_case

YOUTUBE_CASES = cases_of("youtube")


@pytest.mark.parametrize("case", YOUTUBE_CASES)
def test_real_list_page(case: str) -> None:
    capture, _ = load_listpage(case)
    listing = check_case(case)
    assert listing.format == LISTING_FORMAT
    assert listing.url == capture["url"] and listing.captured_at == capture["captured_at"]


@pytest.mark.parametrize("case, owner", [
    ("youtube/yt_related_featured_linustechtips_2026-03", "LinusTechTips"),
    ("youtube/yt_related_channelstab_EEVblog_2023-07", "EEVblog"),
])
def test_related_channels_page_is_still_its_owners_creator_page(case: str, owner: str) -> None:
    capture, _ = load_listpage(case)
    snap = parse(capture)
    assert (snap.platform, snap.handle) == ("youtube", owner)
    assert snap.followers and snap.followers > 100_000
    listing = parse_listing(capture)
    assert (listing.kind, listing.owner) == ("related", owner)
    assert snap.platform_id not in {c.platform_id for c in listing.creators}


@pytest.mark.parametrize("case", [c for c in YOUTUBE_CASES if "/yt_search" in c] or ["<listpages missing>"])
def test_real_search_page_is_still_no_creator_page(case: str) -> None:
    capture, _ = load_listpage(case)
    with pytest.raises((NotACreatorPage, Malformed)):  # the SPA shell has no data for `parse` to read
        parse(capture)


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_or_placeholder("youtube"))
def test_real_creator_pages_are_no_list_pages(case: str) -> None:
    """Channel, topic and watch pages (realpages) show no related channels: parse_listing answers
    not_a_creator_page for them as for any page that is no list."""
    capture, expected = load_case(case)
    with pytest.raises(CaptureError) as info:
        parse_listing(capture)
    # a removed channel's alert is read first; an age gate hides no list, so it is no list page
    assert info.value.code == ("unavailable" if expected["error"] == "unavailable" else "not_a_creator_page")


# ---------------------------------------------------------------------------------------------------
# Synthetic captures: the public shapes of the recorded pages, small.

SEARCH_URL = "https://www.youtube.com/results?search_query=trail+running"


def _cid(n: int) -> str:
    return f"UC{n:022d}"


def _runs(*texts: str) -> dict:
    return {"runs": [{"text": t} for t in texts]}


def _badge(style: str = "BADGE_STYLE_TYPE_VERIFIED") -> list:
    return [{"metadataBadgeRenderer": {"style": style, "tooltip": "Verified"}}]


def _channel(n: int, name: str, base: str, subs: str | None, videos: str | None, **extra) -> dict:
    card = {"channelId": _cid(n), "title": {"simpleText": name},
            "navigationEndpoint": {"browseEndpoint": {"browseId": _cid(n), "canonicalBaseUrl": base}}, **extra}
    if subs is not None:
        card["subscriberCountText"] = {"simpleText": subs}
    if videos is not None:
        card["videoCountText"] = {"simpleText": videos}
    return {"channelRenderer": card}


def _video(vid: str, n: int, name: str, base: str, **extra) -> dict:
    run = {"text": name, "navigationEndpoint": {"browseEndpoint": {"browseId": _cid(n), "canonicalBaseUrl": base}}}
    return {"videoRenderer": {"videoId": vid, "title": _runs(f"video {vid}"), "ownerText": {"runs": [run]},
                              "viewCountText": {"simpleText": "1,000 views"}, **extra}}


def _search_data(items: list, hl: str = "en") -> dict:
    return {"responseContext": {"serviceTrackingParams": [{"service": "GFEEDBACK", "params": [{"key": "hl", "value": hl}]}]},
            "estimatedResults": "123456",
            "contents": {"twoColumnSearchResultsRenderer": {"primaryContents": {"sectionListRenderer": {"contents": [
                {"itemSectionRenderer": {"contents": items}},
                {"continuationItemRenderer": {"continuationEndpoint": {"continuationCommand": {"token": "t"}}}}]}}}}}


def _capture(url: str, data: dict | None, responses: list | None = None, body: str = "") -> dict:
    script = f"<script>var ytInitialData = {json.dumps(data)};</script>" if data is not None else ""
    return {"format": "kolscope.capture/1", "url": url, "captured_at": "2026-11-29T10:00:00Z", "source": "extension",
            "html": f'<!DOCTYPE html><html lang="en"><head><title>YouTube</title></head><body>{script}{body}</body></html>',
            "responses": responses or []}


def _response(path: str, body: dict) -> dict:
    return {"url": f"https://www.youtube.com/youtubei/v1/{path}?prettyPrint=false", "status": 200,
            "content_type": "application/json", "body": json.dumps(body)}


def _creators(listing) -> list[tuple]:
    return [(c.handle, c.platform_id, c.display_name, c.followers and (c.followers.value, c.followers.approx),
             c.verified, c.posts) for c in listing.creators]


def test_channel_cards_both_layouts_shelves_skipped_and_uploaders_deduplicated() -> None:
    shelf = {"shelfRenderer": {"title": {"simpleText": "Channels new to you"}, "content": {"verticalListRenderer": {
        "items": [_video("shelfvideo1", 9, "Shelf Channel", "/@shelf")]}}}}
    items = [
        _channel(1, "Old Layout", "/c/OldLayout", "14.1K subscribers", None, videoCountText=_runs("349", " videos")),
        shelf,
        _channel(2, "New Layout", "/@newlayout", "@newlayout", "1.15m subscribers", ownerBadges=_badge()),
        _channel(3, "Music - Topic", f"/channel/{_cid(3)}", None, "182 videos"),
        _video("aaaaaaaaaaa", 4, "Uploader", "/@uploader", ownerBadges=_badge("BADGE_STYLE_TYPE_VERIFIED_ARTIST")),
        _video("bbbbbbbbbbb", 4, "Uploader", "/@uploader"),
        _channel(2, "New Layout", "/@newlayout", "@newlayout", "1.15m subscribers"),
        {"reelShelfRenderer": {"items": [_video("ccccccccccc", 10, "Shorts Person", "/@shorts")]}},
    ]
    listing = parse_listing(_capture(SEARCH_URL, _search_data(items)))
    assert (listing.kind, listing.query, listing.owner) == ("search", "trail running", None)
    assert _creators(listing) == [
        (None, _cid(1), "Old Layout", (14100, True), False, 349),
        ("newlayout", _cid(2), "New Layout", (1150000, True), True, None),
        (None, _cid(3), "Music - Topic", None, False, 182),
        ("uploader", _cid(4), "Uploader", None, True, None),
    ]
    assert listing.creators_total == 4
    assert listing.creators[3].following is None and listing.creators[3].bio_length is None


def test_small_subscriber_counts_are_exact() -> None:
    listing = parse_listing(_capture(SEARCH_URL, _search_data([_channel(1, "Tiny", "/@tiny", "@tiny", "77 subscribers")])))
    assert listing.creators[0].followers.value == 77 and listing.creators[0].followers.approx is False


def test_count_texts_of_an_unknown_language_are_read_by_the_layout() -> None:
    """Dutch ("abonnees") is not among the known words: the card's layout says which text is which."""
    items = [_channel(1, "Oud", "/c/Oud", "14,1K abonnees", "349 video's"),
             _channel(2, "Nieuw", "/@nieuw", "@nieuw", "234K abonnees")]
    listing = parse_listing(_capture(SEARCH_URL, _search_data(items, hl="nl")))
    assert [(c.followers.value, c.followers.approx, c.posts) for c in listing.creators] == [
        (14100, True, 349), (234000, True, None)]


def test_spa_search_answer_wins_over_stale_initial_data_and_continuations_append() -> None:
    """No public recording of a scrolled search; the continuation shape is the /search answer's
    `onResponseReceivedCommands[].appendContinuationItemsAction.continuationItems` (NewPipe, yt-dlp)."""
    stale = {"contents": {"twoColumnBrowseResultsRenderer": {"tabs": []}}, "metadata": {}}
    first = _search_data([_channel(1, "First", "/@first", "@first", "10K subscribers")])
    channel_after = _response("browse", stale)  # a channel's /browse answer recorded after the search
    more = {"responseContext": {}, "onResponseReceivedCommands": [{"appendContinuationItemsAction": {
        "continuationItems": [{"itemSectionRenderer": {"contents": [
            _channel(1, "First", "/@first", "@first", "10K subscribers"),
            _video("ddddddddddd", 2, "Second", "/@second")]}}]}}]}
    capture = _capture(SEARCH_URL, stale, [_response("search", first), channel_after, _response("search", more)])
    listing = parse_listing(capture)
    assert [c.handle for c in listing.creators] == ["first", "second"]


def test_search_without_results_is_an_empty_listing() -> None:
    items = [{"backgroundPromoRenderer": {"title": _runs("No results found")}}]
    listing = parse_listing(_capture(SEARCH_URL, _search_data(items)))
    assert (listing.kind, listing.creators, listing.creators_total) == ("search", [], 0)
    assert listing.warnings == ["YouTube showed no channels or videos for this search."]


def test_hashtag_page_lists_the_uploaders_of_its_grid() -> None:
    """No public recording of a youtube.com/hashtag/ page exists; shape from yt-dlp's YoutubeTabIE,
    which reads /hashtag/<tag> as a tab page (a richGridRenderer of richItemRenderer videos), with
    the video lockupViewModel of the recorded 2026 channel pages."""
    lockup = {"lockupViewModel": {"contentId": "eeeeeeeeeee", "contentType": "LOCKUP_CONTENT_TYPE_VIDEO",
                                  "metadata": {"lockupMetadataViewModel": {"title": {"content": "A run"},
                                               "metadata": {"contentMetadataViewModel": {"metadataRows": [
                                                   {"metadataParts": [{"text": {
                                                       "content": "Lockup Runner",
                                                       "commandRuns": [{"onTap": {"innertubeCommand": {"browseEndpoint": {
                                                           "browseId": _cid(7), "canonicalBaseUrl": "/@lockuprunner"}}}}],
                                                       "attachmentRuns": [{"element": {"type": {"imageType": {"image": {
                                                           "sources": [{"clientResource": {"imageName": "CHECK_CIRCLE_FILLED"}}]}}}}}]}}]},
                                                   {"metadataParts": [{"text": {"content": "12K views"}}]}]}}}}}}
    grid = [{"richItemRenderer": {"content": _video("fffffffffff", 5, "Trail Anna", "/@trailanna")}},
            {"richItemRenderer": {"content": _video("ggggggggggg", 6, "Old Uploader", "/user/olduploader")}},
            {"richItemRenderer": {"content": lockup}},
            {"richItemRenderer": {"content": _video("hhhhhhhhhhh", 5, "Trail Anna", "/@trailanna")}}]
    data = {"responseContext": {}, "header": {"hashtagHeaderRenderer": {"hashtag": {"simpleText": "#trailrunning"}}},
            "contents": {"twoColumnBrowseResultsRenderer": {"tabs": [{"tabRenderer": {"selected": True, "content": {
                "richGridRenderer": {"contents": grid}}}}]}}}
    listing = parse_listing(_capture("https://www.youtube.com/hashtag/trailrunning", data))
    assert (listing.kind, listing.query) == ("hashtag", "trailrunning")
    assert _creators(listing) == [("trailanna", _cid(5), "Trail Anna", None, False, None),
                                  (None, _cid(6), "Old Uploader", None, False, None),
                                  ("lockuprunner", _cid(7), "Lockup Runner", None, True, None)]


def _channel_page(tab_title: str, tab_content: dict) -> dict:
    return {"responseContext": {},
            "header": {"c4TabbedHeaderRenderer": {"channelId": _cid(50), "title": "Owner",
                                                  "subscriberCountText": {"simpleText": "1.2M subscribers"}}},
            "metadata": {"channelMetadataRenderer": {"title": "Owner", "externalId": _cid(50),
                                                     "vanityChannelUrl": "http://www.youtube.com/@owner"}},
            "contents": {"twoColumnBrowseResultsRenderer": {"tabs": [
                {"tabRenderer": {"title": tab_title, "selected": True, "content": tab_content}}]}}}


def test_channel_page_without_other_channels_is_no_list_page() -> None:
    videos = {"richGridRenderer": {"contents": [{"richItemRenderer": {"content": _video("iiiiiiiiiii", 50, "Owner", "/@owner")}}]}}
    capture = _capture("https://www.youtube.com/@owner/videos", _channel_page("Videos", videos))
    assert parse(capture).handle == "owner"
    with pytest.raises(NotACreatorPage):
        parse_listing(capture)


def test_topic_page_is_no_related_listing() -> None:
    """A page YouTube generated for a topic shows other channels' cards, but no one's related channels."""
    data = _channel_page("Home", {"sectionListRenderer": {"contents": [{"itemSectionRenderer": {"contents": [
        {"shelfRenderer": {"content": {"horizontalListRenderer": {"items": [
            {"gridChannelRenderer": {"channelId": _cid(8), "title": {"simpleText": "Game - Topic"}}}]}}}}]}}]}})
    data["header"] = {"interactiveTabbedHeaderRenderer": {"title": {"simpleText": "Game"}, "autoGenerated": {}}}
    with pytest.raises(NotACreatorPage):
        parse_listing(_capture(f"https://www.youtube.com/channel/{_cid(50)}", data))


def test_featured_channels_shelf_on_a_home_tab() -> None:
    shelf = {"sectionListRenderer": {"contents": [{"itemSectionRenderer": {"contents": [
        {"shelfRenderer": {"title": _runs("Featured channels"), "content": {"horizontalListRenderer": {"items": [
            {"gridChannelRenderer": {"channelId": _cid(9), "title": {"simpleText": "Friend"},
                                     "subscriberCountText": {"simpleText": "2.53m subscribers"},
                                     "videoCountText": _runs("1,205", " videos"),
                                     "navigationEndpoint": {"browseEndpoint": {"canonicalBaseUrl": "/@friend"}}}},
            {"channelRenderer": {"channelId": _cid(10), "title": {"simpleText": "Not featured"}}}]}}}}]}}]}}
    listing = parse_listing(_capture("https://www.youtube.com/@owner", _channel_page("Home", shelf)))
    assert (listing.kind, listing.owner) == ("related", "owner")
    assert _creators(listing) == [("friend", _cid(9), "Friend", (2530000, True), False, 1205)]


def test_empty_channels_tab_is_an_empty_related_listing() -> None:
    empty = {"sectionListRenderer": {"contents": [{"itemSectionRenderer": {"contents": [
        {"messageRenderer": {"text": _runs("This channel doesn't feature any other channels.")}}]}}]}}
    listing = parse_listing(_capture("https://www.youtube.com/@owner/channels", _channel_page("Channels", empty)))
    assert (listing.kind, listing.owner, listing.creators) == ("related", "owner", [])
    assert listing.warnings == ["This channel's Channels tab lists no other channels."]


def test_watch_page_is_no_list_page() -> None:
    with pytest.raises(NotACreatorPage):
        parse_listing(_capture("https://www.youtube.com/watch?v=aaaaaaaaaaa", {"contents": {}}))


@pytest.mark.parametrize("url, body, error", [
    (SEARCH_URL, '<form action="https://consent.youtube.com/save"></form>', LoginWall),
    ("https://consent.youtube.com/m?continue=https%3A%2F%2Fwww.youtube.com%2Fresults%3Fsearch_query%3Dx", "", LoginWall),
    (SEARCH_URL, "<p>Sign in to confirm you're not a bot</p>", Blocked),
    (SEARCH_URL, "<p>the page was cut off", Malformed),
])
def test_walls_and_broken_search_pages_are_typed_errors(url: str, body: str, error: type) -> None:
    with pytest.raises(error):
        parse_listing(_capture(url, None, body=body))


def test_search_url_showing_no_search_data_is_malformed() -> None:
    with pytest.raises(Malformed):
        parse_listing(_capture(SEARCH_URL, {"responseContext": {}, "contents": {"somethingElse": {}}}))


def test_many_results_parse_in_linear_time() -> None:
    """20,000 cards of 20,000 channels (a 3 MB page) parse inside the 3 s parse budget (about 1 s of
    CPU here); de-duplicating with a scan per card, 2 * 10^8 comparisons, ended in parse_timeout."""
    items = [{"videoRenderer": {"ownerText": {"runs": [{"text": f"C{i}", "navigationEndpoint": {"browseEndpoint": {
        "browseId": f"UC{i}", "canonicalBaseUrl": f"/@channel{i}"}}}]}}} for i in range(20_000)]
    items += items[:50]  # the same uploaders again: still one entry each
    listing = parse_listing(_capture(SEARCH_URL, _search_data(items)))
    assert listing.creators_total == 20_000
    assert listing.creators[-1].handle == "channel19999"


def test_cli_parse_prints_a_list_pages_listing(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    path = tmp_path / "search.json"
    path.write_text(json.dumps(_capture(SEARCH_URL, _search_data([_video("aaaaaaaaaaa", 1, "A", "/@aaa")]))),
                    encoding="utf-8")
    assert main(["parse", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["format"], out["kind"], out["creators_total"], out["creators"][0]["handle"]) == (
        LISTING_FORMAT, "search", 1, "aaa")
    path.write_text(json.dumps(_capture("https://www.youtube.com/watch?v=aaaaaaaaaaa", {"contents": {}})),
                    encoding="utf-8")
    assert main(["parse", str(path)]) == 3
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "not_a_creator_page"

