"""TikTok parser over the project's own synthetic captures (no ../shared needed), plus real-page extras."""

from __future__ import annotations

import copy
import json

import pytest

from scraper import parse
from scraper.capture import Capture
from scraper.errors import CaptureError
from scraper.jsonpath import json_at_key
from scraper.platforms import tiktok
from tests.conftest import load_case, load_fixture, realpage_cases


def _fixture(name: str) -> dict:
    return load_fixture(f"tiktok_{name}.capture.json")


def test_universal_profile_prefers_exact_stats_v2() -> None:
    snap = parse(_fixture("profile_universal"))
    assert (snap.platform, snap.handle, snap.platform_id) == ("tiktok", "mia.bakes", "6800000000000000001")
    assert snap.url == "https://www.tiktok.com/@mia.bakes"
    assert snap.display_name == "Mia Bakes 🍰"
    assert snap.bio == "Baking every day 🧁\nBusiness: mia@example.com"
    assert snap.avatar_url == "https://p16.example.invalid/mia_1080.jpeg"
    assert snap.verified is True
    assert snap.links == ["https://miabakes.example.com"]
    # statsV2 "1234567" wins over the rounded stats 1200000
    assert (snap.followers, snap.following, snap.posts, snap.likes) == (1_234_567, 89, 321, 45_678_901)
    assert snap.approximate == []
    assert snap.warnings == []


def test_item_list_response_gives_recent_posts() -> None:
    snap = parse(_fixture("profile_universal"))
    ids = [p.id for p in snap.recent_posts]
    # pinned post and another author's item left out; page order kept
    assert ids == ["7300000000000000003", "7300000000000000002", "7300000000000000005"]
    tart, flour, cake = snap.recent_posts
    assert tart.url == "https://www.tiktok.com/@mia.bakes/video/7300000000000000003"
    assert tart.title == "Lemon tart with @chef.tom #baking #LemonTart"
    assert tart.published_at == "2024-03-01T00:00:00Z"
    assert (tart.views, tart.likes, tart.comments, tart.shares) == (123_456, 7_890, 321, 45)
    assert tart.hashtags == ["baking", "lemontart"]
    assert tart.mentions == ["chef.tom"]
    assert tart.is_sponsored is False
    assert flour.is_sponsored is True      # "#ad" disclosure in the caption
    assert cake.is_sponsored is True       # TikTok's own isAd flag


def test_sigi_state_profile() -> None:
    snap = parse(_fixture("profile_sigi"))
    assert snap.handle == "old.baker"
    assert snap.platform_id == "6700000000000000001"
    assert snap.country == "US"
    assert snap.bio is None and snap.links == []
    # SIGI pages have only `stats`: integers, taken as exact, with a warning that TikTok rounds them
    assert (snap.followers, snap.following, snap.posts, snap.likes) == (11_200_000, 12, 2, 587_500_000)
    assert snap.approximate == []
    assert any("rounded" in w for w in snap.warnings)
    # grid order comes from ItemList, not from ItemModule's key order
    assert [p.id for p in snap.recent_posts] == ["7100000000000000001", "7100000000000000002"]
    assert snap.recent_posts[0].hashtags == ["fyp"]
    assert snap.recent_posts[0].published_at == "2022-04-16T09:06:40Z"
    assert snap.captured_at == "2023-02-01T00:00:00Z"


def test_video_page_creator_post_and_comments() -> None:
    snap = parse(_fixture("video"))
    assert snap.handle == "mia.bakes"
    assert snap.followers == 1_234_567            # authorStatsV2, not the rounded authorStats
    assert [p.id for p in snap.recent_posts] == ["7400000000000000009"]
    post = snap.recent_posts[0]
    assert (post.views, post.likes, post.comments, post.shares) == (317_100, 32_700, 449, 1_425)
    assert post.hashtags == ["receita"] and post.mentions == ["ana.lu"]
    assert post.published_at == "2024-06-01T00:00:00Z"
    # comments of this video only, in order, the creator's own reply flagged
    assert [(c.author, c.likes, c.replies, c.is_creator) for c in snap.comments] == [
        ("ana.lu", 120, 3, False), ("mia.bakes", 45, 0, True)]
    assert snap.comments[0].post_id == "7400000000000000009"
    assert snap.comments[0].published_at == "2024-06-01T01:00:00Z"
    assert snap.comments[1].text == "Obrigada ❤️"


@pytest.mark.parametrize(("name", "code"), [
    ("error_notfound", "unavailable"),
    ("error_private", "restricted"),
    ("error_captcha", "blocked"),
    ("error_login", "login_wall"),
])
def test_error_pages(name: str, code: str) -> None:
    with pytest.raises(CaptureError) as info:
        parse(_fixture(name))
    assert info.value.code == code
    assert info.value.message


def test_private_account_with_visible_counts_is_a_snapshot_with_a_warning() -> None:
    cap = _fixture("profile_universal")
    cap["html"] = cap["html"].replace('"privateAccount": false', '"privateAccount": true')
    snap = parse(cap)
    assert snap.followers == 1_234_567
    assert any("Private" in w for w in snap.warnings)


def test_private_account_without_counts_is_restricted() -> None:
    cap = _fixture("profile_universal")
    html = cap["html"].replace('"privateAccount": false', '"privateAccount": true')
    for key in ('"stats": {', '"statsV2": {'):
        html = html.replace(key, key.replace("stats", "hidden"))
    cap["html"] = html
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "restricted"


def test_rounded_stats_only_on_universal_page_warns() -> None:
    cap = _fixture("profile_universal")
    cap["html"] = cap["html"].replace('"statsV2": {', '"gone": {').replace('"videoCount": 321}',
                                                                           '"videoCount": 321, "needFix": true}')
    snap = parse(cap)
    assert snap.followers == 1_200_000
    assert any("rounded" in w for w in snap.warnings)


def test_truncated_embedded_json_is_malformed() -> None:
    cap = _fixture("profile_universal")
    cap["html"] = cap["html"][: cap["html"].find('"statsV2"')]
    cap["responses"] = []
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "malformed"


def test_non_creator_tiktok_page() -> None:
    cap = {"url": "https://www.tiktok.com/foryou", "html": "<html><body>For you</body></html>"}
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "not_a_creator_page"


def test_api_user_detail_response_alone_is_enough() -> None:
    src = _fixture("profile_universal")
    detail = json.loads(src["html"].split('type="application/json">', 1)[1].split("</script>", 1)[0])
    info = detail["__DEFAULT_SCOPE__"]["webapp.user-detail"]["userInfo"]
    cap = {"url": "https://www.tiktok.com/@mia.bakes", "html": "<html><body></body></html>",
           "responses": [{"url": "https://www.tiktok.com/api/user/detail/?uniqueId=mia.bakes", "status": 200,
                          "content_type": "application/json", "body": json.dumps({"userInfo": info})}]}
    snap = parse(cap)
    assert snap.handle == "mia.bakes" and snap.followers == 1_234_567


def test_post_cap_and_duplicates() -> None:
    cap = _fixture("profile_universal")
    body = json.loads(cap["responses"][0]["body"])
    base = body["itemList"][1]
    body["itemList"] = [dict(copy.deepcopy(base), id=str(7300000000000000100 + i)) for i in range(40)]
    body["itemList"].append(copy.deepcopy(body["itemList"][0]))
    cap["responses"] = [dict(cap["responses"][0], body=json.dumps(body)),
                        dict(cap["responses"][0], body=json.dumps(body))]
    snap = parse(cap)
    assert len(snap.recent_posts) == tiktok.MAX_POSTS
    assert len({p.id for p in snap.recent_posts}) == tiktok.MAX_POSTS


@pytest.mark.parametrize(("url", "handle"), [
    ("https://www.tiktok.com/@mia.bakes", "mia.bakes"),
    ("https://www.tiktok.com/@w..corporation/video/7606836476323597588", "w..corporation"),
    ("https://m.tiktok.com/@some_one?lang=de", "some_one"),
    ("https://www.tiktok.com/foryou", None),
    ("https://www.youtube.com/@mia", None),
])
def test_handle_from_url(url: str, handle: str | None) -> None:
    assert tiktok.handle_from_url(url) == handle


def test_profile_url() -> None:
    assert tiktok.profile_url("@mia.bakes") == "https://www.tiktok.com/@mia.bakes"
    assert tiktok.profile_url("mia.bakes") == "https://www.tiktok.com/@mia.bakes"
    with pytest.raises(ValueError):
        tiktok.profile_url("not a handle/")


def test_json_at_key_skips_same_named_member_of_another_type() -> None:
    text = '{"t": {"webapp.user-detail": "label"}, "webapp.user-detail": {"ok": 1}}'
    assert json_at_key(text, "webapp.user-detail") == "label"
    assert json_at_key(text, "webapp.user-detail", expected_type=dict) == {"ok": 1}
    assert json_at_key(text, "missing") is None
    assert json_at_key('{"a": {"b": 1', "a") is None      # truncated


# --- extras on the real pages, beyond their .expected.json ---------------------------------------


@pytest.mark.realpages
@pytest.mark.skipif(not realpage_cases("tiktok"), reason="real pages absent (test_realpages reports it)")
def test_real_sigi_page_details() -> None:
    capture, _ = load_case("tiktok/tt_profile_dylanlemay_2023-02_sigi")
    snap = parse(capture)
    assert snap.bio and snap.bio.startswith("Visit")
    assert snap.links == ["https://catchnicecream.com"]
    assert snap.country == "US"
    first = snap.recent_posts[0]
    assert first.hashtags == ["catchnicecream", "icecream", "tiktoksmallbusiness"]
    assert first.published_at == "2023-02-22T16:44:49Z"
    assert first.is_sponsored is False
    assert len(snap.recent_posts) == tiktok.MAX_POSTS


@pytest.mark.realpages
@pytest.mark.skipif(not realpage_cases("tiktok"), reason="real pages absent (test_realpages reports it)")
def test_real_video_page_details() -> None:
    capture, _ = load_case("tiktok/tt_video_7606836476323597588_ptBR_full")
    snap = parse(Capture.load(capture))
    post = snap.recent_posts[0]
    assert post.hashtags == ["inteligenciaartificial", "ia", "google", "gemini", "fy"]
    assert post.shares == 1425
    assert post.published_at == "2026-02-14T21:30:45Z"
    assert snap.bio == "Um curioso e Consumista nato de tecnologia."


# --- the rendered page: header and grid when the embedded data is missing -----------------------------


def test_rendered_profile_header_and_grid() -> None:
    """A profile saved from the browser / serialised after an in-app navigation: no embedded state."""
    snap = parse(_fixture("profile_rendered"))
    assert (snap.handle, snap.display_name, snap.verified) == ("mia.bakes", "Mia Bakes 🍰", True)
    assert (snap.followers, snap.following, snap.likes) == (1_200_000, 89, 45_700_000)
    assert sorted(snap.approximate) == ["followers", "likes"]  # "1.2M" is rounded, "89" is not
    assert snap.bio == "Baking every day 🧁 Business: mia@example.com"
    assert snap.links == ["https://miabakes.example.com"]
    # grid order; the pinned video and the duet of another account left out
    assert [p.id for p in snap.recent_posts] == ["7400000000000000009", "7400000000000000008", "7400000000000000006"]
    first, ad, _ = snap.recent_posts
    assert (first.views, first.title, first.hashtags, first.mentions) == (
        317_100, "Bolo de cenoura 🥕 #receita @ana.lu", ["receita"], ["ana.lu"])
    assert first.url == "https://www.tiktok.com/@mia.bakes/video/7400000000000000009"
    assert ad.is_sponsored is True and first.is_sponsored is False
    assert any("rendered" in w for w in snap.warnings)


def test_rendered_header_of_another_account_is_not_this_creator() -> None:
    cap = _fixture("profile_rendered")
    cap["url"] = "https://www.tiktok.com/@someone.else"
    with pytest.raises(CaptureError) as info:
        parse(cap)  # neither the stale header nor the meta tags (they name @mia.bakes) describe @someone.else
    assert info.value.code == "not_a_creator_page"


def test_meta_description_when_nothing_is_rendered() -> None:
    cap = _fixture("profile_rendered")
    cap["html"] = cap["html"].replace('data-e2e="user-title"', 'data-e2e="gone"')
    snap = parse(cap)
    assert (snap.handle, snap.display_name, snap.followers, snap.likes) == ("mia.bakes", "Mia Bakes 🍰", 1_200_000, 45_700_000)
    assert snap.following is None and sorted(snap.approximate) == ["followers", "likes"]
    assert len(snap.recent_posts) == 3  # the grid is still read


def test_embedded_account_without_items_reads_the_rendered_grid() -> None:
    """The DOM the extension serialises before the item list arrives: the account is embedded, the videos
    are only in the grid."""
    cap = _fixture("profile_universal")
    cap["responses"] = []
    grid_html = _fixture("profile_rendered")["html"]
    grid = grid_html[grid_html.find('<div data-e2e="user-post-item-list"'):grid_html.find("</body>")]
    cap["html"] = cap["html"].replace('<div id="app"></div>', f'<div id="app">{grid}</div>')
    snap = parse(cap)
    assert snap.followers == 1_234_567 and "followers" not in snap.approximate  # embedded statsV2 still wins
    assert [p.id for p in snap.recent_posts][:1] == ["7400000000000000009"]


def test_real_page_rendered_grid_without_its_embedded_state() -> None:
    """The real 2023 profile (../shared) with its SIGI_STATE cut out in memory: the rendered header and
    grid give the same creator and the same first posts as its expected file, views as displayed."""
    capture, expected = load_case("tiktok/tt_profile_dylanlemay_2023-02_sigi")
    html = capture["html"]
    i = html.find('id="SIGI_STATE"')
    start, end = html.rfind("<script", 0, i), html.find("</script>", i) + len("</script>")
    capture["html"] = html[:start] + html[end:]
    snap = parse(capture)
    assert (snap.handle, snap.display_name, snap.verified) == ("dylanlemay", expected["display_name"], True)
    for name in ("followers", "following", "likes"):
        want = expected[name]["value"]
        assert abs(getattr(snap, name) - want) <= 0.01 * want
    want_posts = expected["recent_posts"]
    assert [p.id for p in snap.recent_posts[: len(want_posts)]] == [p["id"] for p in want_posts]
    for got, want in zip(snap.recent_posts, want_posts):
        assert abs(got.views - want["views"]) <= 0.01 * want["views"]


# --- audience samples -----------------------------------------------------------------------------------


def _user_list(scene: str, users: list[dict]) -> dict:
    # Shape of TikTok's web /api/user/list/ answer as public clients read it (no real recording exists
    # in ../shared): {"userList": [{"user", "stats", "statsV2"}], "hasMore", "minCursor", "total"}.
    body = {"userList": [{"user": u, "stats": {"followerCount": u.pop("_f", 3), "followingCount": u.pop("_g", 5),
                                               "videoCount": u.pop("_v", 1), "heartCount": 0}} for u in users],
            "hasMore": True, "minCursor": 1717200000, "maxCursor": 0, "total": 1234567, "statusCode": 0}
    return {"url": f"https://www.tiktok.com/api/user/list/?count=30&minCursor=0&scene={scene}&secUid=MS4wLjABAAAAmia",
            "status": 200, "content_type": "application/json", "body": json.dumps(body)}


def test_follower_list_is_an_audience_sample_and_following_is_not() -> None:
    cap = _fixture("profile_universal")
    cap["responses"].append(_user_list("67", [
        {"id": "1", "uniqueId": "crumb.lover", "nickname": "Crumb", "signature": "cakes!", "verified": False,
         "privateAccount": False, "_f": 120, "_g": 300, "_v": 14},
        {"id": "2", "uniqueId": "user8390211736", "nickname": "user8390211736", "signature": "",
         "privateAccount": True, "_f": 0, "_g": 7400, "_v": 0},
    ]))
    cap["responses"].append(_user_list("21", [{"id": "3", "uniqueId": "brand.hq", "nickname": "Brand"}]))
    snap = parse(cap)
    assert [a.username for a in snap.audience_sample] == ["crumb.lover", "user8390211736"]
    crumb, numbered = snap.audience_sample
    assert (crumb.followers, crumb.following, crumb.posts, crumb.bio_length, crumb.display_name) == (120, 300, 14, 6, "Crumb")
    assert (numbered.followers, numbered.following, numbered.is_private, numbered.bio_length) == (0, 7400, True, 0)


def test_following_list_alone_warns() -> None:
    cap = _fixture("profile_universal")
    cap["responses"] = [_user_list("21", [{"id": "3", "uniqueId": "brand.hq"}])]
    snap = parse(cap)
    assert snap.audience_sample == [] and any("following list" in w for w in snap.warnings)


def test_commenters_of_the_comment_api_join_the_audience() -> None:
    """Comment answers name their authors in app-style snake_case; zeroed counts there mean unknown."""
    cap = _fixture("video")
    body = json.loads(cap["responses"][0]["body"])
    body["comments"][0]["user"].update({"follower_count": 0, "following_count": 0, "aweme_count": 0,
                                        "signature": "", "create_time": 1600000000})
    extra = copy.deepcopy(body["comments"][0])
    extra.update({"cid": "9", "text": "Amei", "user": {"unique_id": "real.fan", "nickname": "Fan", "follower_count": 40,
                                                        "following_count": 90, "aweme_count": 3, "verification_type": 0}})
    body["comments"].append(extra)
    cap["responses"][0]["body"] = json.dumps(body)
    snap = parse(cap)
    assert [a.username for a in snap.audience_sample] == ["ana.lu", "real.fan"]  # the creator's reply left out
    ana, fan = snap.audience_sample
    assert (ana.followers, ana.following, ana.posts, ana.created_at) == (None, None, None, "2020-09-13T12:26:40Z")
    assert (fan.followers, fan.following, fan.posts, fan.verified, fan.display_name) == (40, 90, 3, False, "Fan")


def test_rendered_comment_panel_without_the_api_answer() -> None:
    cap = _fixture("video")
    cap["responses"] = []
    panel = ('<div class="DivCommentListContainer">'
             + "".join(f'<div class="DivCommentItemWrapper"><a href="/@{h}"><span><img src="a.jpg"></span></a>'
                       f'<div data-e2e="comment-username-1" class="DivUsername"><a class="link" href="/@{h}">'
                       f'<p class="TUXText">{n}</p></a></div><span data-e2e="comment-level-1"><span class="TUXText">{t}</span>'
                       '</span><div class="DivSub"><span>5-26</span></div></div>'
                       for h, n, t in (("ana.lu", "Ana", "Que delícia &amp; fácil"), ("mia.bakes", "Mia", "Obrigada!"),
                                       ("ana.lu", "Ana", "again"), ("bo_99", "Bo", "yum <b>yum</b>")))
             + "</div>")
    cap["html"] = cap["html"].replace('<div id="app"></div>', f'<div id="app">{panel}</div>')
    snap = parse(cap)
    assert [(c.author, c.text, c.is_creator) for c in snap.comments] == [
        ("ana.lu", "Que delícia & fácil", False), ("mia.bakes", "Obrigada!", True), ("ana.lu", "again", False),
        ("bo_99", "yum yum", False)]
    assert [(a.username, a.display_name) for a in snap.audience_sample] == [("ana.lu", "Ana"), ("bo_99", "Bo")]


# --- categories -----------------------------------------------------------------------------------------


def test_diversification_labels_give_post_and_creator_categories() -> None:
    cap = _fixture("video")
    cap["html"] = cap["html"].replace('"isAd": false', '"isAd": false, "diversificationLabels": '
                                      '["Baking", "Food & Drink", "Food & Drink"]')
    cap["html"] = cap["html"].replace('"secUid": "MS4wLjABAAAAmia"}',
                                      '"secUid": "MS4wLjABAAAAmia", "commerceUserInfo": {"commerceUser": true, '
                                      '"category": "Food & Beverage"}}', 1)
    snap = parse(cap)
    assert snap.recent_posts[0].category == "Food & Drink"
    assert snap.categories == ["Food & Beverage", "Food & Drink"]
