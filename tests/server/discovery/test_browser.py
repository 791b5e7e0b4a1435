"""The discovery page in the real Chromium: a real X search page posted as a capture, its creators
on /discovery with their paths and tier badges, two of them ticked and checked (their profiles served
by a replay) while the page follows the progress by itself; screenshot test-results/discovery.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import chromium, dashboard_server, log_in, needs_chromium
from tests.conftest import load_listpage
from tests.scraper.synthetic import write_replay_dir, x_capture
from tests.server.api.test_crash import request

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


@needs_chromium
def test_discovery_in_chromium(tmp_path):
    from playwright.sync_api import expect  # late: only this test needs Playwright

    search, expected = load_listpage("x/x_search_tesla_2026-05")
    # the first two accounts of the search, whose profile pages the replay serves
    picked = [c["handle"] for c in expected["creators"][:2]]
    replay_dir = write_replay_dir(tmp_path / "replay", [x_capture(h, 4321 + i) for i, h in enumerate(picked)])
    with dashboard_server(tmp_path / "data", "--replay", str(replay_dir)) as (port, token):
        status, answer = request(port, token, "POST", "/api/v1/captures", json.dumps(search).encode())
        assert status == 201 and answer["kind"] == "search" and answer["candidates_added"] == 20
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            log_in(page, f"http://127.0.0.1:{port}/", token, "table.creators, main")
            page.click("nav.main-nav >> text=Discovery")
            page.wait_for_selector("table.candidates")
            rows = page.locator("table.candidates tbody tr")
            assert rows.count() == 20
            assert '"tesla lang:en" search on X, 2026-05' in rows.first.inner_text()
            assert page.locator("table.candidates .tier").count() >= 1
            for handle in picked:
                row = page.locator("table.candidates tbody tr", has_text=f"@{handle}").first
                row.locator("input[type=checkbox]").check()
            page.click("button:has-text('Check selected')")
            page.wait_for_selector("p.notice-ok")
            assert "Checking 2 candidates" in page.locator("p.notice-ok").inner_text()
            # the page reloads itself (a meta refresh, no script) until both are checked
            for handle in picked:
                row = page.locator("table.candidates tbody tr", has_text=f"@{handle}").first
                expect(row.locator("td.state")).to_have_text("checked", timeout=90_000)
            # the run ends a moment after its last candidate; the next reload says so and stops reloading
            expect(page.locator("p.checks")).to_contain_text("Last checks: 2 checked", timeout=30_000)
            out = ROOT / "test-results"
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / "discovery.png"), full_page=False)
            # a checked candidate links to its creator page, scored
            page.locator("table.candidates tbody tr", has_text=f"@{picked[0]}").first.locator("td a").first.click()
            page.wait_for_selector("table.factors")
        status, stored = request(port, token, "GET", f"/api/v1/creators/x/{picked[0]}")
        assert status == 200 and stored["snapshot"]["followers"] == 4321
