"""The YouTube parser: count texts in every language, hand-written fixtures, the real captured pages."""

from __future__ import annotations

import json
import re

import pytest

from scraper import parse
from scraper.capture import Capture
from scraper.counts import parse_count, parse_count_ex
from scraper.errors import CaptureError
from scraper.jsonpath import json_after
from scraper.platforms import youtube
from scraper.registry import platform_for
from tests.conftest import REALPAGES, cases_or_placeholder, load_case, load_fixture, require_realpages

# ---------------------------------------------------------------------------------------------------
# parse_count over the texts YouTube shows, by language (value, approximate)

MULTILINGUAL = [
    ("25m subscribers", "en-GB", 25_000_000, True),
    ("4.97M subscribers", "en", 4_970_000, True),
    ("91 subscribers", "en", 91, False),
    ("1,234,567 views", "en", 1_234_567, False),
    ("No views", "en", 0, False),
    ("16K videos", "en", 16_000, True),
    ("like this video along with 469,694 other people", "en-GB", 469_694, False),
    ("1,23 Mio. Abonnenten", "de", 1_230_000, True),
    ("1.234 Videos", "de", 1_234, False),
    ("12.345 Aufrufe", "de-DE", 12_345, False),
    ("2,5 Mio. Aufrufe", "de", 2_500_000, True),
    ("3,4 Tsd. Abonnenten", "de", 3_400, True),
    ("1,2 mil suscriptores", "es", 1_200, True),
    ("2,5 M de suscriptores", "es-419", 2_500_000, True),
    ("1,5 mil M de visualizaciones", "es", 1_500_000_000, True),
    ("3,27 mi de inscritos", "pt-BR", 3_270_000, True),
    ("12 mil inscritos", "pt", 12_000, True),
    ("1,2 k abonnés", "fr", 1_200, True),
    ("1,2 M d’abonnés", "fr-FR", 1_200_000, True),
    ("1,2 Md de vues", "fr", 1_200_000_000, True),
    ("12 lakh subscribers", "en-IN", 1_200_000, True),
    ("1.5 crore subscribers", "en-IN", 15_000_000, True),
    ("12 लाख सदस्य", "hi", 1_200_000, True),
    ("1.2万 位订阅者", "zh-CN", 12_000, True),
    ("3.4億 次觀看", "zh-TW", 340_000_000, True),
    ("チャンネル登録者数 12.3万人", "ja", 123_000, True),
    ("구독자 1.2만명", "ko", 12_000, True),
    ("조회수 3.4억회", "ko", 340_000_000, True),
    ("1,2 млн подписчиков", "ru", 1_200_000, True),
    ("1,2 тыс. подписчиков", "ru", 1_200, True),
    ("12 N lượt đăng ký", "vi", 12_000, True),
    ("1,2 Tr lượt xem", "vi", 1_200_000, True),
    ("1,2 rb subscriber", "id", 1_200, True),
    ("1,2 jt x ditonton", "id", 1_200_000, True),
    ("1,2 B abone", "tr", 1_200, True),
    ("1,2 Mn görüntüleme", "tr", 1_200_000, True),
    ("1.2B views", "en", 1_200_000_000, True),
    ("1,2 mln subskrybentów", "pl", 1_200_000, True),
    ("1,2 tys. wyświetleń", "pl", 1_200, True),
    ("1.2 ล้าน ครั้ง", "th", 1_200_000, True),
    ("\u200e\u2068@someone\u2069 • \u206824m subscribers\u2069", "en-GB", 24_000_000, True),
]


@pytest.mark.parametrize(("text", "lang", "value", "approx"), MULTILINGUAL)
def test_parse_count_multilingual(text: str, lang: str, value: int, approx: bool) -> None:
    assert parse_count_ex(text, lang) == (value, approx)


_COUNT_KEYS = {"subscriberCountText", "viewCountText", "shortViewCountText", "videosCountText", "voteCount",
               "countText", "contextualInfo", "likeCountNotliked", "replyCount", "videoCountText"}


def _texts(obj, out: dict, pairs: set, short_pairs: set) -> None:
    """Count texts of a page, (text, accessibility label) pairs and (exact, short) view-count pairs."""
    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for key, value in cur.items():
                if key in _COUNT_KEYS:
                    text = youtube._text(value)
                    if text:
                        out[text] = out.get(text, 0) + 1
                        label = (((value.get("accessibility") or {}).get("accessibilityData") or {}).get("label")
                                 if isinstance(value, dict) else None)
                        if label:
                            pairs.add((text, label))
                if key == "viewCountText" and isinstance(value, dict) and "simpleText" in value:
                    short = youtube._text(cur.get("shortViewCountText"))
                    if short:
                        short_pairs.add((value["simpleText"], short))
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(cur, list):
            stack.extend(cur)


@pytest.fixture(scope="module")
def real_count_texts() -> tuple[dict, set, set]:
    require_realpages()
    texts: dict = {}
    pairs: set = set()
    short_pairs: set = set()
    for path in sorted((REALPAGES / "youtube").glob("*.capture.json")):
        if ".spa." in path.name:
            continue  # the same JSON as its non-SPA twin
        cap = Capture.load(json.loads(path.read_text(encoding="utf-8")))
        data, _ = json_after(cap.html, "var ytInitialData")
        _texts(data, texts, pairs, short_pairs)
        for r in cap.responses:
            _texts(r.json(), texts, pairs, short_pairs)
    return texts, pairs, short_pairs


@pytest.mark.realpages
def test_every_real_count_text_parses(real_count_texts) -> None:
    texts, _, _ = real_count_texts
    assert len(texts) > 100
    for text in texts:
        value, approx = parse_count_ex(text, "en-GB")
        if not re.search(r"\d", text):
            assert value is None, text
            continue
        assert value is not None, text
        # a unit letter ("23K", "3.9m") means YouTube rounded; digits alone are exact
        has_unit = bool(re.search(r"\d\s*[KkMmBb]\b", text))
        assert approx == (has_unit or value != int(value)), text


@pytest.mark.realpages
def test_real_count_text_agrees_with_its_spoken_label(real_count_texts) -> None:
    """YouTube pairs "3.27M subscribers" with the label "3.27 million subscribers": both parse alike."""
    _, pairs, _ = real_count_texts
    assert len(pairs) > 50
    for text, label in pairs:
        assert parse_count(text, "en-GB") == parse_count(label, "en-GB"), (text, label)


@pytest.mark.realpages
def test_real_short_view_count_is_the_exact_one_truncated(real_count_texts) -> None:
    """"55K views" beside "55,182 views": the short form is the exact one cut to 2-3 digits."""
    _, _, short_pairs = real_count_texts
    assert len(short_pairs) > 100
    for exact_text, short_text in short_pairs:
        exact, exact_approx = parse_count_ex(exact_text, "en-GB")
        short, _ = parse_count_ex(short_text, "en-GB")
        if exact is None or short is None:
            continue  # "1,263 watching" beside a live badge, for instance
        assert not exact_approx, exact_text
        assert short <= exact < short * 1.1 + 1, (exact_text, short_text)


# ---------------------------------------------------------------------------------------------------
# Hand-written fixtures: every layout and error without ../shared


def test_fixture_channel_page_header_in_german() -> None:
    snap = parse(load_fixture("youtube_channel_pageheader_de.capture.json"))
    assert (snap.platform, snap.handle, snap.platform_id) == ("youtube", "kanalbeispiel", "UCabcdefghijklmnopqrstuv")
    assert snap.url == "https://www.youtube.com/@kanalbeispiel"
    assert snap.display_name == "Kanal Beispiel"
    assert snap.verified is True
    assert snap.bio == "Wissenschaft für alle. #wissen"
    assert snap.avatar_url == "https://yt3.example/a=s160"  # the largest size
    assert snap.links == ["https://example.org/"]  # behind YouTube's redirect
    # "1,23 Mio. Abonnenten" is rounded; a German "1.234 Videos" is an exact thousand and more
    assert (snap.followers, snap.posts) == (1_230_000, 1_234)
    assert snap.approximate == ["followers"]
    posts = {p.id: p for p in snap.recent_posts}
    # another creator's video and a playlist lockup are not this channel's posts
    assert [p.id for p in snap.recent_posts] == ["aaaaaaaaaa1", "aaaaaaaaaa2", "aaaaaaaaaa4", "aaaaaaaaaa5"]
    assert posts["aaaaaaaaaa1"].views == 12_345
    assert posts["aaaaaaaaaa1"].is_sponsored is True  # "#Werbung"
    assert posts["aaaaaaaaaa2"].views is None  # live now: viewers, not views
    assert posts["aaaaaaaaaa2"].published_at is None
    assert posts["aaaaaaaaaa4"].views == 1_234_567
    assert posts["aaaaaaaaaa4"].hashtags == ["wissen", "astronomie"]
    assert posts["aaaaaaaaaa4"].mentions == ["freund"]
    assert posts["aaaaaaaaaa4"].is_sponsored is None  # no disclosure in the title proves nothing
    assert (posts["aaaaaaaaaa5"].views, posts["aaaaaaaaaa5"].published_at) == (2_500_000, "2026-01-02T10:00:00Z")  # "vor 1 Monat" before the capture


def test_fixture_watch_page_in_german_without_a_language_reads_thousands() -> None:
    # no <html lang>, no HL: "469.694" likes and "19.783" comments are integers in any language
    snap = parse(load_fixture("youtube_watch_de_nolang.capture.json"))
    [post] = snap.recent_posts
    assert (post.views, post.likes, post.comments) == (1_234_567, 469_694, 19_783)
    assert post.published_at == "2025-03-03"  # "03.03.2025"
    assert snap.followers == 2_500_000  # "2,5 Mio.": a unit, so the comma is a decimal
    assert [(c.likes, c.replies) for c in snap.comments] == [(19_000, 436), (1_234, 0), (0, 0)]
    # "vor 1 Monat (bearbeitet)", "vor 2 Tagen", "vor einem Tag" before 2026-02-01T10:00Z
    assert [c.published_at for c in snap.comments] == [
        "2026-01-02T10:00:00Z", "2026-01-30T10:00:00Z", "2026-01-31T10:00:00Z"]


def test_fixture_lockup_parts_are_read_for_what_they_are() -> None:
    snap = parse(load_fixture("youtube_channel_lockup_dates_de.capture.json"))
    got = [(p.id, p.views, p.published_at) for p in snap.recent_posts]
    assert got == [
        # a stream's row names only its date: its "6" is no view count, and the date is kept
        ("bbbbbbbbbb1", None, "2025-08-05T10:00:00Z"),
        # a premiere's row puts the date first
        ("bbbbbbbbbb2", 12_345, "2026-01-30T10:00:00Z"),
        # three posts "vor 2 Monaten": distinct times inside the label's month, in page order
        ("bbbbbbbbbb3", 1_200_000, "2025-12-03T10:00:00Z"),
        ("bbbbbbbbbb4", 980_000, "2025-11-23T10:00:00Z"),
        ("bbbbbbbbbb5", 45_678, "2025-11-13T10:00:00Z"),
        ("bbbbbbbbbb6", 3_456, "2025-11-03T10:00:00Z"),
    ]


def test_fixture_spa_prefers_the_newest_browse_response_over_stale_initial_data() -> None:
    snap = parse(load_fixture("youtube_channel_c4.spa.capture.json"))
    assert snap.display_name == "Fresh Channel"
    assert snap.platform_id == "UCabcdefghijklmnopqrstuv"
    assert snap.handle is None  # only /channel/UC... and a legacy /c/ URL: no @handle on the page
    assert snap.url == "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv"
    assert (snap.followers, snap.approximate, snap.verified) == (91, [], True)
    assert snap.bio is None
    assert snap.avatar_url == "https://yt3.ggpht.com/b=s176"
    assert snap.links == ["http://shop.example.com"]
    # the grid, then the continuation the page loaded while scrolling
    assert [(p.id, p.views) for p in snap.recent_posts] == [
        ("cccccccccc1", 5_149), ("cccccccccc2", 0), ("cccccccccc3", 1_200)]


def test_fixture_watch_page_with_comment_entities() -> None:
    snap = parse(load_fixture("youtube_watch.capture.json"))
    assert (snap.handle, snap.platform_id, snap.display_name) == ("starlab", "UCabcdefghijklmnopqrstuv", "Star Lab")
    assert (snap.followers, snap.approximate, snap.verified) == (2_500_000, ["followers"], True)
    [post] = snap.recent_posts
    assert (post.id, post.url) == ("dddddddddd1", "https://www.youtube.com/watch?v=dddddddddd1")
    # exact views, exact likes from the button's spoken text, exact comment count from the comments header
    assert (post.views, post.likes, post.comments) == (1_234_567, 45_678, 3_456)
    assert post.published_at == "2025-03-03"
    assert post.is_sponsored is True  # "sponsored by" in the description
    assert post.hashtags == ["space", "science", "astronomy"]
    assert post.mentions == ["nasa"]
    # display order follows the threads, not the order of the entity mutations
    assert [(c.author, c.likes, c.replies, c.is_creator) for c in snap.comments] == [
        ("@starlab", 19_000, 436, True), ("@viewer_two", 1_200, 0, False), ("@viewer_three", 0, 0, False)]
    assert snap.comments[0].published_at == "2026-01-02T10:00:00Z"  # "1 month ago (edited)"
    assert {c.post_id for c in snap.comments} == {"dddddddddd1"}


def test_fixture_watch_page_2021_shape_after_spa_navigation() -> None:
    snap = parse(load_fixture("youtube_watch_2021.spa.capture.json"))
    [post] = snap.recent_posts
    assert (post.id, post.likes, post.comments) == ("eeeeeeeeee1", 45_678, 3_456)
    assert post.is_sponsored is True
    assert [(c.author, c.text, c.likes, c.replies, c.is_creator) for c in snap.comments] == [
        ("Star Lab", "Pinned note", 2_100, 12, True), ("Someone", "Nice", 0, 0, False)]


def test_fixture_watch_page_without_disclosure_is_not_sponsored_when_the_player_is_present() -> None:
    capture = load_fixture("youtube_watch.capture.json")
    capture["html"] = capture["html"].replace("This video is sponsored by Telescopes Inc. ", "")
    assert parse(capture).recent_posts[0].is_sponsored is False
    paid = capture["html"].replace('"playabilityStatus"', '"paidContentOverlayRenderer":{},"p"')
    assert parse(dict(capture, html=paid)).recent_posts[0].is_sponsored is True
    # Another video's player response (left from before an in-app navigation) says nothing about this one.
    stale = paid.replace('"videoDetails":{"videoId":"dddddddddd1"}', '"videoDetails":{"videoId":"eeeeeeeeee2"}')
    assert parse(dict(capture, html=stale)).recent_posts[0].is_sponsored is None
    # A flag in a later script (another renderer's data) is not the player's.
    later = capture["html"] + '<script>var other = {"paidContentOverlayRenderer":{}};</script>'
    assert parse(dict(capture, html=later)).recent_posts[0].is_sponsored is False


@pytest.mark.parametrize(("name", "code"), [
    ("youtube_error_agegate.capture.json", "restricted"),
    ("youtube_error_removed.spa.capture.json", "unavailable"),
    ("youtube_error_topic.capture.json", "not_a_creator_page"),
    ("youtube_error_consent.capture.json", "login_wall"),
    ("youtube_error_bot.capture.json", "blocked"),
    ("youtube_error_truncated.capture.json", "malformed"),
])
def test_fixture_error_pages(name: str, code: str) -> None:
    with pytest.raises(CaptureError) as info:
        parse(load_fixture(name))
    assert info.value.code == code
    assert len(info.value.message) > 20


def test_empty_initial_data_and_no_response_is_malformed() -> None:
    capture = load_fixture("youtube_watch_2021.spa.capture.json")
    capture["responses"] = []
    with pytest.raises(CaptureError) as info:
        parse(capture)
    assert info.value.code == "malformed"


def test_failed_and_unrelated_responses_are_ignored() -> None:
    capture = load_fixture("youtube_channel_c4.spa.capture.json")
    for r in capture["responses"]:
        if "browse" in r["url"]:
            r["status"] = 500
    # only the stale initial data is left: it is parsed, not the failed responses
    assert parse(capture).display_name == "Alt"


def test_watch_url_with_data_for_no_video_names_the_reason() -> None:
    capture = load_fixture("youtube_channel_pageheader_de.capture.json")
    capture["url"] = "https://www.youtube.com/watch?v=zzzzzzzzzz9"
    capture["html"] = ('<html lang="en"><script>var ytInitialPlayerResponse = {"playabilityStatus": {"status": "ERROR",'
                       ' "reason": "Video unavailable"}};</script><script>var ytInitialData = {"contents": {}};</script>')
    with pytest.raises(CaptureError) as info:
        parse(capture)
    assert info.value.code == "unavailable"
    assert "Video unavailable" in info.value.message


# ---------------------------------------------------------------------------------------------------
# URLs


@pytest.mark.parametrize(("value", "url"), [
    ("@kurzgesagt", "https://www.youtube.com/@kurzgesagt"),
    ("kurzgesagt", "https://www.youtube.com/@kurzgesagt"),
    ("UCsXVk37bltHxD1rDPwtNM8Q", "https://www.youtube.com/channel/UCsXVk37bltHxD1rDPwtNM8Q"),
    ("https://www.youtube.com/@gronkh/videos", "https://www.youtube.com/@gronkh"),
    (" @Some.Name-1 ", "https://www.youtube.com/@Some.Name-1"),
])
def test_profile_url(value: str, url: str) -> None:
    assert youtube.profile_url(value) == url


@pytest.mark.parametrize("value", ["", "   ", "has space", "https://www.youtube.com/watch?v=QqsLTNkzvaY", "a/b"])
def test_profile_url_rejects_what_names_no_channel(value: str) -> None:
    with pytest.raises(ValueError):
        youtube.profile_url(value)


@pytest.mark.parametrize(("url", "handle"), [
    ("https://www.youtube.com/@kurzgesagt", "kurzgesagt"),
    ("https://www.youtube.com/@kurzgesagt/videos?view=0", "kurzgesagt"),
    ("https://m.youtube.com/@PewDiePie", "PewDiePie"),
    ("https://www.youtube.com/@%ED%95%9C%EA%B8%80", "한글"),
    ("https://www.youtube.com/channel/UCsXVk37bltHxD1rDPwtNM8Q/videos", "UCsXVk37bltHxD1rDPwtNM8Q"),
    ("https://www.youtube.com/watch?v=QqsLTNkzvaY", None),
    ("https://www.youtube.com/c/gronkh", None),
    ("https://www.youtube.com/", None),
    ("https://example.com/@kurzgesagt", None),
    ("not a url", None),
])
def test_handle_from_url(url: str, handle: str | None) -> None:
    assert youtube.handle_from_url(url) == handle


def test_url_pattern_routes_youtube_and_its_consent_page() -> None:
    for url in ("https://www.youtube.com/@x", "https://m.youtube.com/watch?v=QqsLTNkzvaY",
                "https://consent.youtube.com/m?continue=x", "https://youtu.be/QqsLTNkzvaY"):
        assert platform_for(url) is youtube.PLATFORM, url
    assert platform_for("https://www.youtube.community/") is None


# ---------------------------------------------------------------------------------------------------
# Real pages: what test_realpages does not check


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_or_placeholder("youtube"))
def test_realpage_snapshot_is_consistent(case: str) -> None:
    capture, expected = load_case(case)
    if expected["error"]:
        return
    snap = parse(capture)
    assert snap.url == (f"https://www.youtube.com/@{snap.handle}" if snap.handle
                        else f"https://www.youtube.com/channel/{snap.platform_id}")
    assert set(snap.approximate) <= {"followers", "posts", "views"}
    for post in snap.recent_posts:
        assert re.fullmatch(r"[\w-]{11}", post.id), post.id
        assert post.url.endswith(post.id)
    assert len({p.id for p in snap.recent_posts}) == len(snap.recent_posts)
    assert snap.captured_at == capture["captured_at"]


def test_realpage_details() -> None:
    require_realpages()
    kurz = parse(load_case("youtube/yt_channel_kurzgesagt_2026-01")[0])
    assert kurz.bio and kurz.bio.startswith("Animation videos explaining things")
    assert kurz.avatar_url and kurz.avatar_url.startswith("https://yt3.googleusercontent.com/")
    assert kurz.recent_posts[1].is_sponsored is True  # "This video was sponsored by Brilliant"
    gronkh = parse(load_case("youtube/yt_channel_gronkh_2021-02_pbj")[0])
    assert "http://twitter.com/Gronkh" in gronkh.links
    watch = parse(load_case("youtube/yt_watch_QqsLTNkzvaY_2026-01")[0])
    first = watch.comments[0]
    assert (first.is_creator, first.replies, first.post_id) == (True, 436, "QqsLTNkzvaY")
    assert not any(c.is_creator for c in watch.comments[1:3])
    assert watch.recent_posts[0].published_at == "2021-04-27"
    pewdiepie = parse(load_case("youtube/yt_watch_pewdiepie_7PIMiDcwNvc_HEAD")[0])
    assert "kewgardens" in pewdiepie.recent_posts[0].mentions


# ---------------------------------------------------------------------------------------------------
# Shorts pages, the player response, the video's own category
#
# The Shorts fixture is hand-made from public shapes (no real Shorts recording exists in ../shared):
# `ytInitialPlayerResponse.videoDetails` / `microformat.playerMicroformatRenderer` as yt-dlp reads them,
# and the Shorts `overlay.reelPlayerOverlayRenderer` (header renderer with the channel's browseEndpoint,
# likeButtonRenderer.likeCount) as YouTube's desktop /shorts/ page carries it.


def test_fixture_shorts_page_is_a_creator_page() -> None:
    snap = parse(load_fixture("youtube_shorts.capture.json"))
    assert (snap.handle, snap.platform_id, snap.display_name) == ("spacebits", "UCspacespacespacespace01", "Space Bits")
    assert snap.url == "https://www.youtube.com/@spacebits"
    assert snap.avatar_url == "https://yt3.example.invalid/sb_88.jpg"
    [post] = snap.recent_posts
    assert (post.id, post.url) == ("sssssssssS1", "https://www.youtube.com/shorts/sssssssssS1")
    assert (post.views, post.likes, post.published_at) == (482_113, 21_034, "2025-05-20T09:00:00-07:00")
    assert post.hashtags == ["space", "shorts", "astro"] and post.mentions == ["skycam"]
    assert post.is_sponsored is False
    assert post.category == "Science & Technology" and snap.categories == ["Science & Technology"]


def test_shorts_page_from_the_player_alone() -> None:
    """ytInitialData without the overlay (after an in-app navigation): the player still names the channel."""
    cap = load_fixture("youtube_shorts.capture.json")
    html = cap["html"]
    start = html.find("var ytInitialData")
    cap["html"] = html[:start] + 'var ytInitialData = {"responseContext": {}};</script></body></html>'
    snap = parse(cap)
    assert (snap.handle, snap.platform_id, snap.display_name) == ("spacebits", "UCspacespacespacespace01", "Space Bits")
    assert snap.recent_posts[0].likes is None and snap.recent_posts[0].views == 482_113
    assert any("player" in w for w in snap.warnings)


def test_shorts_page_of_an_unplayable_video_names_the_reason() -> None:
    cap = load_fixture("youtube_shorts.capture.json")
    cap["html"] = cap["html"].replace('"playabilityStatus": {"status": "OK"}',
                                      '"playabilityStatus": {"status": "ERROR", "reason": "This video is unavailable"}')
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "unavailable"


def test_stale_player_of_another_video_is_not_read() -> None:
    cap = load_fixture("youtube_shorts.capture.json")
    cap["url"] = "https://www.youtube.com/shorts/otherVideo1"
    with pytest.raises(CaptureError):
        parse(cap)


def test_shorts_player_from_a_player_response_after_navigation() -> None:
    cap = load_fixture("youtube_shorts.capture.json")
    html = cap["html"]
    player, _ = json_after(html, "var ytInitialPlayerResponse")
    cap["html"] = '<!DOCTYPE html><html lang="en"><body><script>var ytInitialData = {};</script></body></html>'
    cap["responses"] = [{"url": "https://www.youtube.com/youtubei/v1/player?prettyPrint=false", "status": 200,
                         "content_type": "application/json", "body": json.dumps(player)}]
    snap = parse(cap)
    assert snap.handle == "spacebits" and snap.recent_posts[0].category == "Science & Technology"


def test_watch_page_category_from_the_player_microformat() -> None:
    cap = load_fixture("youtube_watch.capture.json")
    cap["html"] = cap["html"].replace('"videoDetails":{"videoId":"dddddddddd1"}}',
                                      '"videoDetails":{"videoId":"dddddddddd1"},"microformat":{"playerMicroformatRenderer":'
                                      '{"category":"Education","externalChannelId":"UCx"}}}')
    snap = parse(cap)
    assert snap.recent_posts[0].category == "Education" and snap.categories == ["Education"]
    # without a microformat (the real /next-only captures) there is no category, never a guess
    assert parse(load_fixture("youtube_watch.capture.json")).categories == []


# The schema.org microdata of YouTube's server-rendered watch page (hand-made here after the public
# `itemtype="http://schema.org/VideoObject"` block: no real watch page in ../shared keeps its body).
MICRODATA = ('<div id="watch7-content" class="watch-main-col" itemscope itemid="" itemtype="http://schema.org/VideoObject">'
             '<link itemprop="url" href="https://www.youtube.com/watch?v=mmmmmmmmmm1">'
             '<meta itemprop="name" content="Why the sky is blue &amp; sunsets are red">'
             '<meta itemprop="paid" content="False"><meta itemprop="channelId" content="UCmicromicromicromicro01">'
             '<meta itemprop="videoId" content="mmmmmmmmmm1"><meta itemprop="duration" content="PT8M1S">'
             '<span itemprop="author" itemscope itemtype="http://schema.org/Person">'
             '<link itemprop="url" href="http://www.youtube.com/@skyfacts"><link itemprop="name" content="Sky Facts"></span>'
             '<meta itemprop="interactionCount" content="48213"><meta itemprop="datePublished" content="2024-03-02T08:00:00-08:00">'
             '<meta itemprop="genre" content="Education"></div>')


def test_watch_page_with_only_its_microdata() -> None:
    cap = {"format": "kolscope.capture/1", "url": "https://www.youtube.com/watch?v=mmmmmmmmmm1",
           "html": f'<!DOCTYPE html><html lang="en"><body>{MICRODATA}<script>var ytInitialData = {{}};</script></body></html>',
           "responses": []}
    snap = parse(cap)
    assert (snap.handle, snap.platform_id, snap.display_name) == ("skyfacts", "UCmicromicromicromicro01", "Sky Facts")
    [post] = snap.recent_posts
    assert (post.id, post.title, post.views, post.category) == (
        "mmmmmmmmmm1", "Why the sky is blue & sunsets are red", 48_213, "Education")
    assert post.url == "https://www.youtube.com/watch?v=mmmmmmmmmm1" and snap.categories == ["Education"]
    cap["url"] = "https://www.youtube.com/watch?v=otherVideo1"  # microdata of another video: not read
    with pytest.raises(CaptureError):
        parse(cap)


def test_watch_page_category_from_microdata() -> None:
    cap = load_fixture("youtube_watch.capture.json")
    cap["html"] = cap["html"].replace("<body>", "<body>" + MICRODATA.replace("mmmmmmmmmm1", "dddddddddd1"), 1)
    assert parse(cap).recent_posts[0].category == "Education"
