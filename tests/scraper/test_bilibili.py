"""Bilibili, the fifth platform: its parser over the two real space recordings in
../shared/otherplatforms/bilibili, over answers built here (error codes, the video list, missing
fields, video pages), and its Platform facts as the registry-driven parts read them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from scraper import parse, registry
from scraper.errors import CaptureError
from scraper.fetch import api_patterns
from scraper.replay import normalise_url
from scraper.platforms import bilibili
from scraper.politeness import DEFAULT_BUDGETS, classify_http
from tests.conftest import REALPAGES, load_recorded

OTHERPLATFORMS = REALPAGES.parent / "otherplatforms"
RECORDINGS = Path(os.environ.get("KOLSCOPE_OTHERPLATFORMS", OTHERPLATFORMS)) / "bilibili"
MISSING = (f"the Bilibili recordings are not at {RECORDINGS} (set KOLSCOPE_OTHERPLATFORMS to the "
           "shared/otherplatforms folder)")
CASES = sorted(p.name[: -len(".capture.json")] for p in RECORDINGS.glob("*.capture.json")) or ["<recordings missing>"]

MID = "349991143"
SPACE = f"https://space.bilibili.com/{MID}"
SHELL = '<!DOCTYPE html><html lang="zh-CN"><head><title>bilibili</title></head><body><div id="app"></div></body></html>'


def load_recording(case: str) -> tuple[dict, dict]:
    return load_recorded(RECORDINGS, case, MISSING)


# --- the real recordings ------------------------------------------------------------------------------


@pytest.mark.realpages
@pytest.mark.parametrize("case", CASES)
def test_recording_matches_expected(case: str) -> None:
    capture, expected = load_recording(case)
    assert expected["kind"] == "profile" and expected["error"] is None
    snap = parse(capture)
    assert (snap.platform, snap.handle, snap.platform_id) == (expected["platform"], expected["handle"],
                                                             expected["platform_id"])
    assert snap.display_name == expected["display_name"]
    assert snap.verified == expected["verified"]
    for name in ("followers", "following", "posts", "likes"):
        want = expected[name]
        if want is None:
            assert getattr(snap, name) is None, name
        else:
            assert getattr(snap, name) == want["value"], name
            assert (name in snap.approximate) == want["approx"], name
    assert [p.id for p in snap.recent_posts] == [p["id"] for p in expected["recent_posts"]]
    assert [c.author for c in snap.comments] == [c["author"] for c in expected["comments"]]
    assert snap.url == f"https://space.bilibili.com/{expected['platform_id']}"
    assert type(snap).from_dict(snap.to_dict()) == snap


# --- answers built here -------------------------------------------------------------------------------


def answer(url: str, data=None, code: int = 0, status: int = 200, message: str = "0") -> dict:
    body = {"code": code, "message": message, "ttl": 1}
    if data is not None:
        body["data"] = data
    return {"url": url, "status": status, "content_type": "application/json", "body": json.dumps(body, ensure_ascii=False)}


def info(mid: str = MID, name: str = "Mea", **extra) -> dict:
    data = {"mid": int(mid), "name": name, "sign": "bio", "face": "https://i0.hdslb.com/f.jpg",
            "official": {"role": 0, "title": "", "desc": "", "type": -1}, **extra}
    return answer(f"https://api.bilibili.com/x/space/wbi/acc/info?mid={mid}&w_rid=ab&wts=1", data)


def stat(mid: str = MID, follower: int = 1000, following: int = 5) -> dict:
    return answer(f"https://api.bilibili.com/x/relation/stat?vmid={mid}",
                  {"mid": int(mid), "following": following, "whisper": 0, "black": 0, "follower": follower})


def video(bvid: str, title: str, created: int, play, comment: int, mid: str = MID) -> dict:
    return {"aid": 1, "bvid": bvid, "title": title, "description": "", "created": created, "play": play,
            "comment": comment, "video_review": 3, "length": "03:00", "mid": int(mid), "author": "Mea"}


def videos(items: list[dict], count: int, mid: str = MID) -> dict:
    return answer(f"https://api.bilibili.com/x/space/wbi/arc/search?mid={mid}&ps=30&pn=1",
                  {"list": {"tlist": {}, "vlist": items}, "page": {"pn": 1, "ps": 30, "count": count}})


def capture(*responses: dict, url: str = SPACE, html: str = SHELL) -> dict:
    return {"format": "kolscope.capture/1", "url": url, "captured_at": "2026-11-01T00:00:00Z",
            "source": "extension", "html": html, "responses": list(responses)}


def error_of(cap: dict) -> CaptureError:
    with pytest.raises(CaptureError) as info_:
        parse(cap)
    assert info_.value.message
    return info_.value


def test_space_with_video_list() -> None:
    items = [video("BV1aa411c7aA", "新しい歌 #歌ってみた", 1_700_000_000, 12345, 67),
             video("BV1bb411c7bB", "hidden plays", 1_699_000_000, "--", 8),
             video("BV1cc411c7cC", "a co-creator's video", 1_698_000_000, 5, 1, mid="42")]
    snap = parse(capture(info(), stat(), videos(items, count=321)))
    assert (snap.handle, snap.platform_id, snap.display_name, snap.bio) == (None, MID, "Mea", "bio")
    assert (snap.followers, snap.following, snap.posts, snap.verified) == (1000, 5, 321, False)
    assert snap.approximate == []
    assert [p.id for p in snap.recent_posts] == ["BV1aa411c7aA", "BV1bb411c7bB"]
    first, second = snap.recent_posts
    assert (first.views, first.comments, first.likes) == (12345, 67, None)
    assert first.title == "新しい歌 #歌ってみた" and first.hashtags == ["歌ってみた"]
    assert first.published_at == "2023-11-14T22:13:20Z"
    assert first.url == "https://www.bilibili.com/video/BV1aa411c7aA"
    assert second.views is None and second.comments == 8  # "--": the uploader hides the plays
    assert snap.warnings == []


def test_space_totals_from_navnum_upstat_and_card() -> None:
    card = {"card": {"mid": MID, "name": "Card name", "fans": 999, "attention": 7, "sign": "card bio",
                     "Official": {"role": 3, "title": "org", "desc": "", "type": 1}},
            "following": False, "archive_count": 40, "article_count": 0, "follower": 1001, "like_num": 5000}
    snap = parse(capture(
        answer(f"https://api.bilibili.com/x/web-interface/card?mid={MID}&photo=true", card),
        answer(f"https://api.bilibili.com/x/space/upstat?mid={MID}", {"archive": {"view": 77777}, "likes": 5100}),
        answer(f"https://api.bilibili.com/x/space/navnum?mid={MID}", {"video": 41, "article": 0}),
    ))
    assert (snap.display_name, snap.bio, snap.verified) == ("Card name", "card bio", True)
    assert (snap.followers, snap.following, snap.posts, snap.likes, snap.views) == (1001, 7, 41, 5100, 77777)


@pytest.mark.parametrize(("official", "verified"), [
    ({"role": 0, "type": -1}, False), ({"role": 1, "type": 0}, True), ({"role": 5, "type": 1}, True),
    ({"role": 2}, True), ({"role": 0}, False), ({}, None), (None, None),
])
def test_verification(official, verified) -> None:
    cap = capture(info(official=official))
    if official is None:
        body = json.loads(cap["responses"][0]["body"])
        del body["data"]["official"]
        cap["responses"][0]["body"] = json.dumps(body)
    assert parse(cap).verified is verified


def test_missing_fields_are_none() -> None:
    bare = answer(f"https://api.bilibili.com/x/space/acc/info?mid={MID}", {"mid": int(MID)})
    snap = parse(capture(bare))
    assert snap.platform_id == MID
    assert (snap.display_name, snap.bio, snap.avatar_url, snap.verified) == (None, None, None, None)
    assert (snap.followers, snap.following, snap.posts, snap.likes, snap.views) == (None,) * 5
    assert snap.recent_posts == []


def test_answers_about_another_account_are_left_out() -> None:
    # after an in-page navigation from space 42: its answers must not describe this account
    snap = parse(capture(info(mid="42", name="Other"), stat(mid="42", follower=5), info(), stat()))
    assert (snap.display_name, snap.followers) == ("Mea", 1000)
    with pytest.raises(CaptureError):
        parse(capture(info(mid="42"), stat(mid="42")))


@pytest.mark.parametrize(("codes", "expected"), [
    ((-404,), "unavailable"),
    ((-412,), "blocked"),
    ((-352,), "blocked"),
    ((-799,), "blocked"),
    ((-101,), "login_wall"),
    ((53013,), "restricted"),
    ((22115,), "restricted"),
    ((-352, -404), "unavailable"),  # a missing account is the answer, whatever else was refused
    ((-400,), "malformed"),
])
def test_error_codes(codes, expected) -> None:
    urls = [f"https://api.bilibili.com/x/space/wbi/acc/info?mid={MID}", f"https://api.bilibili.com/x/relation/stat?vmid={MID}"]
    cap = capture(*(answer(u, code=c, message="err") for u, c in zip(urls, codes)))
    assert error_of(cap).code == expected


def test_http_412_without_json_is_blocked() -> None:
    refused = {"url": f"https://api.bilibili.com/x/space/wbi/acc/info?mid={MID}", "status": 412,
               "content_type": "text/html", "body": "<html>412 Precondition Failed</html>"}
    assert error_of(capture(refused)).code == "blocked"


def test_shell_without_answers_is_malformed() -> None:
    assert error_of(capture()).code == "malformed"


def test_refused_account_answer_keeps_the_counts() -> None:
    refused = answer(f"https://api.bilibili.com/x/space/wbi/acc/info?mid={MID}", code=-352, message="风控校验失败")
    snap = parse(capture(refused, stat()))
    assert (snap.display_name, snap.followers) == (None, 1000)
    assert any("info" in w for w in snap.warnings)


def test_deleted_account_is_unavailable() -> None:
    assert error_of(capture(info(name="账号已注销"), stat(follower=0))).code == "unavailable"


@pytest.mark.parametrize("url", ["https://www.bilibili.com/", "https://www.bilibili.com/anime/",
                                 "https://www.bilibili.com/v/popular/all", "https://space.bilibili.com/"])
def test_pages_that_show_no_account(url) -> None:
    assert error_of(capture(info(), url=url)).code == "not_a_creator_page"


def _state(bvid: str, mid: str = MID) -> str:
    state = {"videoData": {"bvid": bvid, "aid": 170001, "title": "Song", "desc": "", "pubdate": 1_700_000_000,
                           "owner": {"mid": int(mid), "name": "Mea", "face": "https://i0.hdslb.com/f.jpg"},
                           "stat": {"view": 5000, "danmaku": 10, "reply": 30, "favorite": 40, "coin": 50,
                                    "share": 6, "like": 300}},
             "upData": {"mid": mid, "name": "Mea", "fans": 2000, "attention": 9, "archiveCount": 12,
                        "Official": {"role": 1, "title": "UP", "desc": "", "type": 0}}}
    return f"<html><body><script>window.__INITIAL_STATE__={json.dumps(state)};(function(){{}}());</script></body></html>"


def test_video_page_gives_the_uploader() -> None:
    snap = parse(capture(url="https://www.bilibili.com/video/BV1xx411c7mD/?p=1", html=_state("BV1xx411c7mD")))
    assert (snap.handle, snap.platform_id, snap.url) == (None, MID, SPACE)
    assert (snap.followers, snap.following, snap.posts, snap.verified) == (2000, 9, 12, True)
    [post] = snap.recent_posts
    assert (post.id, post.views, post.likes, post.comments, post.shares) == ("BV1xx411c7mD", 5000, 300, 30, 6)


def test_video_page_after_in_page_navigation_reads_the_view_answer() -> None:
    view = answer("https://api.bilibili.com/x/web-interface/wbi/view?bvid=BV1yy411c7mE",
                  {"bvid": "BV1yy411c7mE", "aid": 2, "title": "Next", "pubdate": 1_700_100_000,
                   "owner": {"mid": 42, "name": "Other"}, "stat": {"view": 10, "reply": 1, "like": 2, "share": 0}})
    snap = parse(capture(view, url="https://www.bilibili.com/video/BV1yy411c7mE", html=_state("BV1xx411c7mD")))
    assert (snap.platform_id, snap.display_name, snap.followers) == ("42", "Other", None)
    assert [p.id for p in snap.recent_posts] == ["BV1yy411c7mE"]


# --- the platform's facts, as the registry-driven parts read them ---------------------------------------


def test_identity_rules() -> None:
    p = registry.require("bilibili")
    assert p.identity == "id" and p.label == "Bilibili" and p.engagement == "bilibili"
    assert p.profile_url(MID) == SPACE and registry.profile_url("bilibili", " 7 ") == "https://space.bilibili.com/7"
    for good in ("1", MID, "9" * 19):
        assert p.valid_handle(good) and re.fullmatch(p.handle_pattern, good)
    for bad in ("0", "007", "abc", "9" * 20, "", 349991143, None, "@349991143"):
        assert not p.valid_handle(bad)
        assert not isinstance(bad, str) or not re.fullmatch(p.handle_pattern, bad)
        with pytest.raises(ValueError):
            p.profile_url(bad)
    assert registry.creator_key("bilibili", MID) == MID
    for url, mid in ((SPACE, MID), (f"{SPACE}/video?tid=0", MID), (f"https://m.bilibili.com/space/{MID}", MID),
                     ("https://www.bilibili.com/video/BV1xx411c7mD", None), ("https://space.bilibili.com/", None),
                     (f"https://live.bilibili.com/{MID}", None)):
        assert p.handle_from_url(url) == mid, url
    assert registry.platform_for(SPACE) is p and registry.platform_for("https://www.bilibili.com/video/BV1") is p
    assert registry.platform_for("https://bilibili.com.evil.example/1") is None


def test_registry_driven_parts_include_bilibili() -> None:
    assert "bilibili" in registry.NAMES and "Bilibili" in registry.labels()
    patterns = api_patterns("bilibili")
    read = [f"https://api.bilibili.com/x/space/wbi/acc/info?mid={MID}&w_rid=1", f"https://api.bilibili.com/x/space/acc/info?mid={MID}",
            f"https://api.bilibili.com/x/relation/stat?vmid={MID}", f"https://api.bilibili.com/x/space/wbi/arc/search?mid={MID}",
            f"https://api.bilibili.com/x/space/navnum?mid={MID}", f"https://api.bilibili.com/x/space/upstat?mid={MID}",
            f"https://api.bilibili.com/x/web-interface/card?mid={MID}", "https://api.bilibili.com/x/web-interface/wbi/view?bvid=BV1"]
    for url in read:
        # what the fetcher keeps and the observer forwards is what the parser reads, and the reverse
        assert any(re.search(p, url) for p in patterns), url
        assert any(e.search(url) for e in bilibili._ENDPOINTS.values()), url
    for url in ("https://api.bilibili.com/x/space/notice?mid=1", "https://api.live.bilibili.com/room/v1/Room/getRoomInfoOld?mid=1",
                "https://api.bilibili.com/x/web-interface/nav"):
        assert not any(re.search(p, url) for p in patterns), url
    assert DEFAULT_BUDGETS["bilibili"].requests == 6
    assert classify_http(200, "https://passport.bilibili.com/login?gourl=x").code == "login_wall"
    # each host has pages of its own: a video URL is not folded onto the space host
    assert normalise_url("https://www.bilibili.com/video/BV1xx411c7mD/") == "https://www.bilibili.com/video/BV1xx411c7mD"
    assert normalise_url("https://x.com/a") == normalise_url("https://twitter.com/a")

