"""The creator page in the real Chromium, as a marketer uses it: two real captures of one YouTube
channel (2021 and 2026) sent through POST /api/v1/captures, then the page: the follower chart with
its dates and hover texts, the paid posts, a note added, edited and deleted with the page's forms,
the channel added to a watchlist. Leaves test-results/creator.png."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.browser import chromium, dashboard_server, log_in, needs_chromium
from tests.conftest import REALPAGES, load_recorded
from tests.server.api.conftest import x_capture
from tests.server.api.test_crash import request

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
CASES = ("youtube/yt_channel_kurzgesagt_2021-02_pbj", "youtube/yt_channel_kurzgesagt_2026-01")


@needs_chromium
def test_creator_page_in_chromium(tmp_path):
    captures = [load_recorded(REALPAGES, case, f"real captured pages not found at {REALPAGES}")[0] for case in CASES]
    with dashboard_server(tmp_path / "data") as (port, token):
        for capture in captures:
            status, answer = request(port, token, "POST", "/api/v1/captures", json.dumps(capture).encode())
            assert status == 201, answer
        assert request(port, token, "POST", "/api/v1/watchlists", json.dumps({"name": "Science Q3"}).encode())[0] == 201
        # the project's own X fixture (made-up data) for the README's picture: real pages stay out of the repo
        for followers, at in ((800, "2026-01-01T00:00:00Z"), (870, "2026-02-01T00:00:00Z"), (990, "2026-03-01T00:00:00Z")):
            body = json.dumps(x_capture("bo_runs", followers=followers, captured_at=at)).encode()
            assert request(port, token, "POST", "/api/v1/captures", body)[0] == 201
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            console: list[str] = []
            page.on("console", lambda m: m.type in ("error", "warning") and console.append(m.text))
            urls: list[str] = []
            page.on("request", lambda r: urls.append(r.url))
            # / is the shortlist: maybe no table
            log_in(page, f"http://127.0.0.1:{port}/creator/youtube/kurzgesagt", token, "table.creators, form.filters")
            page.goto(f"http://127.0.0.1:{port}/creator/youtube/kurzgesagt")
            assert page.locator("h2").first.inner_text().startswith("Kurzgesagt – In a Nutshell")

            # the follower chart: its dates on the axis, a hover text per point, drawn (not empty)
            chart = page.locator("svg.followers-chart")
            ticks = chart.locator("text.x-tick").all_text_contents()
            assert ticks[0] == "2021-02-13" and ticks[-1] == "2026-01-26"
            assert chart.locator("circle title").all_text_contents() == [
                "2021-02-13: 14,100,000 followers", "2026-01-26: 25,000,000 followers"]
            box = chart.bounding_box()
            assert box["width"] > 300 and box["height"] > 100

            # views over the recent posts, paid ones set apart; the paid posts with their dates
            assert page.locator("svg.views-chart rect.bar").count() == 30
            assert page.locator("svg.views-chart rect.bar.marked").count() == 12
            paid = page.locator("#paid")
            assert "12 of the 30 recent posts are paid (40%)." in paid.inner_text()
            assert paid.locator("table.paid-posts tbody tr").count() == 12
            assert "2026-01-12" in paid.locator("tbody tr").first.inner_text()
            assert "Brilliant" in paid.locator("tbody tr").first.inner_text()

            # a note: add, edit (the Edit disclosure opens the form), delete
            page.fill("#note-text", "Ask about the <b>book</b> deal")
            page.click("form.note-add button")
            page.wait_for_selector("p.notice")
            assert page.locator("p.notice").inner_text() == "Note added."
            assert page.locator(".note-text").inner_text() == "Ask about the <b>book</b> deal"  # text, not markup
            assert page.locator(".notes b").count() == 0
            page.locator(".note-edit summary").click()
            page.locator(".note-edit textarea").fill("Ask about the book deal in March")
            page.locator(".note-edit button").click()
            page.wait_for_selector("p.notice")
            assert page.locator("p.notice").inner_text() == "Note saved."
            assert page.locator(".note-text").inner_text() == "Ask about the book deal in March"
            assert "edited" in page.locator(".notes li small").first.inner_text()
            page.fill("#note-text", "Second note: rate card received")
            page.click("form.note-add button")
            page.wait_for_selector("p.notice")
            page.locator("form.note-delete button").first.click()
            page.wait_for_selector("p.notice")
            assert page.locator("p.notice").inner_text() == "Note deleted."
            assert page.locator(".note-text").all_inner_texts() == ["Second note: rate card received"]

            # add to a watchlist from the page
            page.select_option("form.add-watchlist select", label="Science Q3")
            page.click("form.add-watchlist button")
            page.wait_for_selector("p.notice")
            assert page.locator("p.notice").inner_text() == "Added to the watchlist Science Q3."
            assert "watchlists: Science Q3" in page.locator(".creator-head").inner_text()

            out = ROOT / "test-results"
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / "creator.png"), full_page=True)

            # the README's picture of the charts: from the follower chart down to the paid posts
            page.goto(f"http://127.0.0.1:{port}/creator/x/bo_runs")
            top, bottom = page.locator("#followers").bounding_box(), page.locator("#paid").bounding_box()
            page.screenshot(path=str(out / "creator-charts.png"), full_page=True, clip={
                "x": 0, "y": top["y"] - 8, "width": 1280, "height": bottom["y"] + bottom["height"] - top["y"] + 16})
            if os.environ.get("KOLSCOPE_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(out / "creator-charts.png", ROOT / "docs" / "img" / "dashboard-creator-charts.png")
        # nothing left the machine, no CSP refusal or script error on the way
        assert all(u.startswith(f"http://127.0.0.1:{port}/") for u in urls), [u for u in urls if "127.0.0.1" not in u]
        # (the login page's 401 and the favicon's 404 are logged as failed loads: not refusals)
        assert [m for m in console if "Content Security Policy" in m or "Refused" in m] == []
