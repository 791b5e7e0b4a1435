"""Post, Short and rendered-only pages end to end: the extension captures them, the backend parses the
creator, and the audience answers the observer forwards reach the stored snapshot."""

from __future__ import annotations

import copy
import json
import time

import pytest

from tests.conftest import load_fixture, load_listpage
from tests.e2e.harness import open_capture, wait_settled

pytestmark = pytest.mark.e2e


def _snapshot(backend, platform: str, handle: str, until=lambda s: True, timeout: float = 15.0) -> dict:
    """The stored snapshot, once `until` holds (a refined capture may still be on its way)."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = backend.api("GET", f"/creators/{platform}/{handle}")
        if status == 200 and (until(body["snapshot"]) or time.monotonic() > deadline):
            return body["snapshot"]
        if time.monotonic() > deadline:
            raise AssertionError(f"{platform}/{handle} not stored: {status} {body}")
        time.sleep(0.3)


def test_instagram_post_page_scores_its_owner(browser, backend, page):
    capture, expected = load_listpage("instagram/ig_comments_thiago.nigro_DOs7hevjbX3_2025-09")
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    assert values["handle"] == expected["owner"]
    snap = _snapshot(backend, "instagram", expected["owner"])
    assert snap["recent_posts"][0]["id"] == "DOs7hevjbX3"
    assert len(snap["audience_sample"]) == expected["creators_total"]


def test_tiktok_profile_shown_only_as_rendered(browser, backend, page):
    capture = load_fixture("tiktok_profile_rendered.capture.json")
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    assert values["handle"] == "mia.bakes"
    snap = _snapshot(backend, "tiktok", "mia.bakes")
    assert [p["id"] for p in snap["recent_posts"]] == ["7400000000000000009", "7400000000000000008",
                                                         "7400000000000000006"]


def test_youtube_short_scores_its_channel(browser, backend, page):
    capture = load_fixture("youtube_shorts.capture.json")
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    snap = _snapshot(backend, "youtube", "spacebits")
    assert snap["categories"] == ["Science & Technology"]
    assert snap["recent_posts"][0]["url"] == "https://www.youtube.com/shorts/sssssssssS1"


def test_tiktok_followers_list_reaches_the_audience_sample(browser, backend, page):
    """The followers dialog's /api/user/list/ answer, fetched by the page, is forwarded by the observer
    and becomes the snapshot's audience sample."""
    capture = copy.deepcopy(load_fixture("tiktok_profile_universal.capture.json"))
    users = [{"user": {"id": str(i), "uniqueId": f"fan.{i}", "nickname": f"Fan {i}", "signature": ""},
              "stats": {"followerCount": i, "followingCount": 10 * i, "videoCount": 1}} for i in range(1, 13)]
    capture["responses"].append({
        "url": "https://www.tiktok.com/api/user/list/?count=30&maxCursor=0&minCursor=0&scene=67&secUid=MS4wLjABAAAAmia",
        "status": 200, "content_type": "application/json",
        "body": json.dumps({"userList": users, "hasMore": True, "total": 1234567, "statusCode": 0})})
    open_capture(browser, page, capture)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    snap = _snapshot(backend, "tiktok", "mia.bakes", until=lambda s: len(s["audience_sample"]) == 12)
    assert [a["username"] for a in snap["audience_sample"]][:3] == ["fan.1", "fan.2", "fan.3"]
