"""X list pages -> Listings: every real list page in ../shared/listpages/x (search 2023 REST and 2026
GraphQL, followers, verified followers, following, a post's replies), then small synthetic captures
for what the recordings do not show: /hashtag/ pages, de-duplication, leftovers of another list,
the 2026 default avatar, and the typed errors (login wall, rate limit, no list answer, a creator page).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from scraper import parse
from scraper.listing import parse_listing
from tests.scraper.listing_expect import cases_of, check_case, error_code, list_capture
from tests.scraper.synthetic import X_SHELL, x_capture


@pytest.mark.realpages
@pytest.mark.parametrize("case", cases_of("x"))
def test_real_list_page_parses_to_its_expected_creators(case: str) -> None:
    check_case(case)


# --- synthetic captures ----------------------------------------------------------------------------


def _user(uid: str, name: str, *, followers: int = 10, new_schema: bool = False, default_pic: bool = False,
          blue: bool = False) -> dict:
    if new_schema:
        avatar = ("https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png" if default_pic
                  else f"https://pbs.twimg.com/profile_images/{uid}/a_normal.jpg")
        return {"__typename": "User", "rest_id": uid, "is_blue_verified": blue,
                "core": {"screen_name": name, "name": name.title()}, "avatar": {"image_url": avatar},
                "profile_bio": {"description": "runs"}, "relationship_counts": {"followers": followers, "following": 3},
                "tweet_counts": {"tweets": 7}}
    return {"__typename": "User", "rest_id": uid, "is_blue_verified": blue,
            "legacy": {"screen_name": name, "name": name.title(), "followers_count": followers, "friends_count": 3,
                       "statuses_count": 7, "description": "", "default_profile_image": default_pic}}


def _tweet(tid: str, author: dict) -> dict:
    return {"__typename": "Tweet", "rest_id": tid, "core": {"user_results": {"result": author}},
            "legacy": {"id_str": tid, "full_text": "hello", "created_at": "Mon Jan 05 10:00:00 +0000 2026"}}


def _timeline(entries: list[dict], root: tuple[str, ...]) -> dict:
    body: dict = {"instructions": [{"type": "TimelineAddEntries", "entries": entries}]}
    for key in reversed(root):
        body = {key: body}
    return {"data": body}


def _response(op: str, variables: dict, body: dict, status: int = 200) -> dict:
    v = quote(json.dumps(variables, separators=(",", ":")))
    return {"url": f"https://x.com/i/api/graphql/SyNtH/{op}?variables={v}", "status": status,
            "content_type": "application/json", "body": json.dumps(body)}


def _capture(url: str, responses: list[dict], html: str = X_SHELL) -> dict:
    return list_capture(url, responses, html)


_SEARCH_ROOT = ("search_by_raw_query", "search_timeline", "timeline")


def _search(url: str, tweets: list[dict]) -> dict:
    entries = [{"entryId": f"tweet-{t['rest_id']}", "content": {"itemContent": {"tweet_results": {"result": t}}}}
               for t in tweets]
    entries.append({"entryId": "cursor-bottom-1", "content": {"value": "scroll:1"}})
    return _capture(url, [_response("SearchTimeline", {"rawQuery": "x"}, _timeline(entries, _SEARCH_ROOT))])


def _users_page(url: str, op: str, owner_id: str, users: list[dict]) -> dict:
    entries = [{"entryId": f"user-{u.get('rest_id')}", "content": {"itemContent": {
        "itemType": "TimelineUser", "user_results": {"result": u}}}} for u in users]
    return _capture(url, [_response(op, {"userId": owner_id}, _timeline(entries, ("user", "result", "timeline", "timeline")))])


def test_search_authors_once_each_in_timeline_order() -> None:
    anna, bo = _user("1", "anna"), _user("2", "bo_runs", new_schema=True, default_pic=True, blue=True)
    cap = _search("https://x.com/search?q=trail%20running&f=live",
                  [_tweet("11", anna), _tweet("12", bo), _tweet("13", anna)])
    listing = parse_listing(cap)
    assert (listing.kind, listing.query, listing.owner) == ("search", "trail running", None)
    assert [(c.handle, c.platform_id) for c in listing.creators] == [("anna", "1"), ("bo_runs", "2")]
    bo_listed = listing.creators[1]
    # 2026 schema: the default avatar is X's default_profile_images URL; counts are exact
    assert (bo_listed.has_profile_pic, bo_listed.verified, bo_listed.followers.approx) == (False, True, False)
    assert (bo_listed.bio_length, bo_listed.posts, bo_listed.following) == (4, 7, 3)
    assert listing.to_dict()["creators_total"] == 2


def test_hashtag_page_is_a_hashtag_listing() -> None:
    cap = _search("https://x.com/hashtag/ultrarunning?src=hashtag_click", [_tweet("11", _user("1", "anna"))])
    listing = parse_listing(cap)
    assert (listing.kind, listing.query) == ("hashtag", "ultrarunning")
    assert [c.handle for c in listing.creators] == ["anna"]


def test_search_without_results_is_an_empty_listing_with_a_warning() -> None:
    listing = parse_listing(_search("https://x.com/search?q=nothing", []))
    assert listing.creators == [] and listing.warnings


def test_search_skips_unavailable_authors_and_tombstones() -> None:
    gone = {"__typename": "UserUnavailable"}
    tomb = {"entryId": "tweet-9", "content": {"itemContent": {"tweet_results": {"result": {"__typename": "TweetTombstone"}}}}}
    cap = _search("https://x.com/search?q=a", [_tweet("11", gone), _tweet("12", _user("2", "bo"))])
    body = json.loads(cap["responses"][0]["body"])
    body["data"]["search_by_raw_query"]["search_timeline"]["timeline"]["instructions"][0]["entries"].insert(0, tomb)
    cap["responses"][0]["body"] = json.dumps(body)
    assert [c.handle for c in parse_listing(cap).creators] == ["bo"]


def test_followers_list_keeps_only_the_owners_list() -> None:
    cap = _users_page("https://x.com/anna/followers", "Followers", "1", [_user("5", "fan_one"), _user("6", "fan_two")])
    leftover = _users_page("https://x.com/bo/followers", "Followers", "2", [_user("7", "someone_else")])
    cap["responses"].insert(0, x_capture("anna", rest_id=1)["responses"][0])
    cap["responses"].append(leftover["responses"][0])
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner) == ("followers", "anna")
    assert [c.handle for c in listing.creators] == ["fan_one", "fan_two"]


def test_following_list() -> None:
    cap = _users_page("https://x.com/anna/following", "Following", "1", [_user("5", "brand_co", followers=90_000)])
    cap["responses"].insert(0, x_capture("anna", rest_id=1)["responses"][0])
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner) == ("following", "anna")
    assert listing.creators[0].followers.value == 90_000
    # parse() still reads the same page as the owner, without an audience
    assert parse(cap).audience_sample == []


def test_replies_count_the_authors_own_replies() -> None:
    anna, fan = _user("1", "anna"), _user("5", "fan_one")

    def thread(tid: str, author: dict) -> dict:
        return {"entryId": f"conversationthread-{tid}", "content": {"items": [
            {"item": {"itemContent": {"tweet_results": {"result": _tweet(tid, author)}}}}]}}

    entries = [{"entryId": "tweet-100", "content": {"itemContent": {"tweet_results": {"result": _tweet("100", anna)}}}},
               thread("101", fan), thread("102", anna), thread("103", fan)]
    cap = _capture("https://x.com/anna/status/100", [_response(
        "TweetDetail", {"focalTweetId": "100"}, _timeline(entries, ("threaded_conversation_with_injections_v2",)))])
    listing = parse_listing(cap)
    assert (listing.kind, listing.owner) == ("comments", "anna")
    assert [c.handle for c in listing.creators] == ["fan_one", "anna"]
    assert [a.username for a in parse(cap).audience_sample] == ["fan_one"]  # parse: the audience, as before


def test_rest_search_reads_global_objects_in_entry_order() -> None:
    body = {"globalObjects": {
        "tweets": {"21": {"user_id_str": "2"}, "22": {"user_id_str": "1"}, "23": {"user_id_str": "2"}},
        "users": {"1": {"id_str": "1", "screen_name": "anna", "name": "Anna", "followers_count": 5,
                        "friends_count": 1, "statuses_count": 2, "description": "hi", "default_profile_image": True,
                        "ext_is_blue_verified": False, "verified": False},
                  "2": {"id_str": "2", "screen_name": "bo", "name": "Bo", "followers_count": 9,
                        "friends_count": 1, "statuses_count": 2, "description": "", "default_profile_image": False,
                        "ext_is_blue_verified": True, "verified": False}}},
        "timeline": {"instructions": [{"addEntries": {"entries": [
            {"entryId": f"sq-I-t-{t}", "content": {"item": {"content": {"tweet": {"id": t}}}}} for t in ("21", "22", "23")
        ] + [{"entryId": "sq-cursor-bottom", "content": {"operation": {"cursor": {"value": "x"}}}}]}}]}}
    cap = _capture("https://twitter.com/search?q=anna", [{
        "url": "https://twitter.com/i/api/2/search/adaptive.json?q=anna", "status": 200,
        "content_type": "application/json", "body": json.dumps(body)}])
    listing = parse_listing(cap)
    assert [(c.handle, c.verified, c.has_profile_pic, c.bio_length) for c in listing.creators] == [
        ("bo", True, True, 0), ("anna", False, False, 2)]


def test_login_wall_rate_limit_and_missing_answers_are_typed() -> None:
    denied = {"errors": [{"code": 239, "message": "Bad guest token"}]}
    assert error_code(_capture("https://x.com/anna/followers", [_response("Followers", {}, denied, 403)])) == "login_wall"
    limited = {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
    assert error_code(_capture("https://x.com/search?q=a", [_response("SearchTimeline", {}, limited, 429)])) == "blocked"
    assert error_code(_capture("https://x.com/search?q=a", [])) == "malformed"
    only_owner = x_capture("anna")
    only_owner["url"] = "https://x.com/anna/followers"
    assert error_code(only_owner) == "malformed"


def test_pages_that_are_no_list() -> None:
    assert error_code(x_capture("anna")) == "not_a_creator_page"  # a profile: parse's, not parse_listing's
    assert error_code(_capture("https://x.com/home", [])) == "not_a_creator_page"
