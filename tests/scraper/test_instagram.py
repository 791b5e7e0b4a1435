"""Instagram parser over the project's own synthetic captures (no ../shared needed), plus real-page extras."""

from __future__ import annotations

import pytest

from scraper import parse
from scraper.errors import CaptureError
from scraper.platforms import instagram
from tests.conftest import load_case, load_fixture, realpage_cases


def _fixture(name: str) -> dict:
    return load_fixture(f"instagram_{name}.capture.json")


def test_rendered_header_wins_over_rounded_lagging_meta() -> None:
    snap = parse(_fixture("profile_rendered"))
    assert (snap.platform, snap.handle, snap.platform_id) == ("instagram", "sara.studio", "5566778899")
    assert snap.url == "https://www.instagram.com/sara.studio/"
    # header: title="1,234,567", "1,234 posts", "56 following"; meta says 1M / 60 / 1,230
    assert (snap.followers, snap.following, snap.posts) == (1_234_567, 56, 1_234)
    assert snap.approximate == []
    assert snap.likes is None and snap.views is None


def test_rendered_header_profile_fields() -> None:
    snap = parse(_fixture("profile_rendered"))
    assert snap.display_name == "Sara Studio ✨"
    assert snap.bio == "Painting & pottery 🎨\nCollabs: sara@example.com #ceramics"
    assert snap.verified is True            # the badge in the header, not "Meta Verified" in the nav
    assert snap.links == ["https://sara.example.com/shop"]     # unwrapped from l.instagram.com
    assert snap.avatar_url == "https://instagram.example.invalid/sara_150.jpg?x=1&y=2"
    assert snap.warnings == []


def test_grid_posts() -> None:
    snap = parse(_fixture("profile_rendered"))
    # pinned post, another account's post and a duplicate link left out; page order kept
    assert [p.id for p in snap.recent_posts] == ["Cabc123DEF_", "Cxyz-987ghi", "Cdef456GHI1"]
    photo, reel, plain = snap.recent_posts
    assert photo.url == "https://www.instagram.com/p/Cabc123DEF_/"
    assert photo.title is None                  # generated alt text is not a caption
    assert photo.published_at == "2024-05-15"   # the day the generated alt text names
    assert photo.mentions == ["clayhouse"]      # "tagging @clayhouse"
    assert photo.is_sponsored is None           # no caption: unknown, not "not sponsored"
    assert reel.url == "https://www.instagram.com/reel/Cxyz-987ghi/"
    assert reel.title == "New glaze test with @kiln.co 🔥 #ad #ceramics"
    assert reel.hashtags == ["ad", "ceramics"] and reel.mentions == ["kiln.co"]
    assert reel.is_sponsored is True
    assert plain.hashtags == ["pottery", "handmade"] and plain.is_sponsored is False
    # the hover overlay's unlabeled numbers are not guessed into likes/comments
    assert all(p.likes is None and p.comments is None and p.views is None for p in snap.recent_posts)


def test_meta_only_page_in_german_is_approximate_where_rounded() -> None:
    snap = parse(_fixture("profile_meta_de"))
    assert snap.handle == "sara.studio"
    assert snap.display_name == "Sara Studio ✨"
    assert snap.followers == 1_200_000 and snap.approximate == ["followers"]   # "1,2 Mio. Follower"
    assert (snap.following, snap.posts) == (321, 1_234)                        # "1.234 Beiträge" is exact
    assert snap.verified is None            # no header: the page does not say
    assert snap.bio == "Malerei"
    assert snap.avatar_url == "https://scontent.example.invalid/avatar_s100.jpg"
    assert snap.recent_posts == []


def test_private_account_with_numbers_is_a_snapshot_with_a_warning() -> None:
    snap = parse(_fixture("profile_private"))
    assert snap.handle == "quiet.one"
    assert (snap.followers, snap.following, snap.posts) == (5_432, 100, 12)
    assert snap.verified is False
    assert any("Private" in w for w in snap.warnings)


@pytest.mark.parametrize(("name", "code"), [
    ("error_private", "restricted"),
    ("error_unavailable", "unavailable"),
    ("error_login", "login_wall"),
    ("error_login_inline", "login_wall"),
    ("error_ratelimit", "blocked"),
])
def test_error_pages(name: str, code: str) -> None:
    with pytest.raises(CaptureError) as info:
        parse(_fixture(name))
    assert info.value.code == code
    assert info.value.message


def test_header_count_missing_falls_back_to_meta_with_a_warning() -> None:
    cap = _fixture("profile_rendered")
    html = cap["html"]
    start = html.find('<li class="xl565be"><div><a href="/sara.studio/following/"')
    end = html.find("</li>", start) + len("</li>")
    cap["html"] = html[:start] + html[end:]
    snap = parse(cap)
    assert snap.following == 60                  # from the meta: "60 Following"
    assert snap.followers == 1_234_567           # still the header's
    assert any("following" in w for w in snap.warnings)


def test_meta_rounded_followers_flagged_approximate() -> None:
    cap = _fixture("profile_rendered")
    start = cap["html"].find("<header")
    end = cap["html"].find("</header>") + len("</header>")
    cap["html"] = cap["html"][:start] + cap["html"][end:]
    snap = parse(cap)
    assert (snap.followers, snap.following, snap.posts) == (1_000_000, 60, 1_230)
    assert snap.approximate == ["followers"]
    assert snap.verified is None
    assert snap.bio == "Painting & pottery 🎨"   # the meta description's quoted bio


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/p/Cabc123DEF_/",  # a post URL over a page that names no post owner
    "https://www.instagram.com/reel/Cxyz-987ghi/",
    "https://www.instagram.com/explore/",
])
def test_non_profile_pages(url: str) -> None:
    cap = _fixture("profile_rendered")
    cap["url"] = url
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "not_a_creator_page"


def test_truncated_page_without_profile_is_malformed() -> None:
    cap = _fixture("profile_rendered")
    cap["html"] = cap["html"][:200]
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "malformed"


@pytest.mark.parametrize(("text", "lang", "want"), [
    ("1M Followers, 15 Following, 7,883 Posts - See Instagram photos", "en",
     {"followers": (1_000_000, True), "following": (15, False), "posts": (7_883, False)}),
    ("3,347 Followers, 200 Following, 177 Posts - See", "en",
     {"followers": (3_347, False), "following": (200, False), "posts": (177, False)}),
    ("1,5 M seguidores, 10 seguidos, 99 publicaciones - Mira", "es",
     {"followers": (1_500_000, True), "following": (10, False), "posts": (99, False)}),
    ("12,3 k abonnés, 1 234 abonnements, 56 publications - Voir", "fr",
     {"followers": (12_300, True), "following": (1_234, False), "posts": (56, False)}),
    ("1.234 Follower, 5 Gefolgt, 6 Beiträge - Sieh", "de",
     {"followers": (1_234, False), "following": (5, False), "posts": (6, False)}),
    # a language the word lists miss: Instagram's meta order decides
    ("10 ακόλουθοι, 20 ακολουθεί, 30 δημοσιεύσεις - Δείτε", "el",
     {"followers": (10, False), "following": (20, False), "posts": (30, False)}),
    ("See Instagram photos and videos", "en", {}),
])
def test_meta_counts(text: str, lang: str, want: dict) -> None:
    assert instagram._meta_counts(text, lang) == want


@pytest.mark.parametrize(("url", "handle"), [
    ("https://www.instagram.com/celebface/", "celebface"),
    ("https://instagram.com/gdg_rbu", "gdg_rbu"),
    ("https://www.instagram.com/sara.studio/?hl=de", "sara.studio"),
    ("https://www.instagram.com/sara.studio/reels/", "sara.studio"),
    ("https://www.instagram.com/p/Cabc123DEF_/", None),
    ("https://www.instagram.com/accounts/login/", None),
    ("https://www.tiktok.com/@sara", None),
])
def test_handle_from_url(url: str, handle: str | None) -> None:
    assert instagram.handle_from_url(url) == handle


def test_profile_url() -> None:
    assert instagram.profile_url("@sara.studio") == "https://www.instagram.com/sara.studio/"
    for bad in ("explore", "has space", ""):
        with pytest.raises(ValueError):
            instagram.profile_url(bad)


# --- extras on the real pages, beyond their .expected.json ---------------------------------------


@pytest.mark.realpages
@pytest.mark.skipif(not realpage_cases("instagram"), reason="real pages absent (test_realpages reports it)")
def test_real_rendered_page_details() -> None:
    capture, _ = load_case("instagram/ig_profile_celebface_2025-02_loggedin_redacted")
    snap = parse(capture)
    assert snap.bio == "If you don't want to see the truth ➡ leave this page\nTAG YOUR FRIENDS 👍"
    assert snap.avatar_url and "42726388_252829295587779" in snap.avatar_url
    assert snap.approximate == []
    assert snap.recent_posts[0].published_at == "2024-05-15"
    assert snap.recent_posts[1].mentions == ["jlo"]
    reel = next(p for p in snap.recent_posts if p.id == "CyMD1HjKxoe")
    assert reel.url == "https://www.instagram.com/reel/CyMD1HjKxoe/" and reel.mentions == ["meganfox"]


@pytest.mark.realpages
@pytest.mark.skipif(not realpage_cases("instagram"), reason="real pages absent (test_realpages reports it)")
def test_real_server_html_page_details() -> None:
    capture, _ = load_case("instagram/ig_profile_gdg_rbu_2025-02-06_loggedin_redacted")
    snap = parse(capture)
    assert snap.bio == "Google Developer Groups On Campus\n🏢 RBU Chapter \n🚩 Led by @jayeshh.bot"
    assert snap.avatar_url and snap.avatar_url.startswith("https://scontent.cdninstagram.com/")
    assert snap.approximate == []


# --- post and reel pages: the owner as the creator ---------------------------------------------------


def test_post_page_reads_owner_post_comments_and_commenters() -> None:
    """The post's data inline in data-sjs scripts (the shape of the real logged-out post pages in
    ../shared/listpages/instagram); a logged-in viewer's own user object must not be taken for the owner."""
    snap = parse(_fixture("post_sjs"))
    assert (snap.handle, snap.platform_id, snap.display_name, snap.verified) == (
        "sara.studio", "5566778899", "Sara Studio ✨", True)
    assert snap.url == "https://www.instagram.com/sara.studio/"
    [post] = snap.recent_posts
    assert (post.id, post.likes, post.comments, post.published_at) == ("Cabc123DEF_", 20876, 1422, "2025-06-01T12:00:00Z")
    assert post.is_sponsored is True and post.hashtags == ["ceramics", "handmade"] and post.mentions == ["clayhouse"]
    assert [c.author for c in snap.comments] == ["clay.fan", "user83920142", "sara.studio", "clay.fan", "potter.pro"]
    assert [c.is_creator for c in snap.comments] == [False, False, True, False, False]
    assert (snap.comments[0].likes, snap.comments[0].replies) == (12, 1)
    # commenters once each, the owner left out; the anonymous default picture is no profile picture
    assert [a.username for a in snap.audience_sample] == ["clay.fan", "user83920142", "potter.pro"]
    fan, numbered, pro = snap.audience_sample
    assert (fan.has_profile_pic, fan.default_avatar, fan.verified) == (True, False, False)
    assert (numbered.has_profile_pic, numbered.default_avatar) == (False, True)
    assert pro.verified is True and pro.followers is None  # comment answers carry no counts


def test_reel_page_without_data_reads_the_meta_tags() -> None:
    snap = parse(_fixture("reel_meta"))
    assert snap.handle == "sara.studio" and snap.display_name == "Sara Studio ✨"
    [post] = snap.recent_posts
    assert (post.id, post.url) == ("Cxyz-987ghi", "https://www.instagram.com/reel/Cxyz-987ghi/")
    assert (post.likes, post.comments, post.title, post.hashtags) == (2048, 87, "Forno novo #ceramics", ["ceramics"])
    assert snap.comments == [] and snap.audience_sample == []


def test_post_page_with_json_ld_author() -> None:
    snap = parse(_fixture("post_jsonld"))
    assert snap.handle == "sara.studio"
    assert [(p.id, p.likes) for p in snap.recent_posts] == [("Cdef456GHI1", 640)]


@pytest.mark.parametrize("url", [
    "https://www.instagram.com/sara.studio/p/Cabc123DEF_/",
    "https://www.instagram.com/p/Cabc123DEF_/?img_index=2",
])
def test_post_urls_with_and_without_owner(url: str) -> None:
    cap = _fixture("post_sjs")
    cap["url"] = url
    assert parse(cap).handle == "sara.studio"


def test_post_page_of_another_post_gives_no_foreign_post() -> None:
    """An in-app navigation leaves the first post's data: a post whose code differs is not this one."""
    cap = _fixture("post_sjs")
    cap["url"] = "https://www.instagram.com/p/Zzz999ZZZ99/"
    with pytest.raises(CaptureError) as info:
        parse(cap)  # neither the stale data nor the stale meta tags (og:url names the other post) are used
    assert info.value.code == "not_a_creator_page"
    cap["url"] = "https://www.instagram.com/sara.studio/p/Zzz999ZZZ99/"
    snap = parse(cap)  # the URL names the owner: a snapshot, with the post known only by its code
    assert snap.handle == "sara.studio" and [(p.id, p.likes) for p in snap.recent_posts] == [("Zzz999ZZZ99", None)]
    assert snap.comments == [] and snap.audience_sample == []  # the other post's comments are not this one's


# --- audience: the followers dialog ------------------------------------------------------------------


def test_followers_dialog_is_an_audience_sample() -> None:
    """Response shapes from public clients (no real recording exists in ../shared): the friendships API
    `{"users": [{pk, username, full_name, is_private, is_verified, profile_pic_url}], "next_max_id"}` as
    instagrapi/instaloader read it, and GraphQL `data.user.edge_followed_by.edges[].node` (instaloader)."""
    snap = parse(_fixture("followers_dialog"))
    assert snap.handle == "sara.studio" and snap.followers == 1_234_567
    names = [a.username for a in snap.audience_sample]
    # pages in order, a repeated account once, another profile's leftover dialog and the following list out
    assert names == ["mila.makes", "user_58213390", "kiln.co", "shy.potter", "bob99384", "glaze.guru"]
    by = {a.username: a for a in snap.audience_sample}
    assert (by["mila.makes"].display_name, by["mila.makes"].has_profile_pic) == ("Mila", True)
    assert by["user_58213390"].has_profile_pic is False and by["user_58213390"].default_avatar is True
    assert by["shy.potter"].is_private is True and by["kiln.co"].verified is True
    assert by["bob99384"].default_avatar is True and by["bob99384"].display_name is None


def test_following_list_alone_is_not_an_audience() -> None:
    cap = _fixture("followers_dialog")
    cap["responses"] = [r for r in cap["responses"] if "/following/" in r["url"]]
    snap = parse(cap)
    assert snap.audience_sample == []
    assert any("following list" in w for w in snap.warnings)


def test_business_category_from_web_profile_info() -> None:
    snap = parse(_fixture("followers_dialog"))
    assert snap.categories == ["Artist", "Creators & Celebrities"]


def test_business_category_from_inline_user_object_not_the_viewers() -> None:
    cap = _fixture("profile_rendered")
    cap["html"] = cap["html"].replace("</body>", '<script type="application/json">{"a":{"user":{"username":"the.viewer",'
                                      '"category_name":"Viewer Stuff"},"b":{"user":{"full_name":"Sara","username":'
                                      '"sara.studio","category_name":"Artist","is_business_account":true}}}}</script></body>')
    assert parse(cap).categories == ["Artist"]


# --- the profile answer when nothing is rendered -------------------------------------------------------


def test_profile_answer_when_the_header_is_not_drawn() -> None:
    """After an in-app navigation the extension leaves out the stale meta tags; before the header is drawn
    only web_profile_info (the GraphQL user shape instaloader reads) describes the profile."""
    snap = parse(_fixture("profile_webinfo"))
    assert (snap.handle, snap.platform_id, snap.display_name, snap.verified) == (
        "sara.studio", "5566778899", "Sara Studio ✨", True)
    assert (snap.followers, snap.following, snap.posts, snap.approximate) == (1_234_567, 56, 1234, [])
    assert snap.bio == "Painting & pottery 🎨" and snap.avatar_url.endswith("sara_320.jpg")
    assert snap.links == ["https://sara.example.com/shop", "https://linktr.example/sara"]
    assert snap.categories == ["Artist"]
    assert [p.id for p in snap.recent_posts] == ["Cabc123DEF_", "Cxyz-987ghi", "Cdef456GHI1"]  # pinned left out
    reel = snap.recent_posts[1]
    assert (reel.url, reel.views, reel.likes, reel.comments, reel.is_sponsored) == (
        "https://www.instagram.com/reel/Cxyz-987ghi/", 120_400, 9120, 88, True)
    assert reel.published_at == "2025-05-31T12:00:00Z"


def test_profile_answer_of_another_account_is_not_used() -> None:
    cap = _fixture("profile_webinfo")
    cap["url"] = "https://www.instagram.com/someone.else/"
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "not_a_creator_page"


def test_profile_answer_makes_rounded_header_counts_exact() -> None:
    cap = _fixture("profile_meta_de")
    cap["url"] = "https://www.instagram.com/sara.studio/"
    snap_meta = parse(cap)
    assert "followers" in snap_meta.approximate
    cap["responses"] = _fixture("profile_webinfo")["responses"]
    snap = parse(cap)
    assert snap.followers == 1_234_567 and "followers" not in snap.approximate
