"""The X parser over small synthetic captures (tests/fixtures/x_*.capture.json): both user schemas,
a followers list, a tweet page with replies, and the pages that are answers rather than snapshots."""

from __future__ import annotations

import copy
import json

import pytest

from scraper import parse
from scraper.errors import CaptureError
from scraper.platforms import x
from scraper.registry import platform_for
from tests.conftest import load_fixture, x_about_response


def _parse(name: str):
    return parse(load_fixture(name))


def _error_code(capture: dict) -> str:
    with pytest.raises(CaptureError) as info:
        parse(capture)
    # A typed answer raised by the parser itself, not the package's safety net for parser bugs.
    assert info.value.__cause__ is None, f"parser crashed: {info.value.__cause__!r}"
    assert info.value.message
    return info.value.code


# --- URLs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, handle", [
    ("https://x.com/AdaBakes", "AdaBakes"),
    ("https://twitter.com/AdaBakes/status/123", "AdaBakes"),
    ("https://mobile.twitter.com/bo_runs/followers", "bo_runs"),
    ("https://www.x.com/bo_runs?lang=de", "bo_runs"),
    ("https://x.com/home", None),
    ("https://x.com/explore/tabs/trending", None),
    ("https://x.com/i/status/123", None),
    ("https://x.com/search?q=bread", None),
    ("https://x.com/", None),
    ("https://x.com/this_name_is_far_too_long", None),
    ("https://example.com/AdaBakes", None),
])
def test_handle_from_url(url: str, handle: str | None) -> None:
    assert x.handle_from_url(url) == handle


def test_profile_url_and_registry() -> None:
    assert x.profile_url("bo_runs") == "https://x.com/bo_runs"
    assert platform_for("https://twitter.com/AdaBakes") is x.PLATFORM
    assert platform_for("https://x.com/AdaBakes") is x.PLATFORM
    assert platform_for("https://notx.com/AdaBakes") is None


# --- profiles, both schemas ------------------------------------------------------------------------


def test_profile_old_schema_counts_and_identity() -> None:
    snap = _parse("x_profile_legacy.capture.json")
    assert (snap.platform, snap.handle, snap.platform_id) == ("x", "AdaBakes", "1001")
    assert snap.url == "https://x.com/AdaBakes"  # canonical, although the capture came from twitter.com
    assert snap.display_name == "Ada Bakes"
    assert (snap.followers, snap.following, snap.posts) == (12345, 321, 987)
    assert snap.approximate == []  # GraphQL counts are exact integers
    assert snap.likes is None  # favourites_count is likes the creator gave, not received
    assert snap.verified is True  # is_blue_verified: the check a visitor sees
    assert snap.bio == "Bread, mostly. #sourdough"
    assert snap.links == ["https://adabakes.example"]
    assert snap.avatar_url.endswith("a_normal.jpg")
    assert snap.captured_at == "2025-03-01T12:00:00Z" and snap.source == "extension"


def test_profile_old_schema_recent_posts_are_own_in_page_order() -> None:
    posts = _parse("x_profile_legacy.capture.json").recent_posts
    # Left out: the pinned 9000, the retweet 9005, FlourCo's 9004 (the tweet Ada answered), FlourCo's ad
    # 7777, the who-to-follow account.
    assert [p.id for p in posts] == ["9003", "7778", "9002", "9001"]
    reply, own_ad, disclosed, long_post = posts
    assert reply.title == "@FlourCo Me! Every Sunday & Monday"  # X's &amp; unescaped
    assert (reply.views, reply.likes, reply.comments, reply.shares) == (800, 12, 1, 1)
    assert reply.mentions == ["FlourCo"]
    assert reply.published_at == "2025-03-01T10:00:00Z"
    assert reply.url == "https://x.com/AdaBakes/status/9003"
    assert own_ad.is_sponsored is True  # promotedMetadata: the creator paid to promote it
    assert disclosed.is_sponsored is True and disclosed.hashtags == ["ad", "baking"]
    assert disclosed.shares == 3  # retweets + quotes
    assert reply.is_sponsored is False
    assert long_post.title.startswith("A long post about crumb structure") and len(long_post.title) > 280
    assert long_post.views == 100  # a TweetWithVisibilityResults wrapper is unwrapped


def test_profile_new_schema() -> None:
    snap = _parse("x_profile_new.capture.json")
    assert (snap.handle, snap.platform_id, snap.display_name) == ("bo_runs", "1100", "Bo Runs")
    assert (snap.followers, snap.following, snap.posts) == (800, 120, 45)
    assert snap.verified is True  # verification.verified_type Business
    assert snap.avatar_url == "https://pbs.twimg.com/profile_images/1100/b_normal.jpg"
    assert snap.links == ["https://shop.example/"]
    assert [p.id for p in snap.recent_posts] == ["9103", "9102", "9101"]  # pinned 9100 and a tombstone left out
    first = snap.recent_posts[0]
    assert (first.views, first.likes, first.comments, first.shares) == (1200, 30, 2, 1)
    assert first.hashtags == ["running"] and first.published_at == "2025-02-28T07:30:00Z"
    assert snap.recent_posts[1].is_sponsored is True  # "Paid partnership with ..."
    assert snap.recent_posts[2].views is None  # views not shown: null, never 0


def test_profile_without_tweets_warns() -> None:
    cap = load_fixture("x_profile_new.capture.json")
    cap["responses"] = cap["responses"][:1]
    snap = parse(cap)
    assert snap.followers == 800 and snap.recent_posts == []
    assert any("UserTweets" in w for w in snap.warnings)


def test_profile_from_tweets_when_user_response_missing() -> None:
    """Without UserByScreenName, the author object inside the creator's own tweets names the creator."""
    cap = load_fixture("x_profile_new.capture.json")
    cap["responses"] = cap["responses"][1:]
    snap = parse(cap)
    assert (snap.handle, snap.platform_id, snap.followers) == ("bo_runs", "1100", 800)
    assert [p.id for p in snap.recent_posts] == ["9103", "9102", "9101"]


def test_profile_ignores_another_profiles_leftover_responses() -> None:
    """A single-page app keeps the previous profile's responses: only the URL's account counts."""
    legacy = load_fixture("x_profile_legacy.capture.json")
    cap = load_fixture("x_profile_new.capture.json")
    cap["responses"] = legacy["responses"] + cap["responses"]
    snap = parse(cap)
    assert snap.handle == "bo_runs" and snap.followers == 800
    assert [p.id for p in snap.recent_posts] == ["9103", "9102", "9101"]


def test_snapshot_is_json_and_round_trips() -> None:
    snap = _parse("x_profile_legacy.capture.json")
    data = json.loads(json.dumps(snap.to_dict()))
    assert data["format"] == "kolscope.snapshot/1"
    assert type(snap).from_dict(data) == snap


# --- followers list --------------------------------------------------------------------------------


def test_followers_page_audience_sample() -> None:
    snap = _parse("x_followers.capture.json")
    assert snap.handle == "bo_runs" and snap.followers == 800  # the creator is the page owner
    assert snap.recent_posts == []
    by_name = {a.username: a for a in snap.audience_sample}
    assert list(by_name) == ["real_fan", "user8812733", "quiet_one", "oldschool"]  # suspended entry skipped
    fan = by_name["real_fan"]
    assert (fan.followers, fan.following, fan.posts) == (150, 200, 900)
    assert fan.has_profile_pic is True and fan.verified is True and fan.bio_length == len("I like running")
    assert by_name["user8812733"].has_profile_pic is False  # default_profile_images avatar
    assert by_name["user8812733"].bio_length == 0
    assert by_name["quiet_one"].is_private is True
    old = by_name["oldschool"]  # a follower still in the old schema
    assert (old.followers, old.following, old.posts, old.has_profile_pic, old.bio_length) == (70, 80, 90, False, 7)


def test_followers_carry_display_name_creation_date_and_default_avatar() -> None:
    by_name = {a.username: a for a in _parse("x_followers.capture.json").audience_sample}
    fan = by_name["real_fan"]
    assert (fan.display_name, fan.created_at, fan.default_avatar) == ("Real Fan", "2011-01-10T02:06:34Z", False)
    # 2026 schema: the default_profile_images URL; old schema: legacy.default_profile_image
    assert by_name["user8812733"].default_avatar is True
    old = by_name["oldschool"]
    assert (old.display_name, old.default_avatar, old.created_at) == ("Old School", True, None)


def test_followers_page_without_owner_response_uses_url() -> None:
    cap = load_fixture("x_followers.capture.json")
    cap["responses"] = cap["responses"][1:]
    snap = parse(cap)
    assert snap.handle == "bo_runs" and snap.followers is None
    assert len(snap.audience_sample) == 4


def test_following_list_is_not_an_audience() -> None:
    cap = load_fixture("x_followers.capture.json")
    cap["url"] = "https://x.com/bo_runs/following"
    assert parse(cap).audience_sample == []


# --- tweet page ------------------------------------------------------------------------------------


def test_tweet_detail() -> None:
    snap = _parse("x_tweetdetail.capture.json")
    assert (snap.handle, snap.platform_id, snap.followers) == ("bo_runs", "1100", 800)
    assert [p.id for p in snap.recent_posts] == ["9200"]
    post = snap.recent_posts[0]
    assert (post.views, post.likes, post.comments, post.shares) == (9000, 120, 3, 12)
    # First tweet of each conversation thread; the related-tweets module and deeper replies left out.
    assert [c.author for c in snap.comments] == ["@bo_runs", "@real_fan", "@grumpy"]
    assert [c.is_creator for c in snap.comments] == [True, False, False]
    fan = snap.comments[1]
    assert (fan.post_id, fan.text, fan.likes, fan.replies) == ("9200", "@bo_runs Good luck!", 2, 1)
    assert fan.published_at == "2025-03-01T11:00:00Z"


def test_tweet_detail_repliers_are_an_audience_sample() -> None:
    """Who replies is audience: each reply's author (not the creator's own thread) as an Account."""
    snap = _parse("x_tweetdetail.capture.json")
    assert [a.username for a in snap.audience_sample] == ["real_fan", "grumpy"]
    fan, grumpy = snap.audience_sample
    assert (fan.followers, fan.following, fan.posts, fan.created_at) == (150, 200, 900, "2011-01-10T02:06:34Z")
    assert (grumpy.followers, grumpy.following, grumpy.default_avatar, grumpy.bio_length) == (3, 3000, False, 0)


def test_tweet_detail_author_wins_over_url_handle() -> None:
    """x.com/i/status/ID names no author; X also redirects a wrong handle to the real author."""
    for url in ("https://x.com/i/status/9200", "https://x.com/someone_else/status/9200"):
        cap = load_fixture("x_tweetdetail.capture.json")
        cap["url"] = url
        assert parse(cap).handle == "bo_runs"


def test_deleted_tweet_is_unavailable() -> None:
    cap = load_fixture("x_tweetdetail.capture.json")
    body = json.loads(cap["responses"][0]["body"])
    entries = body["data"]["threaded_conversation_with_injections_v2"]["instructions"][0]["entries"]
    entries[0]["content"]["itemContent"]["tweet_results"]["result"] = {"__typename": "TweetTombstone"}
    cap["responses"][0]["body"] = json.dumps(body)
    assert _error_code(cap) == "unavailable"


@pytest.mark.parametrize("result, code", [
    ({"__typename": "TweetUnavailable", "reason": "Protected"}, "restricted"),
    ({"__typename": "TweetUnavailable", "reason": "NsfwLoggedOut"}, "restricted"),
    ({"__typename": "TweetTombstone", "tombstone": {"text": {
        "text": "You're unable to view this Post because this account owner limits who can view their Posts."}}},
     "restricted"),
    ({"__typename": "TweetUnavailable", "reason": "Suspended"}, "unavailable"),
    ({"__typename": "TweetTombstone", "tombstone": {"text": {"text": "This Post was deleted by the Post author."}}},
     "unavailable"),
])
def test_missing_focal_tweet_reasons(result: dict, code: str) -> None:
    cap = load_fixture("x_tweetdetail.capture.json")
    body = json.loads(cap["responses"][0]["body"])
    entries = body["data"]["threaded_conversation_with_injections_v2"]["instructions"][0]["entries"]
    entries[0]["content"]["itemContent"]["tweet_results"]["result"] = result
    cap["responses"][0]["body"] = json.dumps(body)
    assert _error_code(cap) == code


# --- answers that are not snapshots ----------------------------------------------------------------


@pytest.mark.parametrize("name, code", [
    ("x_suspended.capture.json", "unavailable"),
    ("x_notfound.capture.json", "unavailable"),
    ("x_protected.capture.json", "restricted"),
    ("x_loginwall.capture.json", "login_wall"),
    ("x_ratelimited.capture.json", "blocked"),
])
def test_error_pages(name: str, code: str) -> None:
    assert _error_code(load_fixture(name)) == code


def test_protected_account_with_visible_posts_is_a_snapshot() -> None:
    """A follower of a protected account sees its posts: that page is not restricted."""
    cap = load_fixture("x_profile_new.capture.json")
    body = json.loads(cap["responses"][0]["body"])
    body["data"]["user"]["result"]["privacy"]["protected"] = True
    cap["responses"][0]["body"] = json.dumps(body)
    assert len(parse(cap).recent_posts) == 3


def _protected_profile(url: str, *, viewer_follows: bool) -> dict:
    cap = load_fixture("x_protected.capture.json")
    cap["url"] = url
    body = json.loads(cap["responses"][0]["body"])
    body["data"]["user"]["result"]["relationship_perspectives"] = {"following": viewer_follows}
    cap["responses"][0]["body"] = json.dumps(body)
    return cap


def test_protected_followers_list_is_restricted() -> None:
    assert _error_code(_protected_profile("https://x.com/locked_acct/followers", viewer_follows=False)) == "restricted"


def test_protected_account_the_viewer_follows_is_not_restricted() -> None:
    """Its posts are visible to the viewer; they were just not captured: a snapshot that says so."""
    snap = parse(_protected_profile("https://x.com/locked_acct", viewer_follows=True))
    assert (snap.handle, snap.followers) == ("locked_acct", 42)
    assert any("UserTweets" in w for w in snap.warnings)


@pytest.mark.parametrize("url", ["https://x.com/home", "https://x.com/explore", "https://x.com/search?q=a"])
def test_non_creator_pages(url: str) -> None:
    cap = load_fixture("x_profile_new.capture.json")
    cap["url"] = url
    assert _error_code(cap) == "not_a_creator_page"


def test_shell_without_data_is_malformed() -> None:
    cap = load_fixture("x_loginwall.capture.json")
    cap["html"] = '<html lang="en"><body><div id="react-root"></div></body></html>'
    assert _error_code(cap) == "malformed"


def test_corrupt_bodies_never_crash() -> None:
    base = load_fixture("x_profile_legacy.capture.json")
    for body in ("", "{", "null", "[]", "42", '{"data": []}', '{"data": {"user": {"result": []}}}',
                 '{"data": {"user": {"result": {"legacy": {"screen_name": 5}}}}}'):
        cap = copy.deepcopy(base)
        for r in cap["responses"]:
            r["body"] = body
        try:
            parse(cap)
        except CaptureError as exc:
            assert exc.__cause__ is None, f"{body!r}: parser crashed: {exc.__cause__!r}"


def test_profile_by_numeric_id_url() -> None:
    """x.com/i/user/ID shows the account with that rest_id; its handle comes from the user object."""
    cap = load_fixture("x_profile_new.capture.json")
    by_handle = parse(cap)
    cap["url"] = f"https://x.com/i/user/{by_handle.platform_id}"
    snap = parse(cap)
    assert (snap.handle, snap.followers) == (by_handle.handle, by_handle.followers)
    cap["url"] = "https://x.com/i/user/1"
    with pytest.raises(CaptureError) as info:
        parse(cap)
    assert info.value.code == "not_a_creator_page"


def test_profile_country_from_about_this_account() -> None:
    cap = load_fixture("x_profile_new.capture.json")
    assert parse(cap).country is None  # no panel opened: no country, never a guess
    cap["responses"].append(x_about_response("bo_runs", "United Kingdom"))
    assert parse(cap).country == "GB"


def test_profile_country_ignores_another_accounts_panel_and_non_countries() -> None:
    cap = load_fixture("x_profile_new.capture.json")
    cap["responses"].append(x_about_response("someone_else", "Japan"))
    assert parse(cap).country is None
    cap = load_fixture("x_profile_new.capture.json")
    cap["responses"].append(x_about_response("bo_runs", "Europe"))  # a region, not one country
    snap = parse(cap)
    assert snap.country is None
    assert any("Europe" in w for w in snap.warnings)


# --- a page saved from the browser: what X rendered ------------------------------------------------
# Hand-made after X's own data-testid hooks (UserName, UserDescription, tweet, tweetText, socialContext,
# the role="group" aria-label of a tweet's counts); no rendered X page exists in ../shared.


def test_rendered_profile_without_any_answer() -> None:
    snap = _parse("x_profile_rendered.capture.json")
    assert (snap.handle, snap.display_name, snap.verified) == ("bo_runs", "Bo Runs", True)
    assert snap.bio == "Runner. Coach & #marathon fan"
    assert (snap.followers, snap.following, snap.approximate) == (8012, 120, [])
    # the pinned post and the repost of another account left out; page order kept
    assert [p.id for p in snap.recent_posts] == ["9200", "9000"]
    race, ad = snap.recent_posts
    assert (race.views, race.likes, race.comments, race.shares) == (9000, 120, 3, 10)
    assert race.published_at == "2025-03-01T10:00:00.000Z" and race.hashtags == ["marathon"]
    assert (ad.likes, ad.shares, ad.views, ad.is_sponsored) == (3400, 1200, 12000, True)
    assert any("rendered" in w for w in snap.warnings)


def test_rendered_profile_of_another_account_is_not_read() -> None:
    cap = load_fixture("x_profile_rendered.capture.json")
    cap["url"] = "https://x.com/someone_else"
    assert _error_code(cap) == "login_wall"  # what is left is X's login prompt


def test_rendered_tweet_page_reads_the_post_and_its_repliers() -> None:
    snap = _parse("x_status_rendered.capture.json")
    assert snap.handle == "bo_runs"
    assert [(p.id, p.likes, p.views) for p in snap.recent_posts] == [("9200", 120, 9000)]
    # replies below the post, not the post it answers above it
    assert [(c.author, c.is_creator) for c in snap.comments] == [("@real_fan", False), ("@bo_runs", True), ("@grumpy", False)]
    assert [a.username for a in snap.audience_sample] == ["real_fan", "grumpy"]
    cap = load_fixture("x_status_rendered.capture.json")
    cap["url"] = "https://x.com/bo_runs/status/1234"  # a post that is not on the page
    assert _error_code(cap) == "login_wall"
