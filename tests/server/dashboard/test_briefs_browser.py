"""The briefs screen in the real Chromium, as a marketer uses it: log in, make a brief typing "3%",
"Germany" and "German", see a mistake named next to its field, activate the brief and watch a
creator's fit score appear on `/`; a screenshot of the screen goes to test-results/briefs.png."""

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
ROOT = Path(__file__).resolve().parents[3]


def _fit_text(page) -> str:
    return page.locator('table.creators tbody tr', has_text="Bo Runs").locator('[data-score="fit"]').inner_text()


@needs_chromium
def test_create_and_activate_a_brief_in_chromium(tmp_path):
    with dashboard_server(tmp_path / "data") as (port, token):
        base = f"http://127.0.0.1:{port}"
        assert request(port, token, "POST", "/api/v1/captures", json.dumps(x_capture("bo_runs")).encode())[0] == 201
        # on the shortlist (`/` lists the creators in a watchlist)
        status, wl = request(port, token, "POST", "/api/v1/watchlists", json.dumps({"name": "Runners"}).encode())
        assert status == 201
        assert request(port, token, "POST", f"/api/v1/watchlists/{wl['id']}/creators",
                       json.dumps({"platform": "x", "handle": "bo_runs"}).encode())[0] in (200, 201)
        # a brief in force already (made by the API): fit is measured against cooking
        other = {"name": "Cooking channels", "keywords": ["recipes", "baking"]}
        status, made = request(port, token, "POST", "/api/v1/briefs", json.dumps(other).encode())
        assert status == 201
        assert request(port, token, "PUT", "/api/v1/briefs/active", json.dumps({"id": made["id"]}).encode())[0] == 200
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            log_in(page, f"{base}/", token, "table.creators")
            before = _fit_text(page)
            for _ in range(60):  # the API's activation re-scores in the background
                if before != "No grade":
                    break
                page.wait_for_timeout(250)
                page.reload()
                before = _fit_text(page)
            assert "Cooking channels" in page.locator("p.brief").inner_text()

            page.click("nav.main-nav >> text=Briefs")
            page.wait_for_selector("section.briefs")
            assert "Cooking channels" in page.locator("table.briefs-list").inner_text()
            page.click("text=New brief")
            assert "10k–100k followers" in page.locator("fieldset", has_text="Tiers").inner_text()
            page.fill("#f-name", "Running DACH")
            page.fill("#f-keywords", "running\nmarathon, trail")
            page.fill("#f-countries", "Germany, Atlantis")
            page.fill("#f-languages", "German, English")
            page.check("input[name=tiers][value=nano]")
            page.fill("#f-min_engagement_rate", "3%")
            page.click("text=Save brief")
            # the mistake is named next to its field, and what was typed is still there
            error = page.locator("#countries-error")
            assert "Not a country kolscope knows: “Atlantis”" in error.inner_text()
            assert page.input_value("#f-min_engagement_rate") == "3%" and page.input_value("#f-name") == "Running DACH"
            assert page.is_checked("input[name=tiers][value=nano]")
            page.fill("#f-countries", "Germany")
            page.click("text=Save brief")
            page.wait_for_selector("table.briefs-list")
            assert page.url == f"{base}/briefs"
            row = page.locator("table.briefs-list tbody tr", has_text="Running DACH")
            assert "Germany" in row.inner_text() and "ER at least 3%" in row.inner_text()
            assert row.locator(".badge").count() == 0  # another brief is in force: this one waits to be activated

            row.locator("button", has_text="Activate").click()
            page.wait_for_selector("p.notice", state="attached")
            assert "is the active brief" in page.locator("p.notice").inner_text()
            assert page.locator("table.briefs-list tr.active-brief").inner_text().startswith("Running DACH")
            out = ROOT / "test-results"
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / "briefs.png"), full_page=True)
            if os.environ.get("KOLSCOPE_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(out / "briefs.png", ROOT / "docs" / "img" / "dashboard-briefs.png")

            # the background re-score measures the runner against the running brief: the fit changes
            page.goto(f"{base}/")
            assert "Running DACH" in page.locator("p.brief").inner_text()
            for _ in range(60):
                if _fit_text(page) != before:
                    break
                page.wait_for_timeout(250)
                page.reload()
            after = _fit_text(page)
            assert after != before and after.split()[0].isdigit(), (before, after)
            assert int(after.split()[0]) > int(before.split()[0]), (before, after)
            _, stored = request(port, token, "GET", "/api/v1/briefs/active")
            assert stored["brief"]["countries"] == ["DE"] and stored["brief"]["languages"] == ["de", "en"]
            assert stored["brief"]["min_engagement_rate"] == 0.03
        assert errors == []
