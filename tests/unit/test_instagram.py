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
    "https://www.instagram.com/p/Cabc123DEF_/",
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
