"""Bilibili in the real browser: the space page is an app shell, so the overlay is scored only when
the MAIN-world observer forwards the page's api.bilibili.com answers (the registry's api_urls, through
the generated content/platforms.js) and the content script keeps those about this space's mid."""

from __future__ import annotations

import pytest

from tests.e2e.harness import wait_settled
from tests.scraper.test_bilibili import CASES, MID, capture, info, load_recording, stat, video, videos

pytestmark = pytest.mark.e2e

# Bilibili's answers come from another host (api.bilibili.com) than the page (space.bilibili.com):
# the harness's replay asks with credentials, which a wildcard CORS answer refuses, so these play the
# app's part without them (the observer sees the same answers either way).
REPLAY_JS = """async (urls) => {
  await Promise.all(urls.map((u) => fetch(u, { credentials: 'omit' }).then((x) => x.text()).catch(() => null)));
}"""


def open_space(browser, page, capture_: dict) -> None:
    browser.routes.add_capture(capture_)
    page.goto(capture_["url"], wait_until="domcontentloaded")
    page.evaluate(REPLAY_JS, [r["url"] for r in capture_["responses"]])


def test_real_space_recording_is_scored_under_its_mid(browser, backend, page):
    recorded, expected = load_recording(CASES[-1])
    open_space(browser, page, recorded)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    assert values["handle"] == expected["platform_id"]
    status, api = backend.api("GET", f"/creators/bilibili/{expected['platform_id']}")
    assert status == 200, api
    assert api["creator"]["followers"] == expected["followers"]["value"]
    assert api["creator"]["display_name"] == expected["display_name"]


def test_answers_about_another_space_are_left_out(browser, backend, page):
    # The page also loaded a space it showed before (an in-app navigation): only this mid's answers count.
    items = [video(f"BV1aa411c7e{i}", f"Video {i}", 1_700_000_000 - i * 86_400, 1_000 + i, 3) for i in range(3)]
    page_capture = capture(info(mid="42", name="Someone else"), stat(mid="42", follower=7),
                           info(name="E2E Mea"), stat(follower=12_345), videos(items, count=3))
    open_space(browser, page, page_capture)
    values = wait_settled(page)
    assert values["state"] == "scored", values
    status, api = backend.api("GET", f"/creators/bilibili/{MID}")
    assert status == 200, api
    assert (api["creator"]["display_name"], api["creator"]["followers"]) == ("E2E Mea", 12_345)
    assert [p["id"] for p in api["snapshot"]["recent_posts"]] == [f"BV1aa411c7e{i}" for i in range(3)]
