"""Instagram list pages -> Listings: every real list page in ../shared/listpages/instagram (the
commenters of a post and of a reel, logged out), then small synthetic captures for what they do not
show: comments from the /api/v1/media/<id>/comments/ answer with the owner's own reply, and the typed
errors. The followers / following dialog has no public recording: its shape here is the friendships
API as public clients read it (`users[]` with `pk`, `username`, `full_name`, `is_verified`,
`profile_pic_url`), the answer the profile parser already reads for its audience sample.
"""

from __future__ import annotations


import pytest

from scraper import parse
from scraper.listing import parse_listing
from tests.conftest import load_fixture
from tests.scraper.listing_expect import cases_of, check_case, error_code, json_answer, list_capture

ANON = "https://scontent.cdninstagram.com/v/t51.2885-19/44884218_n.jpg?ig_cache_key=YW5vbnltb3VzX3Byb2ZpbGVfcGlj.2"


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_of("instagram"))
def test_real_list_page_parses_to_its_expected_creators(case: str) -> None:
    check_case(case)


def _capture(url: str, html: str, responses: list[dict]) -> dict:
    return list_capture(url, responses, html)


def _comment(pk: str, user: dict, text: str = "nice") -> dict:
    return {"pk": pk, "text": text, "created_at": 1767225600, "user": user}


def test_comments_answer_counts_the_owner_and_each_commenter_once() -> None:
    fan = {"pk": 51, "username": "fan.one", "is_verified": False, "profile_pic_url": ANON}
    owner = {"pk": "7", "username": "anna.runs", "is_verified": True, "profile_pic_url": "https://x/p.jpg"}
    body = {"comments": [_comment("1", fan), _comment("2", owner, "thanks!"), _comment("3", fan), _comment("2", owner)]}
    cap = _capture("https://www.instagram.com/anna.runs/p/ABCdef123/", "<html><head></head><body></body></html>",
                   [json_answer("https://www.instagram.com/api/v1/media/999/comments/?can_support_threading=true", body)])
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner) == ("comments", "anna.runs")
    assert [(c.handle, c.platform_id, c.has_profile_pic, c.verified) for c in listing.creators] == [
        ("fan.one", "51", False, False), ("anna.runs", "7", True, True)]
    assert listing.creators[0].followers is None and listing.creators[0].display_name is None  # not carried
    assert [a.username for a in parse(cap).audience_sample] == ["fan.one"]  # parse: the audience, as before


def test_post_without_comments_is_an_empty_listing_with_a_warning() -> None:
    cap = _capture("https://www.instagram.com/anna.runs/reel/ABCdef123/", "<html><body></body></html>", [])
    listing = parse_listing(cap)
    assert (listing.owner, listing.creators) == ("anna.runs", []) and listing.warnings


def test_followers_dialog_reads_the_profiles_own_list() -> None:
    """No public recording: the shape of the friendships API (see the module docstring)."""
    listing = parse_listing(load_fixture("instagram_followers_dialog.capture.json"))
    assert (listing.kind, listing.owner) == ("followers", "sara.studio")
    # the leftover dialog of another profile (id 1234000000) is not this list
    assert [c.handle for c in listing.creators] == [
        "mila.makes", "user_58213390", "kiln.co", "shy.potter", "bob99384", "glaze.guru"]
    assert [c.has_profile_pic for c in listing.creators] == [True, False, True, True, False, True]
    assert all(c.platform_id for c in listing.creators)


def test_following_dialog() -> None:
    """No public recording: the shape of the friendships API (see the module docstring)."""
    users = {"users": [{"pk": "31", "username": "brand.co", "full_name": "Brand Co", "is_verified": True,
                        "profile_pic_url": "https://x/b.jpg"}], "big_list": False}
    cap = _capture("https://www.instagram.com/anna.runs/following/",
                   '<html><body><script>{"profile_id":"7"}</script></body></html>',
                   [json_answer("https://www.instagram.com/api/v1/friendships/7/following/?count=12", users),
                    json_answer("https://www.instagram.com/api/v1/friendships/8/following/?count=12",
                          {"users": [{"pk": "99", "username": "leftover"}]})])
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner) == ("following", "anna.runs")
    assert [(c.handle, c.display_name, c.verified) for c in listing.creators] == [("brand.co", "Brand Co", True)]


def test_typed_errors() -> None:
    login = load_fixture("instagram_error_login.capture.json")
    assert error_code(_capture("https://www.instagram.com/anna.runs/followers/", login["html"], [])) == "login_wall"
    assert error_code(_capture("https://www.instagram.com/accounts/login/?next=/anna/followers/", "<html></html>", [])) == "login_wall"
    assert error_code(_capture("https://www.instagram.com/anna.runs/followers/", "<html></html>", [])) == "malformed"
    profile = load_fixture("instagram_profile_rendered.capture.json")
    assert error_code(profile) == "not_a_creator_page"  # a creator page: parse's, not parse_listing's
