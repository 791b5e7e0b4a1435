"""TikTok list pages -> Listings: the real list page in ../shared/listpages/tiktok (a logged-in video
page with its comment panel rendered: handles and names only), then small synthetic captures for what
no public recording shows. Tag pages with items, search results, the api/comment/list JSON and the
followers / following dialog have no public recording: their shape here is the web app's answers as
public clients read them (api/challenge/item_list `itemList[].author` + `authorStats`,
api/search/user/full `user_list[].user_info` in snake_case, api/search/general/full `data[].item`,
api/user/list `userList[].user` + `stats` with scene 67 followers / 21 following).
"""

from __future__ import annotations


import pytest

from scraper import parse
from scraper.listing import parse_listing
from tests.conftest import load_fixture
from tests.scraper.listing_expect import cases_of, check_case, error_code, json_answer, list_capture


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_of("tiktok"))
def test_real_list_page_parses_to_its_expected_creators(case: str) -> None:
    check_case(case)


def _capture(url: str, responses: list[dict], html: str = "<html><head><title>TikTok</title></head><body></body></html>") -> dict:
    return list_capture(url, responses, html)


def _author(uid: str, handle: str, followers: int) -> tuple[dict, dict]:
    return ({"id": uid, "uniqueId": handle, "nickname": handle.title(), "verified": False, "signature": "bio"},
            {"followerCount": followers, "followingCount": 5, "videoCount": 40})


def test_comment_answer_lists_commenters_and_the_owners_reply() -> None:
    """No public recording of api/comment/list: the answer's public shape (snake_case users)."""
    cap = load_fixture("tiktok_video.capture.json")
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner) == ("comments", "mia.bakes")
    # the comment of another video the page loaded is not this list; the owner's reply is
    assert [(c.handle, c.display_name) for c in listing.creators] == [("ana.lu", "Ana"), ("mia.bakes", "Mia")]
    assert listing.creators[0].followers is None  # comment answers carry no counts
    assert [a.username for a in parse(cap).audience_sample] == ["ana.lu"]  # parse: the audience, as before


def test_tag_page_lists_item_authors_once_each() -> None:
    """No public recording of a tag page with items: api/challenge/item_list's public shape."""
    (a_user, a_stats), (b_user, b_stats) = _author("1", "ana.lu", 12_000), _author("2", "bo.bakes", 900)
    items = [{"id": "71", "author": a_user, "authorStats": a_stats}, {"id": "72", "author": b_user, "authorStats": b_stats},
             {"id": "73", "author": a_user, "authorStats": a_stats}]
    cap = _capture("https://www.tiktok.com/tag/carrotcake",
                   [json_answer("https://www.tiktok.com/api/challenge/item_list/?challengeID=9&count=30", {"itemList": items})])
    listing = parse_listing(cap)
    assert (listing.kind, listing.query) == ("hashtag", "carrotcake")
    assert [(c.handle, c.platform_id, c.followers.value, c.posts) for c in listing.creators] == [
        ("ana.lu", "1", 12_000, 40), ("bo.bakes", "2", 900, 40)]
    assert listing.creators[0].bio_length == 3


def test_tag_page_without_items_is_an_empty_listing_with_a_warning() -> None:
    listing = parse_listing(_capture("https://www.tiktok.com/tag/tiktokmademebuyit", []))
    assert (listing.kind, listing.query, listing.creators) == ("hashtag", "tiktokmademebuyit", []) and listing.warnings


def test_search_pages_read_user_and_video_results() -> None:
    """No public recording of a search with results: api/search/{user,general}/full public shapes."""
    users = {"user_list": [{"user_info": {"uid": "3", "unique_id": "cake.lab", "nickname": "Cake Lab",
                                          "follower_count": 5000, "following_count": 1, "aweme_count": 9,
                                          "signature": "", "verification_type": 1,
                                          "custom_verify": "Verified account"}}]}
    a_user, a_stats = _author("1", "ana.lu", 12_000)
    general = {"data": [{"type": 1, "item": {"id": "71", "author": a_user, "authorStats": a_stats}},
                        {"type": 4, "user_list": users["user_list"]}]}
    cap = _capture("https://www.tiktok.com/search/user?q=cake%20lab",
                   [json_answer("https://www.tiktok.com/api/search/user/full/?keyword=cake%20lab", users)])
    listing = parse_listing(cap)
    assert (listing.kind, listing.query) == ("search", "cake lab")
    assert [(c.handle, c.platform_id, c.verified, c.followers.value, c.bio_length) for c in listing.creators] == [
        ("cake.lab", "3", True, 5000, 0)]
    cap = _capture("https://www.tiktok.com/search?q=cake",
                   [json_answer("https://www.tiktok.com/api/search/general/full/?keyword=cake", general)])
    assert [c.handle for c in parse_listing(cap).creators] == ["ana.lu", "cake.lab"]


def test_follower_and_following_dialogs() -> None:
    """No public recording of api/user/list: its public shape (scene 67 followers, 21 following)."""
    a_user, a_stats = _author("1", "ana.lu", 12)
    cap = load_fixture("tiktok_profile_universal.capture.json")
    cap["responses"] = [json_answer("https://www.tiktok.com/api/user/list/?scene=67&count=30&secUid=X",
                              {"userList": [{"user": a_user, "stats": a_stats}]})]
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner, [c.handle for c in listing.creators]) == (
        "followers", "mia.bakes", ["ana.lu"])
    cap["responses"][0]["url"] = cap["responses"][0]["url"].replace("scene=67", "scene=21")
    assert parse_listing(cap).kind == "following"


def test_typed_errors() -> None:
    assert error_code(load_fixture("tiktok_profile_universal.capture.json")) == "not_a_creator_page"
    assert error_code(_capture("https://www.tiktok.com/login?redirect=/tag/x", [])) == "login_wall"
    captcha = load_fixture("tiktok_error_captcha.capture.json")
    assert error_code(_capture("https://www.tiktok.com/tag/cake", [], captcha["html"])) == "blocked"
    assert error_code(_capture("https://www.tiktok.com/explore", [])) == "not_a_creator_page"
    login = load_fixture("tiktok_error_login.capture.json")
    login["url"] = "https://www.tiktok.com/@mia.bakes/video/7400000000000000009"
    assert error_code(login) == "login_wall"
