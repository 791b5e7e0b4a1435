"""The dashboard in the real Chromium: token form (a POST) -> session cookie -> table -> a creator's
page -> log out; creator text stays text, and the token is in no URL and no cookie."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.browser import chromium, dashboard_server, log_in, needs_chromium
from tests.server.api.conftest import x_capture
from tests.server.api.test_crash import request

pytestmark = pytest.mark.slow
XSS = "<img src=x onerror=alert(1)>"


@needs_chromium
def test_dashboard_in_chromium(tmp_path):
    with dashboard_server(tmp_path / "data") as (port, token):
        assert request(port, token, "POST", "/api/v1/captures", json.dumps(x_capture("xss", name=XSS)).encode())[0] == 201
        brief = {"name": "Running shoes launch", "keywords": ["running", "marathon", "trail"], "languages": ["en"]}
        status, answer = request(port, token, "POST", "/api/v1/briefs", json.dumps(brief).encode())
        assert status == 201
        assert request(port, token, "PUT", "/api/v1/briefs/active", json.dumps({"id": answer["id"]}).encode())[0] == 200
        for followers, at in ((800, "2026-01-01T00:00:00Z"), (870, "2026-02-01T00:00:00Z"), (990, "2026-03-01T00:00:00Z")):
            body = json.dumps(x_capture("bo_runs", followers=followers, captured_at=at)).encode()
            assert request(port, token, "POST", "/api/v1/captures", body)[0] == 201
        with chromium() as browser:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            urls: list[str] = []
            posts: list = []
            page.on("request", lambda r: (urls.append(r.url), r.method == "POST" and posts.append(r)))
            log_in(page, f"http://127.0.0.1:{port}/", token, "main h2")
            assert page.url == f"http://127.0.0.1:{port}/"
            page.goto(f"http://127.0.0.1:{port}/browsed")  # captured, in no watchlist: browsed creators
            page.wait_for_selector("table.creators")
            # the browser sent the dashboard's own origin with the form (the login's CSRF check reads it)
            assert [p.all_headers().get("origin") for p in posts] == [f"http://127.0.0.1:{port}"]
            cookies = page.context.cookies()
            assert [c["name"] for c in cookies] == ["kolscope_session"]
            assert cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Strict" and token not in cookies[0]["value"]
            cell = page.locator("table.creators tbody tr td", has_text="onerror").first
            assert XSS in cell.inner_text() and page.locator("main img").count() == 0
            # the stylesheet loaded under the CSP
            assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(29, 29, 31)"
            # the creator's own page: reasons, the follower line, the history
            page.locator("table.creators tbody tr td a", has_text="Bo Runs").first.click()
            page.wait_for_selector("table.factors")
            assert page.url == f"http://127.0.0.1:{port}/creator/x/bo_runs"
            assert page.locator("svg.chart polyline").count() == 1
            assert "+120" in page.locator("table.history").inner_text()
            assert "Running shoes launch" in page.locator("main").inner_text()  # fit against the brief
            out = Path(__file__).resolve().parents[3] / "test-results" / "screenshots"
            out.mkdir(parents=True, exist_ok=True)
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.screenshot(path=str(out / "dashboard-creator.png"))
            if os.environ.get("KOLSCOPE_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(out / "dashboard-creator.png",
                                Path(__file__).resolve().parents[3] / "docs" / "img" / "dashboard-creator.png")
            assert page.goto(f"http://127.0.0.1:{port}/api/v1/creators").status == 200  # session: GETs only
            # log out (a POST form): back to the token form, and the session no longer reads the API
            page.goto(f"http://127.0.0.1:{port}/")
            page.click("form.logout button")
            page.wait_for_selector("input[name=token]")
            assert page.context.cookies() == []
            assert page.goto(f"http://127.0.0.1:{port}/api/v1/creators").status == 401
            assert urls and not [u for u in urls if token in u]  # no URL ever held the token (history)
        assert dialogs == []
